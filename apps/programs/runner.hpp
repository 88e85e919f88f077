#pragma once
// Runs the registry cells a pattern picks, one after the other, with a line per cell; every fold
// is stored as it finishes (protocol/results.hpp), so a rerun after an interruption continues.
#include <ostream>
#include <string>
#include <vector>

#include "dermtl/protocol/registry.hpp"
#include "dermtl/protocol/results.hpp"

namespace dermtl::programs {

std::vector<protocol::experiment_result> run_cells(const protocol::registry& reg, const std::string& pattern,
                                                   const protocol::experiment_inputs& in, std::ostream& log);

}  // namespace dermtl::programs
