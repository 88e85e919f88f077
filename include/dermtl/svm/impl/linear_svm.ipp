// Definitions of svm/linear_svm.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/linear_svm.hpp"

#include <cstddef>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include <linear.h>

#include "dermtl/svm/liblinear_problem.hpp"

namespace dermtl::svm {

namespace detail {

struct binary_weights {
    Eigen::VectorXd w;  // d feature weights
    double intercept = 0;
    bool primal_polished = false;  // the dual hit its iteration cap; the primal solver finished
};

// Trains one binary problem: positive[i] for row i of `problem`.
// Requires: both classes present. Ensures: decision value w.x + intercept > 0 means positive.
DERMTL_DECL binary_weights train_binary(liblinear_problem& problem, std::span<const int> positive, double c,
                                        const train_options& opt) {
    silence_liblinear();
    std::vector<double> y(positive.size());
    double n_pos = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = positive[i] ? 1.0 : -1.0;
        n_pos += positive[i] ? 1 : 0;
    }
    const double n = static_cast<double>(y.size()), n_neg = n - n_pos;
    if (n_pos == 0 || n_neg == 0)
        throw config_error("linear_svm::fit: expected both classes in the training labels, found only " +
                           std::string(n_pos == 0 ? "negatives" : "positives") + " (" + std::to_string(y.size()) +
                           " cases)");
    int weight_label[2] = {1, -1};
    double weight[2] = {opt.balanced ? n / (2 * n_pos) : 1.0, opt.balanced ? n / (2 * n_neg) : 1.0};
    ::parameter param{};
    param.solver_type = L2R_L2LOSS_SVC_DUAL;
    param.eps = opt.tolerance;
    param.C = c;
    param.nr_weight = 2;
    param.weight_label = weight_label;
    param.weight = weight;
    param.p = 0.1;
    param.init_sol = nullptr;
    ::problem prob = problem.view(y);
    if (const char* msg = ::check_parameter(&prob, &param))
        throw config_error(std::string("linear_svm::fit: liblinear rejected the parameters (C = ") +
                           std::to_string(c) + ", tolerance = " + std::to_string(opt.tolerance) + "): " + msg);
    // liblinear visits coordinates in an order drawn from rand(); seeding it the way a fresh
    // liblinear process starts makes every fit reproducible regardless of what ran before.
    std::srand(1);
    liblinear_messages().clear();
    liblinear_model_ptr m(::train(&prob, &param));
    if (!m) throw backend_error("linear_svm::fit: liblinear train() returned no model");
    bool polished = false;
    if (liblinear_messages().find("max number of iterations") != std::string::npos) {
        std::vector<double> start(m->w, m->w + prob.n);
        param.solver_type = L2R_L2LOSS_SVC;
        param.init_sol = start.data();
        if (const char* msg = ::check_parameter(&prob, &param))
            throw config_error(std::string("linear_svm::fit: liblinear rejected the primal solver: ") + msg);
        liblinear_messages().clear();
        m.reset(::train(&prob, &param));
        if (!m) throw backend_error("linear_svm::fit: liblinear train() (primal) returned no model");
        polished = true;
    }
    const int d = problem.n_features();
    // Two classes give one weight vector oriented towards label[0]; +1 is first with labels +-1,
    // but follow the model's own label order rather than rely on it.
    const double sign = m->label[0] == 1 ? 1.0 : -1.0;
    binary_weights out;
    out.w.resize(d);
    for (int j = 0; j < d; ++j) out.w[j] = sign * m->w[j];
    out.intercept = problem.bias() >= 0 ? sign * m->w[d] * problem.bias() : 0.0;
    out.primal_polished = polished;
    return out;
}

DERMTL_DECL void check_labels(std::string_view op, std::span<const int> labels, int n_classes) {
    const std::string o(op);
    if (n_classes < 2)
        throw config_error(o + ": expected at least 2 classes, found n_classes = " + std::to_string(n_classes));
    std::vector<std::size_t> counts(static_cast<std::size_t>(n_classes), 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= n_classes)
            throw config_error(o + ": expected labels in [0, " + std::to_string(n_classes) + "), found " +
                               std::to_string(labels[i]) + " at index " + std::to_string(i));
        ++counts[static_cast<std::size_t>(labels[i])];
    }
    for (int k = 0; k < n_classes; ++k)
        if (counts[static_cast<std::size_t>(k)] == 0)
            throw config_error(o + ": expected every one of the " + std::to_string(n_classes) +
                               " classes in the training labels, found no case of class " + std::to_string(k) +
                               (n_classes == 2 ? " (a single class)" : ""));
}

}  // namespace detail

DERMTL_DECL linear_svm linear_svm::fit(const feature_matrix& x, std::span<const int> labels, int n_classes, double c,
                                       const train_options& opt) {
    constexpr const char* op = "linear_svm::fit";
    detail::check_features(op, x, labels.size());
    detail::check_labels(op, labels, n_classes);
    std::vector<std::size_t> rows(labels.size());
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
    liblinear_problem problem(x, rows, opt.bias);
    return fit(problem, labels, n_classes, c, opt);
}

DERMTL_DECL linear_svm linear_svm::fit(liblinear_problem& problem, std::span<const int> labels, int n_classes, double c,
                                       const train_options& opt) {
    if (!(c > 0)) throw config_error("linear_svm::fit: expected C > 0, found " + std::to_string(c));
    if (labels.size() != problem.size())
        throw shape_error("linear_svm::fit: expected one label per problem row (" + std::to_string(problem.size()) +
                          " rows), found " + std::to_string(labels.size()) + " labels");
    detail::check_labels("linear_svm::fit", labels, n_classes);
    const int m = n_classes == 2 ? 1 : n_classes;
    linear_svm svm;
    svm.n_classes_ = n_classes;
    svm.c_ = c;
    svm.weights_.resize(problem.n_features(), m);
    svm.intercepts_.resize(m);
    std::vector<int> positive(labels.size());
    for (int k = 0; k < m; ++k) {
        const int target = n_classes == 2 ? 1 : k;
        for (std::size_t i = 0; i < labels.size(); ++i) positive[i] = labels[i] == target;
        auto bw = detail::train_binary(problem, positive, c, opt);
        svm.weights_.col(k) = bw.w;
        svm.intercepts_[k] = bw.intercept;
        svm.primal_polished_ += bw.primal_polished ? 1 : 0;
    }
    return svm;
}

DERMTL_DECL metrics::score_matrix linear_svm::decision_values(const feature_matrix& x) const {
    if (x.cols() != weights_.rows())
        throw shape_error("linear_svm::decision_values: expected " + std::to_string(weights_.rows()) +
                          " features per row (as in training), found " + std::to_string(x.cols()));
    detail::check_features("linear_svm::decision_values", x, static_cast<std::size_t>(x.rows()));
    metrics::score_matrix s = x.cast<double>() * weights_;
    s.rowwise() += intercepts_.transpose();
    return s;
}

DERMTL_DECL std::vector<double> linear_svm::binary_decision_values(const feature_matrix& x) const {
    if (n_classes_ != 2)
        throw config_error("linear_svm::binary_decision_values: expected a two-class model, found " +
                           std::to_string(n_classes_) + " classes; use decision_values");
    const auto s = decision_values(x);
    return std::vector<double>(s.data(), s.data() + s.rows());
}

}  // namespace dermtl::svm
