#pragma once
// Which compiled cells can run on a study's data (issue 16). A cell's labeling needs what its
// design asks of the data: diagnoses, a case of every class, enough cases of each for the folds
// (4 per class for 5x2 CV, data::cases_per_class_for_5x2), and every class on each side of a
// given fold; ISIC's own label needs ISIC 2016. A cell the data cannot support is refused before
// any training, with a message that says why and which designs are possible.
#include <string>
#include <vector>

#include "dermtl/protocol/registry.hpp"
#include "programs/study.hpp"

namespace dermtl::programs {

// Why `cell` cannot run on `st` ("" when it can).
std::string cell_problem(const study& st, const protocol::registry_entry& cell);

// config_error listing every cell of `cells` that cannot run on `st` with its reason, and the
// designs that can; nothing when all can.
void require_runnable(const study& st, const std::vector<const protocol::registry_entry*>& cells);

// What a report on `st` should say about its designs, e.g. that malignant vs. benign and melanoma
// vs. benign coincide on ISIC 2016 (every malignant case there is a melanoma).
std::vector<std::string> design_notes(const study& st, const std::vector<const protocol::registry_entry*>& cells);

}  // namespace dermtl::programs
