#pragma once
// The record `dermtl slurm submit` writes (OUT/slurm/submission.json), read back and validated by
// `submit` (a run folder's earlier submission) and `status` (programs/slurm.hpp).
#include <filesystem>

#include <nlohmann/json.hpp>

namespace dermtl::programs::slurm_detail {

// OUT/slurm/submission.json as submit_grid writes it, validated as a whole: {configuration: {...},
// arrays: [{part, script, tasks >= 1, job: digits or null}], one per part; items: [{name,
// done_file (relative, inside OUT/work), part (one of the arrays'), task (below its array's
// tasks)}]}. io_error naming the file, the field and what is wrong.
nlohmann::json read_submission_record(const std::filesystem::path& file);

}  // namespace dermtl::programs::slurm_detail
