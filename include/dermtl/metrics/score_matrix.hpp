#pragma once
// Represents: the scores of n cases for K classes, one row per case, one column per class
// (higher = more likely that class). Binary scorings use a plain std::vector<double> instead.
//
// GCC 12 with AVX-512 warns -Wmaybe-uninitialized inside Eigen's intrinsics headers; the warning
// is Eigen's, so it is silenced around the include only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace dermtl::metrics {

using score_matrix = Eigen::MatrixXd;

}  // namespace dermtl::metrics
