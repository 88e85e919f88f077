#pragma once
// JSON: every number of the report at full precision (doubles round-trip exactly), plus the
// 5x2cv comparisons. from_json reads it back, so a report can be re-rendered (other formats,
// fixed plots) without rerunning the experiments.
// Not templates: defined in impl/json.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise). Its functions return nlohmann::json values
// that callers use, so it includes <nlohmann/json.hpp> itself, not json_fwd.hpp.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::report {

DERMTL_DECL nlohmann::json to_json(const table& t);

DERMTL_DECL nlohmann::json to_json(const referral_section& s);

DERMTL_DECL nlohmann::json to_json(const report& rep);

// Requires: JSON written by to_json (format "dermtl-report", version 1).
// Ensures: the report it was written from (the comparisons are recomputed, not read); validated.
// Throws: config_error naming the missing or mistyped field.
DERMTL_DECL report report_from_json(const nlohmann::json& j);

// Requires: a report.json written by write_report (report/write.hpp).
// Ensures: report_from_json of its content.
// Throws: io_error naming the file when it is missing, not a file, not JSON, or not a valid
// report (report_from_json's message after the file name).
DERMTL_DECL report read_report(const std::filesystem::path& file);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/json.ipp"
#endif
