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
#include <cstddef>
#include <filesystem>
#include <string>

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

inline fold_set reference_runs(const fold_set& file_folds) {
    if (file_folds.size() < reference_run_folds)
        throw config_error("data::reference_runs: expected at least " + std::to_string(reference_run_folds) +
                           " folds (the reference code runs Fold_1..Fold_5 in both directions, 1x1 .. 5x2), found " +
                           std::to_string(file_folds.size()));
    fold_set runs;
    for (std::size_t i = 0; i < reference_run_folds; ++i)
        for (int j = 1; j <= 2; ++j) {
            const fold& f = file_folds[i];
            fold r;
            r.name = std::to_string(i + 1) + "x" + std::to_string(j);
            r.train = j == 1 ? f.train : f.test;  // train_list = folds['Fold_i'][j - 1]
            r.test = j == 1 ? f.test : f.train;   // test_list = the other list
            r.validation = f.validation;
            runs.push_back(std::move(r));
        }
    return runs;
}

inline fold_set apply_fold_mapping(fold_set file_folds, fold_mapping mapping) {
    switch (mapping) {
        case fold_mapping::folds: return file_folds;
        case fold_mapping::reference_runs: return reference_runs(file_folds);
    }
    throw config_error("data::apply_fold_mapping: expected fold_mapping::folds or fold_mapping::reference_runs, found " +
                       std::to_string(static_cast<int>(mapping)));
}

// read_fold_yaml, then the mapping; errors of either name the YAML file.
inline fold_set read_fold_yaml(const std::filesystem::path& yml, const dataset& d, fold_mapping mapping) {
    auto folds = read_fold_yaml(yml, d);
    try {
        return apply_fold_mapping(std::move(folds), mapping);
    } catch (const config_error& e) {
        throw config_error(yml.string() + ": " + e.what());
    }
}

inline reference_protocol load_reference_protocol(const std::filesystem::path& labels_csv, const std::filesystem::path& folds_yml,
                                                  const label_csv_options& opt, fold_mapping mapping) {
    reference_protocol p{read_label_csv(labels_csv, opt), {}};
    p.folds = read_fold_yaml(folds_yml, p.data, mapping);
    return p;
}

}  // namespace dermtl::data
