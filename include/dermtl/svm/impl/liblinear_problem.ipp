// Definitions of svm/liblinear_problem.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/liblinear_problem.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace dermtl::svm {

namespace detail {

DERMTL_DECL std::string& liblinear_messages() {
    thread_local std::string messages;
    return messages;
}

DERMTL_DECL void liblinear_capture(const char* text) { liblinear_messages() += text; }

DERMTL_DECL void silence_liblinear() {
    static const bool silenced = (::set_print_string_function(&liblinear_capture), true);
    (void)silenced;
}

}  // namespace detail

DERMTL_DECL liblinear_problem::liblinear_problem(const feature_matrix& x, std::span<const std::size_t> rows,
                                                 double bias)
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

DERMTL_DECL ::problem liblinear_problem::view(std::vector<double>& y) {
    ::problem p{};
    p.l = static_cast<int>(row_ptrs_.size());
    p.n = n_features_ + (bias_ >= 0 ? 1 : 0);
    p.y = y.data();
    p.x = row_ptrs_.data();
    p.bias = bias_;
    return p;
}

}  // namespace dermtl::svm
