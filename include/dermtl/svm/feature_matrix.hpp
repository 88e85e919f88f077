#pragma once
// Feature matrices for the SVM stage: one row per image (e.g. the 4096 fc7 activations), float32,
// row-major, exactly as the network code hands them over. Also the row-wise L2 normalization the
// paper applies before the SVM, and the checks every SVM entry point runs on its input.
// Not templates: defined in impl/feature_matrix.ipp (core/config.hpp).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/metrics/score_matrix.hpp"  // Eigen, included with its GCC warning silenced

namespace dermtl::svm {

using feature_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Requires: finite features. Ensures: every non-zero row has unit Euclidean norm (computed in
// double); all-zero rows stay zero, as sklearn.preprocessing.normalize leaves them.
// Throws: numeric_error naming the row of a NaN/Inf value.
DERMTL_DECL void l2_normalize_rows(feature_matrix& x);

// The normalized copy (the input is left as it is).
DERMTL_DECL feature_matrix l2_normalized_rows(feature_matrix x);

namespace detail {

// Requires: a non-empty matrix with one row per label, every value finite.
DERMTL_DECL void check_features(std::string_view op, const feature_matrix& x, std::size_t n_labels);

}  // namespace detail
}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/feature_matrix.ipp"
#endif
