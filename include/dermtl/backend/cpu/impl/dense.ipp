// Definitions of dermtl/backend/cpu/dense.hpp (see core/config.hpp): inline in header-only use,
// compiled once into the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/cpu/dense.hpp"

#include <cstddef>
#include "dermtl/backend/cpu/eigen.hpp"
#include "dermtl/backend/cpu/tensor.hpp"

namespace dermtl::backend::cpu_detail {

DERMTL_DECL void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y) {
    const auto n = Eigen::Index(x.shape()[0]), in = Eigen::Index(w.shape()[1]), out = Eigen::Index(w.shape()[0]);
    ensure_shape(y, {std::size_t(n), std::size_t(out), 1, 1});
    map_rm ym(y.data(), n, out);
    ym.noalias() = cmap_rm(x.data(), n, in) * cmap_rm(w.data(), out, in).transpose();
    ym.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(b.data(), out);
}

DERMTL_DECL void dense_backward(const tensor& x, const tensor& w, const tensor& dy, tensor& dw, tensor& db, tensor* dx) {
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
