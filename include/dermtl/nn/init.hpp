#pragma once
// Parameter initialization as in the paper (and Lasagne's defaults it used): weights orthogonal,
// biases constant 0.05, drawn from a seeded generator so a seed fixes every weight.
#include <cmath>
#include <cstddef>

#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::nn {

struct init_options {
    float gain = 1.0f;           // Lasagne's Orthogonal(gain=1.0)
    float bias = 0.05f;          // the paper's constant bias
};

// Fills w (dims[0] x rest, viewed as a matrix) with a random orthogonal matrix times gain: the
// rows are orthonormal when rows <= cols, the columns otherwise. Draws a Gaussian matrix and takes
// the Q of its QR decomposition with the signs fixed by R's diagonal (Haar-distributed, as the SVD
// construction in Lasagne, and much cheaper for VGG-M's 4096 x 18432 fc6).
DERMTL_DECL void orthogonal(host_tensor& w, rng& gen, float gain = 1.0f);

}  // namespace dermtl::nn

#if DERMTL_HEADER_ONLY
#include "dermtl/nn/impl/init.ipp"
#endif
