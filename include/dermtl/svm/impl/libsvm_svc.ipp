// Definitions of svm/libsvm_svc.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/libsvm_svc.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <libsvm/svm.h>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::svm {

namespace detail {

// libsvm draws its probability folds with the C library's rand(), a process-wide state: every
// srand(seed) + svm_train pair holds this lock so concurrent fits cannot interleave their draws.
// (Other code that calls rand() meanwhile, outside this lock, would still break repeatability.)
DERMTL_DECL std::mutex& c_rand_mutex() {
    static std::mutex m;
    return m;
}

DERMTL_DECL void libsvm_discard(const char*) {}

// libsvm prints its optimization progress to stdout unless told otherwise; once per process.
DERMTL_DECL void silence_libsvm() {
    static const bool silenced = (::svm_set_print_string_function(&libsvm_discard), true);
    (void)silenced;
}

// One row of x as libsvm's sparse nodes (1-based indices, zeros skipped, index -1 ends the row).
DERMTL_DECL void append_libsvm_row(const feature_matrix& x, Eigen::Index row, std::vector<::svm_node>& out) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const float v = x(row, j);
        if (v != 0.0f) out.push_back({static_cast<int>(j) + 1, static_cast<double>(v)});
    }
    out.push_back({-1, 0.0});
}

// The training data and the model libsvm built from it. libsvm's model points into the training
// nodes (its support vectors are not copied), so both live and die together here.
struct libsvm_trained {
    std::vector<::svm_node> nodes;
    std::vector<::svm_node*> rows;
    std::vector<double> y;
    std::array<int, 2> weight_label{0, 1};
    std::array<double, 2> weight{1.0, 1.0};
    ::svm_model* model = nullptr;
    int n_features = 0;
    int index_of_class1 = 0;  // model->label[index_of_class1] == 1
    double sign = 1;          // libsvm's decision value is positive for model->label[0]

    libsvm_trained() = default;
    libsvm_trained(const libsvm_trained&) = delete;
    libsvm_trained& operator=(const libsvm_trained&) = delete;
    ~libsvm_trained() {
        if (model) ::svm_free_and_destroy_model(&model);
    }
};

// srand() takes an unsigned int: fold the 64-bit seed, decorrelated per stream (one per OvR class).
DERMTL_DECL unsigned c_rand_seed(std::uint64_t seed, std::uint64_t stream) {
    rng g(seed ^ (0x9e3779b97f4a7c15ULL * (stream + 1)));
    return static_cast<unsigned>(g.next_u64() >> 32);
}

}  // namespace detail

DERMTL_DECL libsvm_svc libsvm_svc::fit(const feature_matrix& x, std::span<const int> labels, double c,
                                       std::uint64_t seed, const libsvm_options& options) {
    return fit_stream(x, labels, c, seed, 0, options, "libsvm_svc::fit");
}

