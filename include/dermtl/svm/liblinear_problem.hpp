#pragma once
// liblinear, wrapped: its training data view (sparse rows with the bias column appended) and an
// owning handle for the models it allocates. liblinear's progress printing is silenced here.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <linear.h>

#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::svm {

namespace detail {

// What liblinear printed during the current thread's last training (it prints progress and
// warnings, e.g. "reaching max number of iterations", through one global hook).
inline std::string& liblinear_messages() {
    thread_local std::string messages;
    return messages;
}

inline void liblinear_capture(const char* text) { liblinear_messages() += text; }

// Routes liblinear's printing into liblinear_messages() (never to stdout), once per process.
inline void silence_liblinear() {
    static const bool silenced = (::set_print_string_function(&liblinear_capture), true);
    (void)silenced;
}

struct liblinear_model_deleter {
    void operator()(::model* m) const { ::free_and_destroy_model(&m); }
};

}  // namespace detail

// Owns a model returned by liblinear's train(); frees it with free_and_destroy_model.
using liblinear_model_ptr = std::unique_ptr<::model, detail::liblinear_model_deleter>;

// Represents: a subset of a feature matrix's rows in liblinear's format. Each row lists its
// non-zero features (1-based indices, values converted to double as sklearn does) and, when
// bias >= 0, a last feature of index d + 1 and value `bias`: liblinear then learns the intercept
// as an ordinary, regularized weight (sklearn's intercept_scaling, which is 1 by default).
// Requires: x outlives nothing here (values are copied); rows index into x.
class liblinear_problem {
public:
    liblinear_problem(const feature_matrix& x, std::span<const std::size_t> rows, double bias)
        : n_features_(static_cast<int>(x.cols())), bias_(bias) {
        std::size_t nnz = 0;
        for (std::size_t r : rows)
            for (Eigen::Index j = 0; j < x.cols(); ++j) nnz += x(static_cast<Eigen::Index>(r), j) != 0.0f;
        nodes_.reserve(nnz + rows.size() * 2);
        std::vector<std::size_t> starts;
        starts.reserve(rows.size());
        for (std::size_t r : rows) {
            starts.push_back(nodes_.size());
            for (Eigen::Index j = 0; j < x.cols(); ++j) {
                const float v = x(static_cast<Eigen::Index>(r), j);
                if (v != 0.0f) nodes_.push_back({static_cast<int>(j) + 1, static_cast<double>(v)});
            }
            if (bias_ >= 0) nodes_.push_back({n_features_ + 1, bias_});
            nodes_.push_back({-1, 0.0});
        }
        row_ptrs_.reserve(rows.size());
        for (std::size_t s : starts) row_ptrs_.push_back(nodes_.data() + s);
    }
    liblinear_problem(const liblinear_problem&) = delete;  // row_ptrs_ point into nodes_
    liblinear_problem& operator=(const liblinear_problem&) = delete;

    std::size_t size() const { return row_ptrs_.size(); }
    int n_features() const { return n_features_; }
    double bias() const { return bias_; }

    // liblinear's problem struct over these rows with targets y (one per row, +1 / -1).
    // The returned struct points into this object and into y: both must outlive its use.
    ::problem view(std::vector<double>& y) {
        ::problem p{};
        p.l = static_cast<int>(row_ptrs_.size());
        p.n = n_features_ + (bias_ >= 0 ? 1 : 0);
        p.y = y.data();
        p.x = row_ptrs_.data();
        p.bias = bias_;
        return p;
    }

private:
    int n_features_;
    double bias_;
    std::vector<::feature_node> nodes_;
    std::vector<::feature_node*> row_ptrs_;
};

}  // namespace dermtl::svm
