#pragma once
// Eigen, included once for the CPU backend. GCC 12 with AVX-512 warns -Wmaybe-uninitialized inside
// avx512fintrin.h through Eigen; the warning is Eigen's, so it is silenced here and only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#include <Eigen/QR>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace dermtl::backend::cpu_detail {

using matrix_rm = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using map_rm = Eigen::Map<matrix_rm>;
using cmap_rm = Eigen::Map<const matrix_rm>;

}  // namespace dermtl::backend::cpu_detail