DERMTL_DECL libsvm_svc libsvm_svc::fit_stream(const feature_matrix& x, std::span<const int> labels, double c,
                                              std::uint64_t seed, std::uint64_t stream, const libsvm_options& options,
                                              const std::string& op) {
    check_features(op, x, labels.size());
    if (!(c > 0)) throw config_error(op + ": expected C > 0, found " + std::to_string(c));
    if (!(options.tolerance > 0) || !(options.cache_mb > 0))
        throw config_error(op + ": expected a positive tolerance and cache size, found tolerance " +
                           std::to_string(options.tolerance) + ", cache " + std::to_string(options.cache_mb) + " MB");
    std::size_t n1 = 0, first0 = labels.size();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] != 0 && labels[i] != 1)
            throw config_error(op + ": expected binary labels 0/1, found " + std::to_string(labels[i]) +
                               " at index " + std::to_string(i));
        n1 += labels[i] == 1;
        if (labels[i] == 0 && first0 == labels.size()) first0 = i;
    }
    const std::size_t n = labels.size(), n0 = n - n1;
    if (n0 == 0 || n1 == 0)
        throw config_error(op + ": expected both classes in the training labels, found a single class (" +
                           std::to_string(n0) + " of class 0, " + std::to_string(n1) + " of class 1)");
    auto t = std::make_shared<detail::libsvm_trained>();
    t->n_features = static_cast<int>(x.cols());
    std::vector<std::size_t> order;
    order.reserve(n);
    order.push_back(first0);
    for (std::size_t i = 0; i < n; ++i)
        if (i != first0) order.push_back(i);
    std::vector<std::size_t> starts;
    starts.reserve(n);
    for (std::size_t i : order) {
        starts.push_back(t->nodes.size());
        detail::append_libsvm_row(x, static_cast<Eigen::Index>(i), t->nodes);
        t->y.push_back(labels[i]);
    }
    for (std::size_t s : starts) t->rows.push_back(t->nodes.data() + s);
    if (options.balanced)
        t->weight = {static_cast<double>(n) / (2.0 * static_cast<double>(n0)),
                     static_cast<double>(n) / (2.0 * static_cast<double>(n1))};
    ::svm_problem prob{};
    prob.l = static_cast<int>(n);
    prob.y = t->y.data();
    prob.x = t->rows.data();
    ::svm_parameter param{};
    param.svm_type = C_SVC;
    param.kernel_type = LINEAR;
    param.degree = 3;
    param.gamma = 1.0;  // unused by the linear kernel
    param.coef0 = 0;
    param.cache_size = options.cache_mb;
    param.eps = options.tolerance;
    param.C = c;
    param.nr_weight = 2;
    param.weight_label = t->weight_label.data();
    param.weight = t->weight.data();
    param.nu = 0.5;
    param.p = 0.1;
    param.shrinking = options.shrinking ? 1 : 0;
    param.probability = options.probability ? 1 : 0;
    if (const char* msg = ::svm_check_parameter(&prob, &param))
        throw config_error(op + ": libsvm rejected the parameters (C = " + std::to_string(c) + "): " + msg);
    detail::silence_libsvm();
    {
        std::lock_guard<std::mutex> lock(detail::c_rand_mutex());
        std::srand(detail::c_rand_seed(seed, stream));
        t->model = ::svm_train(&prob, &param);
    }
    if (!t->model) throw backend_error(op + ": libsvm svm_train returned no model");
    if (::svm_get_nr_class(t->model) != 2)
        throw backend_error(op + ": expected libsvm to see 2 classes, found " +
                            std::to_string(::svm_get_nr_class(t->model)));
    std::array<int, 2> model_labels{};
    ::svm_get_labels(t->model, model_labels.data());
    t->sign = model_labels[0] == 1 ? 1.0 : -1.0;
    t->index_of_class1 = model_labels[0] == 1 ? 0 : 1;
    libsvm_svc out;
    out.c_ = c;
    out.probability_ = options.probability && ::svm_check_probability_model(t->model) != 0;
    out.trained_ = std::move(t);
    return out;
}

DERMTL_DECL std::vector<double> libsvm_svc::decision_values(const feature_matrix& x) const {
    check_query("libsvm_svc::decision_values", x);
    std::vector<double> out(static_cast<std::size_t>(x.rows()));
    std::vector<::svm_node> row;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        row.clear();
        detail::append_libsvm_row(x, i, row);
        double dec = 0;
        ::svm_predict_values(trained_->model, row.data(), &dec);
        out[static_cast<std::size_t>(i)] = trained_->sign * dec;
    }
    return out;
}

DERMTL_DECL std::vector<double> libsvm_svc::probabilities(const feature_matrix& x) const {
    constexpr const char* op = "libsvm_svc::probabilities";
    if (!probability_)
        throw config_error(std::string(op) + ": expected a model fitted with probability = true, found one without");
    check_query(op, x);
    std::vector<double> out(static_cast<std::size_t>(x.rows()));
    std::vector<::svm_node> row;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        row.clear();
        detail::append_libsvm_row(x, i, row);
        std::array<double, 2> p{};
        ::svm_predict_probability(trained_->model, row.data(), p.data());
        out[static_cast<std::size_t>(i)] = p[static_cast<std::size_t>(trained_->index_of_class1)];
    }
    return out;
}

DERMTL_DECL std::vector<int> libsvm_svc::predict(const feature_matrix& x) const {
    check_query("libsvm_svc::predict", x);
    std::vector<int> out(static_cast<std::size_t>(x.rows()));
    std::vector<::svm_node> row;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        row.clear();
        detail::append_libsvm_row(x, i, row);
        out[static_cast<std::size_t>(i)] = static_cast<int>(::svm_predict(trained_->model, row.data()));
    }
    return out;
}

