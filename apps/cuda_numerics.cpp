// The CUDA backend's numeric options (--precision, --deterministic), process-wide. Host code over
// dermtl::cuda_compiled's kernels (nvcc's only header-only); keep fmt out of this translation unit.
#include "cells.hpp"

#include "dermtl/backend/cuda/ops.hpp"

namespace dermtl::apps {

void use_cuda_numerics(precision p, bool deterministic) {
    using ops = backend::ops<backend::cuda>;
    // The defaults need no device: leave it untouched (listing cells works without a GPU).
    if (p == precision::float32 && !deterministic) return;
    switch (p) {
        case precision::tf32: ops::use_precision<backend::precision::tf32>(); break;
        case precision::float32: ops::use_precision<backend::precision::float32>(); break;
        case precision::bf16:  // refused before (cells.cpp's backends_with) until ops<cuda> has bf16
            throw config_error("--precision bf16: the cuda backend does not compute in bf16 yet");
    }
    auto o = ops::options();
    o.deterministic = deterministic;
    ops::set_options(o);
}

}  // namespace dermtl::apps
