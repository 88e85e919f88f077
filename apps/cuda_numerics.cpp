// The CUDA backend's process-wide numeric options (--precision tf32, --deterministic). bf16 is not
// process-wide: the cells' networks carry it (network::set_numerics, which checks the GPU). Host code
// over dermtl::cuda_compiled's kernels (nvcc's only header-only); keep fmt out of this translation unit.
#include "cells.hpp"

#include "dermtl/backend/cuda/ops.hpp"

namespace dermtl::apps {

void use_cuda_numerics(precision p, bool deterministic) {
    using ops = backend::ops<backend::cuda>;
    // The defaults need no device: leave it untouched (listing cells works without a GPU). So does
    // bf16, which the networks carry and check against the GPU when they take it.
    if (p != precision::tf32 && !deterministic) return;
    switch (p) {
        case precision::tf32: ops::use_precision<backend::precision::tf32>(); break;
        case precision::float32: ops::use_precision<backend::precision::float32>(); break;
        // Here only with --deterministic: the networks' layers compute in bf16 (cuda/numerics.hpp),
        // and TF32, which would touch float32 convolutions and products only, stays off.
        case precision::bf16: ops::use_precision<backend::precision::bf16>(); break;
    }
    auto o = ops::options();
    o.deterministic = deterministic;
    ops::set_options(o);
}

}  // namespace dermtl::apps
