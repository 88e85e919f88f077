// Definitions of svm/feature_matrix.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/feature_matrix.hpp"

#include <cmath>
#include <string>

#include "dermtl/core/error.hpp"

namespace dermtl::svm {

DERMTL_DECL void l2_normalize_rows(feature_matrix& x) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        double ss = 0;
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
            const double v = x(i, j);
            if (!std::isfinite(v))
                throw numeric_error("l2_normalize_rows: expected finite features, found " + std::to_string(v) +
                                    " at row " + std::to_string(i) + ", column " + std::to_string(j));
            ss += v * v;
        }
        if (ss > 0) {
            const double inv = 1.0 / std::sqrt(ss);
            for (Eigen::Index j = 0; j < x.cols(); ++j) x(i, j) = static_cast<float>(x(i, j) * inv);
        }
    }
}

DERMTL_DECL feature_matrix l2_normalized_rows(feature_matrix x) {
    l2_normalize_rows(x);
    return x;
}

namespace detail {

DERMTL_DECL void check_features(std::string_view op, const feature_matrix& x, std::size_t n_labels) {
    const std::string o(op);
    if (x.rows() == 0 || x.cols() == 0)
        throw config_error(o + ": expected a non-empty feature matrix, found " + std::to_string(x.rows()) + " x " +
                           std::to_string(x.cols()) + " (an empty fold?)");
    if (static_cast<std::size_t>(x.rows()) != n_labels)
        throw shape_error(o + ": expected one feature row per label (" + std::to_string(n_labels) +
                          " labels), found " + std::to_string(x.rows()) + " rows");
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (Eigen::Index j = 0; j < x.cols(); ++j)
            if (!std::isfinite(x(i, j)))
                throw numeric_error(o + ": expected finite features, found " + std::to_string(x(i, j)) + " at row " +
                                    std::to_string(i) + ", column " + std::to_string(j));
}

}  // namespace detail
}  // namespace dermtl::svm
