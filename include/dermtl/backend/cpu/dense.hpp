#pragma once
// CPU fully connected layer: Y = X W^T + b with Eigen's OpenMP-parallel GEMM.
// x: N x (C*H*W) flattened in NCHW order; w: Out x In x 1 x 1; b: Out; y: N x Out x 1 x 1.
#include <cstddef>

#include "dermtl/backend/cpu/eigen.hpp"
#include "dermtl/backend/cpu/tensor.hpp"

namespace dermtl::backend::cpu_detail {

inline void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y) {
    const auto n = Eigen::Index(x.shape()[0]), in = Eigen::Index(w.shape()[1]), out = Eigen::Index(w.shape()[0]);
    ensure_shape(y, {std::size_t(n), std::size_t(out), 1, 1});
    map_rm ym(y.data(), n, out);
    ym.noalias() = cmap_rm(x.data(), n, in) * cmap_rm(w.data(), out, in).transpose();
    ym.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(b.data(), out);
}

// dw = dY^T X, db = column sums of dY (both overwritten); dx = dY W if wanted (shape of x).
inline void dense_backward(const tensor& x, const tensor& w, const tensor& dy, tensor& dw, tensor& db, tensor* dx) {
    const auto n = Eigen::Index(x.shape()[0]), in = Eigen::Index(w.shape()[1]), out = Eigen::Index(w.shape()[0]);
    const cmap_rm dym(dy.data(), n, out);
    map_rm(dw.data(), out, in).noalias() = dym.transpose() * cmap_rm(x.data(), n, in);
    Eigen::Map<Eigen::RowVectorXf>(db.data(), out) = dym.colwise().sum();
    if (dx) {
        ensure_shape(*dx, dims_of(x));
        map_rm(dx->data(), n, in).noalias() = dym * cmap_rm(w.data(), out, in);
    }
}

}  // namespace dermtl::backend::cpu_detail
