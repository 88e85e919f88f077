#pragma once
// liblinear, wrapped: its training data view (sparse rows with the bias column appended) and an
// owning handle for the models it allocates. liblinear's progress printing is silenced here.
// The one svm header that includes liblinear's <linear.h>: its class holds liblinear's types.
// Not templates: defined in impl/liblinear_problem.ipp (core/config.hpp).
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <linear.h>

#include "dermtl/core/config.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::svm {

namespace detail {

// What liblinear printed during the current thread's last training (it prints progress and
// warnings, e.g. "reaching max number of iterations", through one global hook).
DERMTL_DECL std::string& liblinear_messages();

DERMTL_DECL void liblinear_capture(const char* text);

// Routes liblinear's printing into liblinear_messages() (never to stdout), once per process.
DERMTL_DECL void silence_liblinear();

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
    liblinear_problem(const feature_matrix& x, std::span<const std::size_t> rows, double bias);
    liblinear_problem(const liblinear_problem&) = delete;  // row_ptrs_ point into nodes_
    liblinear_problem& operator=(const liblinear_problem&) = delete;

    std::size_t size() const { return row_ptrs_.size(); }
    int n_features() const { return n_features_; }
    double bias() const { return bias_; }

    // liblinear's problem struct over these rows with targets y (one per row, +1 / -1).
    // The returned struct points into this object and into y: both must outlive its use.
    ::problem view(std::vector<double>& y);

private:
    int n_features_;
    double bias_;
    std::vector<::feature_node> nodes_;
    std::vector<::feature_node*> row_ptrs_;
};

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/liblinear_problem.ipp"
#endif
