// train_final_model: one cell's protocol on all of the data, written as a model folder.
#include "programs/final_model.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/metrics/operating_points.hpp"

namespace dermtl::programs {

io::model_referral referral_thresholds(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                       const referral_targets& targets) {
    io::model_referral r;
    r.low = metrics::operating_point_at_sensitivity(labels, probabilities, targets.refer_sensitivity).threshold;
    r.high = metrics::operating_point_at_specificity(labels, probabilities, targets.confident_specificity).threshold;
    r.high = std::max(r.high, r.low);
    r.positive = 1;
    char rule[200];
    std::snprintf(rule, sizeof rule,
                  "on %zu held-out cases (C selection's validation split): below low, sensitivity %g is kept; above "
                  "high, specificity %g",
                  labels.size(), targets.refer_sensitivity, targets.confident_specificity);
    r.rule = rule;
    return r;
}

io::final_model final_model_of(const protocol::final_fit& fit, const model_cells& m, const referral_targets& targets) {
    io::final_model out;
    out.cell = fit.cell;  // with the run's numerics: a bf16 model is not taken for a float32 one
    out.fingerprint = fit.fingerprint;
    out.version = std::string(version);
    out.network = m.model;
    out.classes = fit.class_names;
    out.input_size = m.input_size;
    const cv::Mat& mean = fit.mean.mat();
    out.preprocessing.preset = "dermtl";
    out.preprocessing.per_pixel = !fit.mean.is_per_channel();
    const cv::Scalar channel = cv::mean(mean);
    out.preprocessing.mean_per_channel = {float(channel[0]), float(channel[1]), float(channel[2])};
    out.preprocessing.scale = 1.0;
    const auto& model = fit.classifier.model;
    out.svm.c = fit.classifier.chosen_c();
    for (Eigen::Index j = 0; j < model.weights().cols(); ++j) {
        std::vector<double> row(std::size_t(model.weights().rows()));
        for (Eigen::Index i = 0; i < model.weights().rows(); ++i) row[std::size_t(i)] = model.weights()(i, j);
        out.svm.weights.push_back(std::move(row));
        out.svm.bias.push_back(model.intercepts()(j));
    }
    for (const auto& p : fit.platt) out.platt.push_back({p.a, p.b});
    if (fit.class_names.size() == 2) {
        std::vector<double> probabilities;
        for (const auto& v : fit.validation_decision) probabilities.push_back(fit.platt[0].probability(v[0]));
        out.referral = referral_thresholds(probabilities, fit.validation_labels, targets);
    }
    return out;
}

std::vector<io::safetensors_tensor> model_tensors_of(protocol::final_fit& fit) {
    std::vector<io::safetensors_tensor> tensors = std::move(fit.tensors);
    const cv::Mat& mean = fit.mean.mat();
    io::safetensors_tensor t;
    t.name = io::model_mean_tensor;
    t.shape = {3, std::size_t(mean.rows), std::size_t(mean.cols)};
    t.values.resize(3 * std::size_t(mean.rows) * std::size_t(mean.cols));
    for (int y = 0; y < mean.rows; ++y)
        for (int x = 0; x < mean.cols; ++x)
            for (int c = 0; c < 3; ++c)
                t.values[(std::size_t(c) * std::size_t(mean.rows) + std::size_t(y)) * std::size_t(mean.cols) + std::size_t(x)] =
                    mean.at<cv::Vec3f>(y, x)[c];
    tensors.push_back(std::move(t));
    return tensors;
}

final_model_summary train_final_model(study& st, const model_cells& m, const protocol::registry_entry& cell,
                                      const data_paths& p, const run_settings& s, const referral_targets& targets,
                                      const std::filesystem::path& out, std::ostream& log) {
    if (s.quirks.any())
        throw config_error("train-final: --reference-quirk reproduces the reference code's numbers; a model folder "
                           "records no quirk, so a final model is trained without them");
    if (!cell.train_final) throw config_error("train-final: the cell " + cell.id.str() + " has no final-model entry");
    auto cache = make_cache(m, s);
    attach_imagenet_weights(st, m, p, s, cache);
    const protocol::experiment_inputs in = inputs_for(st, m, s, cache);
    const auto start = std::chrono::steady_clock::now();
    log << "final model of " << cell.id.str() << " on " << st.target.size() << " images of " << st.target.name
        << std::endl;
    protocol::final_fit fit = cell.train_final(in);
    final_model_summary summary;
    summary.samples = fit.samples;
    summary.best_epoch = fit.best_epoch;
    summary.model = final_model_of(fit, m, targets);
    io::write_model_folder(out, summary.model, model_tensors_of(fit));
    summary.model = io::read_model_folder(out);  // what a reader sees: the hash recorded
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[200];
    std::snprintf(line, sizeof line, "      %zu images, best epoch %zu, C = %g, %.0f s", fit.samples, fit.best_epoch,
                  summary.model.svm.c, seconds);
    log << line << std::endl;
    return summary;
}

}  // namespace dermtl::programs
