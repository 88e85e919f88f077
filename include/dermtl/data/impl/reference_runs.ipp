// Definitions of data/reference_runs.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/reference_runs.hpp"

#include <string>
#include <utility>

namespace dermtl::data {

DERMTL_DECL fold_set reference_runs(const fold_set& file_folds) {
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

DERMTL_DECL fold_set apply_fold_mapping(fold_set file_folds, fold_mapping mapping) {
    switch (mapping) {
        case fold_mapping::folds: return file_folds;
        case fold_mapping::reference_runs: return reference_runs(file_folds);
    }
    throw config_error("data::apply_fold_mapping: expected fold_mapping::folds or fold_mapping::reference_runs, found " +
                       std::to_string(static_cast<int>(mapping)));
}

// read_fold_yaml, then the mapping; errors of either name the YAML file.
DERMTL_DECL fold_set read_fold_yaml(const std::filesystem::path& yml, const dataset& d, fold_mapping mapping) {
    auto folds = read_fold_yaml(yml, d);
    try {
        return apply_fold_mapping(std::move(folds), mapping);
    } catch (const config_error& e) {
        throw config_error(yml.string() + ": " + e.what());
    }
}

DERMTL_DECL reference_protocol load_reference_protocol(const std::filesystem::path& labels_csv,
                                                       const std::filesystem::path& folds_yml,
                                                       const label_csv_options& opt, fold_mapping mapping) {
    reference_protocol p{read_label_csv(labels_csv, opt), {}};
    p.folds = read_fold_yaml(folds_yml, p.data, mapping);
    return p;
}

}  // namespace dermtl::data
