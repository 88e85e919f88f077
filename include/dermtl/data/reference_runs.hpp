#pragma once
// The reference implementation's own use of its fold files: the ten runs `ixj`.
//
// Represents: how a fold file's folds become the folds an experiment runs.
//   fold_mapping::folds           Fold_1..Fold_K as written (list 1 trains, list 2 tests): dermtl's
//                                 default; on the reference's files a valid 5x2 CV (Fold_2 is
//                                 Fold_1 with train and test swapped, and so on).
//   fold_mapping::reference_runs  what learningtitans/melanoma-transfer runs: run_all.sh loops
//                                 i = 1..5, j = 1..2 and runs fold "ixj"; src/train_nn.py,
//                                 transform.py and blend.py train on Fold_i's list j and test on
//                                 its other list. Fold_6..Fold_10 are never used, and on the
//                                 reference's files 1x1 == 2x2, 1x2 == 2x1, 3x1 == 4x2, 3x2 == 4x1:
//                                 ten runs of six distinct splits from three partitions. Use it to
//                                 reproduce the published numbers run for run, not for 5x2cv tests
//                                 (metrics::five_by_two_design says why they refuse it).
// Requires (reference_runs): at least 5 folds (only the first 5 are used).
// Ensures: 10 folds named "1x1", "1x2", ..., "5x2" in the reference's order; run ixj's train is
// Fold_i's train (j = 1) or test (j = 2) and its test the other; a given validation split is kept.
// Throws: config_error naming the operation, the 5 folds expected and the count found.
// The non-template code is defined in impl/reference_runs.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <filesystem>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/reference_folds.hpp"

namespace dermtl::data {

enum class fold_mapping {
    folds,           // the file's folds as written (a 5x2 CV on the reference's files)
    reference_runs,  // the reference code's ten runs ixj (see above)
};

// The reference's run count: i = 1..5 folds, j = 1..2 directions.
inline constexpr std::size_t reference_run_folds = 5;

DERMTL_DECL fold_set reference_runs(const fold_set& file_folds);

DERMTL_DECL fold_set apply_fold_mapping(fold_set file_folds, fold_mapping mapping);

// read_fold_yaml, then the mapping; errors of either name the YAML file.
DERMTL_DECL fold_set read_fold_yaml(const std::filesystem::path& yml, const dataset& d, fold_mapping mapping);

DERMTL_DECL reference_protocol load_reference_protocol(const std::filesystem::path& labels_csv,
                                                       const std::filesystem::path& folds_yml,
                                                       const label_csv_options& opt, fold_mapping mapping);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/reference_runs.ipp"
#endif
