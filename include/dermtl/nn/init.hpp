#pragma once
// Parameter initialization as in the paper (and Lasagne's defaults it used): weights orthogonal,
// biases constant 0.05, drawn from a seeded generator so a seed fixes every weight.
#include <cmath>
#include <cstddef>

#include "dermtl/backend/cpu/eigen.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::nn {

struct init_options {
    float gain = 1.0f;           // Lasagne's Orthogonal(gain=1.0)
    float bias = 0.05f;          // the paper's constant bias
};

// Fills w (dims[0] x rest, viewed as a matrix) with a random orthogonal matrix times gain: the
// rows are orthonormal when rows <= cols, the columns otherwise. Draws a Gaussian matrix and takes
// the Q of its QR decomposition with the signs fixed by R's diagonal (Haar-distributed, as the SVD
// construction in Lasagne, and much cheaper for VGG-M's 4096 x 18432 fc6).
inline void orthogonal(host_tensor& w, rng& gen, float gain = 1.0f) {
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