DERMTL_DECL int libsvm_svc::n_features() const { return trained_->n_features; }

DERMTL_DECL int libsvm_svc::n_support_vectors() const { return trained_->model->l; }

DERMTL_DECL void libsvm_svc::check_features(const std::string& op, const feature_matrix& x, std::size_t n_labels) {
    detail::check_features(op, x, n_labels);
}

DERMTL_DECL void libsvm_svc::check_query(const std::string& op, const feature_matrix& x) const {
    if (x.cols() != trained_->n_features)
        throw shape_error(op + ": expected " + std::to_string(trained_->n_features) +
                          " features per row (as in training), found " + std::to_string(x.cols()));
    if (x.rows() > 0) detail::check_features(op, x, static_cast<std::size_t>(x.rows()));
}

DERMTL_DECL libsvm_one_vs_rest libsvm_one_vs_rest::fit(const feature_matrix& x, std::span<const int> labels,
                                                       int n_classes, double c, std::uint64_t seed,
                                                       const libsvm_options& options) {
    const std::string op = "libsvm_one_vs_rest::fit";
    if (n_classes < 3)
        throw config_error(op + ": expected at least 3 classes, found " + std::to_string(n_classes) +
                           " (two classes: libsvm_svc::fit)");
    detail::check_features(op, x, labels.size());
    std::vector<std::size_t> counts(static_cast<std::size_t>(n_classes), 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= n_classes)
            throw config_error(op + ": expected labels in [0, " + std::to_string(n_classes) + "), found " +
                               std::to_string(labels[i]) + " at index " + std::to_string(i));
        ++counts[static_cast<std::size_t>(labels[i])];
    }
    for (int k = 0; k < n_classes; ++k)
        if (counts[static_cast<std::size_t>(k)] == 0)
            throw config_error(op + ": expected every one of the " + std::to_string(n_classes) +
                               " classes in the training labels, found no case of class " + std::to_string(k));
    libsvm_one_vs_rest out;
    std::vector<int> positive(labels.size());
    for (int k = 0; k < n_classes; ++k) {
        for (std::size_t i = 0; i < labels.size(); ++i) positive[i] = labels[i] == k;
        out.models_.push_back(libsvm_svc::fit_stream(x, positive, c, seed, static_cast<std::uint64_t>(k), options,
                                                     op + " (class " + std::to_string(k) + " vs rest)"));
    }
    return out;
}

DERMTL_DECL metrics::score_matrix libsvm_one_vs_rest::decision_values(const feature_matrix& x) const {
    return per_class(x, [](const libsvm_svc& m, const feature_matrix& q) { return m.decision_values(q); });
}

DERMTL_DECL metrics::score_matrix libsvm_one_vs_rest::class_probabilities(const feature_matrix& x) const {
    return per_class(x, [](const libsvm_svc& m, const feature_matrix& q) { return m.probabilities(q); });
}

DERMTL_DECL metrics::score_matrix libsvm_one_vs_rest::normalized_probabilities(const feature_matrix& x) const {
    auto p = class_probabilities(x);
    for (Eigen::Index i = 0; i < p.rows(); ++i) p.row(i) /= p.row(i).sum();  // each entry >= 1e-7
    return p;
}

DERMTL_DECL std::vector<int> libsvm_one_vs_rest::predict(const feature_matrix& x) const {
    const auto d = decision_values(x);
    std::vector<int> out(static_cast<std::size_t>(d.rows()));
    for (Eigen::Index i = 0; i < d.rows(); ++i) {
        int best = 0;
        for (Eigen::Index k = 1; k < d.cols(); ++k)
            if (d(i, k) >= d(i, best)) best = static_cast<int>(k);
        out[static_cast<std::size_t>(i)] = best;
    }
    return out;
}

DERMTL_DECL std::vector<int> libsvm_one_vs_rest::predict_first_positive(const feature_matrix& x) const {
    const auto d = decision_values(x);
    std::vector<int> out(static_cast<std::size_t>(d.rows()), 0);
    for (Eigen::Index i = 0; i < d.rows(); ++i)
        for (Eigen::Index k = 0; k < d.cols(); ++k)
            if (d(i, k) > 0) {
                out[static_cast<std::size_t>(i)] = static_cast<int>(k);
                break;
            }
    return out;
}

}  // namespace dermtl::svm
