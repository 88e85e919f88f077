// The same grids on the CUDA backend: only the template argument differs from the CPU cells
// (cells_vgg_m.cpp).
// Compiled by nvcc (C++20) when the build has CUDA; keep fmt out of this translation unit.
#include "cell_grids.hpp"
#include "cells.hpp"

#include "dermtl/backend/cuda/ops.hpp"

namespace dermtl::apps {

const programs::model_cells& vgg_m_cuda_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<>, backend::cuda>();
    return cells;
}

const programs::model_cells& vgg_m_scaled_cuda_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<64, 8>, backend::cuda>();
    return cells;
}

void use_cuda_numerics(precision p, bool deterministic) {
    using ops = backend::ops<backend::cuda>;
    // The defaults need no device: leave it untouched (listing cells works without a GPU).
    if (p == precision::float32 && !deterministic) return;
    switch (p) {
        case precision::tf32: ops::use_precision<backend::precision::tf32>(); break;
        case precision::float32: ops::use_precision<backend::precision::float32>(); break;
    }
    auto o = ops::options();
    o.deterministic = deterministic;
    ops::set_options(o);
}


}  // namespace dermtl::apps
