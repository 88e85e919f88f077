// Definitions of dermtl/nn/init.hpp (see core/config.hpp): inline in header-only use, compiled once into
// the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/nn/init.hpp"

#include <cmath>
#include <cstddef>
#include "dermtl/backend/cpu/eigen.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::nn {

DERMTL_DECL void orthogonal(host_tensor& w, rng& gen, float gain) {
    using namespace backend::cpu_detail;
    const auto rows = Eigen::Index(w.shape()[0]);
    const auto cols = Eigen::Index(w.size() / w.shape()[0]);
    const bool wide = rows <= cols;
    const Eigen::Index m = wide ? cols : rows, n = wide ? rows : cols;  // QR of an m x n, m >= n
    Eigen::MatrixXf a(m, n);
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < m; ++i) a(i, j) = float(gen.normal());
    Eigen::HouseholderQR<Eigen::MatrixXf> qr(a);
    Eigen::MatrixXf q = qr.householderQ() * Eigen::MatrixXf::Identity(m, n);
    const Eigen::MatrixXf r = qr.matrixQR().topRows(n);
    for (Eigen::Index j = 0; j < n; ++j)
        if (r(j, j) < 0) q.col(j) = -q.col(j);
    map_rm out(w.data(), rows, cols);
    if (wide)
        out = q.transpose() * gain;
    else
        out = q * gain;
}

}  // namespace dermtl::nn
