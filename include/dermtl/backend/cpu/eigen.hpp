#pragma once
// Eigen, included once for the CPU backend (after the intrinsics, see core/intrinsics.hpp).
#include "dermtl/core/intrinsics.hpp"

#include <Eigen/Core>
#include <Eigen/QR>

namespace dermtl::backend::cpu_detail {

using matrix_rm = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using map_rm = Eigen::Map<matrix_rm>;
using cmap_rm = Eigen::Map<const matrix_rm>;

}  // namespace dermtl::backend::cpu_detail
