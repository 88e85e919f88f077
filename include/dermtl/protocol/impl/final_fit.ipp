// Definitions of protocol/final_fit.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/final_fit.hpp"

#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/data/batch.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/svm/c_selection.hpp"
#include "dermtl/svm/linear_svm.hpp"
#include "dermtl/svm/stratified_split.hpp"

namespace dermtl::protocol {

namespace runner_detail {
// runner.ipp's, shared with the study's folds.
DERMTL_DECL std::size_t fine_tune_fold(const cell_traits& traits, cell_network& network, const data::dataset& d,
                                       const data::fold& fold, const io::mean_image& mean, const experiment_inputs& in,
                                       const fingerprint& made_by);
DERMTL_DECL io::mean_image fold_mean(const cell_traits& traits, const std::optional<io::mean_image>& fixed,
                                     const io::mean_image& pretrained, const data::dataset& d, const data::fold& fold,
                                     const experiment_inputs& in);
DERMTL_DECL cell_traits with_numerics(const cell_traits& types, const experiment_inputs& in);
}  // namespace runner_detail

DERMTL_DECL data::fold_set everything_fold(const data::dataset& d) {
    data::fold f;
    f.name = final_fold_name;
    f.train.resize(d.size());
    std::iota(f.train.begin(), f.train.end(), std::size_t{0});
    return {f};
}

DERMTL_DECL std::vector<double> class_probabilities(const std::vector<double>& decision,
                                                    const std::vector<svm::platt_scaling>& platt) {
    if (decision.size() != platt.size() || decision.empty())
        throw shape_error("class_probabilities: expected one Platt sigmoid per decision value, found " +
                          std::to_string(platt.size()) + " for " + std::to_string(decision.size()));
    if (decision.size() == 1) {
        const double p = platt[0].probability(decision[0]);
        return {1 - p, p};
    }
    std::vector<double> p(decision.size());
    double sum = 0;
    for (std::size_t k = 0; k < p.size(); ++k) sum += p[k] = platt[k].probability(decision[k]);
    for (double& v : p) v = sum > 0 ? v / sum : 1.0 / double(p.size());
    return p;
}

DERMTL_DECL final_fit train_final_cell(const cell_traits& traits, const experiment_inputs& in, const labelled_task& task,
                                       cell_network& network, final_fit_fn fit, describe_transfer_fn describe) {
    // The model's cell id names its numerics, as a study's results do (bf16, TF32: /precision=...).
    const std::string name = runner_detail::with_numerics(traits, in).id.str();
    if (task.folds.size() != 1 || !task.folds[0].test.empty())
        throw config_error("final model of " + name + ": expected one fold with every sample in training (everything_fold)");
    const data::fold& fold = task.folds[0];
    const data::dataset& d = task.dataset;
    final_fit out;
    out.cell = name;
    out.class_names = d.class_names;
    out.samples = fold.train.size();
    try {
        std::optional<io::mean_image> fixed;
        if (traits.means == mean_source::fixed_per_experiment)
            fixed = fixed_mean(traits.fixed_mean, d, *in.cache, in.quirks);
        content_hashes hashes(in.work_dir / "content-hashes.json");
        fingerprint made_by = cell_fingerprint(traits, in, task, hashes, describe);
        hashes.save();
        made_by.set("fold", nlohmann::json{{"name", fold.name}, {"ids", folds_hash(d, task.folds)}});
        out.fingerprint = made_by.hex();

        const io::mean_image& pretrained = network.begin_fold(in);
        out.mean = runner_detail::fold_mean(traits, fixed, pretrained, d, fold, in);
        if (traits.trains_network) out.best_epoch = runner_detail::fine_tune_fold(traits, network, d, fold, out.mean, in, made_by);
        const svm::feature_matrix x = network.features(d, fold.train, out.mean, in);
        std::vector<int> y;
        for (auto i : fold.train) y.push_back(d[i].label);
        const int k = int(traits.classes);
        out.classifier = fit(x, y, k, in.seed);
        if (k == 2) {
            // The study's own calibration: fitted on C selection's validation values.
            out.platt = {*out.classifier.calibration};
            for (double v : out.classifier.selection.validation_decision) out.validation_decision.push_back({v});
            out.validation_labels = out.classifier.selection.validation_labels;
        } else {
            // One sigmoid per class, one-vs-rest, on the values of C selection's (first) validation
            // split, from a model fitted with the chosen C on the rest.
            const auto split = svm::repeated_stratified_holdouts(y, k, svm::c_selection::single_split::validation_fraction,
                                                                 1, in.seed)[0];
            const auto held_out = svm::linear_svm::fit(svm::detail::select_rows(x, split.train),
                                                       svm::detail::select_labels(y, split.train), k,
                                                       out.classifier.chosen_c());
            const auto dv = held_out.decision_values(svm::detail::select_rows(x, split.validation));
            out.validation_labels = svm::detail::select_labels(y, split.validation);
            for (Eigen::Index i = 0; i < dv.rows(); ++i) {
                std::vector<double> row(std::size_t(dv.cols()));
                for (Eigen::Index c = 0; c < dv.cols(); ++c) row[std::size_t(c)] = dv(i, c);
                out.validation_decision.push_back(std::move(row));
            }
            for (int c = 0; c < k; ++c) {
                std::vector<double> v;
                std::vector<int> is_c;
                for (std::size_t i = 0; i < out.validation_labels.size(); ++i) {
                    v.push_back(out.validation_decision[i][std::size_t(c)]);
                    is_c.push_back(out.validation_labels[i] == c ? 1 : 0);
                }
                out.platt.push_back(svm::fit_platt(v, is_c));
            }
        }
        out.tensors = network.tensors();
    } catch (const error& e) {
        rethrow_with_context(e, "final model of " + name + ": ");
    }
    return out;
}

}  // namespace dermtl::protocol
