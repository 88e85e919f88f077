// The same grids on the CUDA backend: only the template argument differs from the CPU cells
// (cells_vgg_16.cpp).
// Compiled by nvcc (C++20) when the build has CUDA; keep fmt out of this translation unit.
#include "cell_grids.hpp"
#include "cells.hpp"

#include "dermtl/backend/cuda/ops.hpp"

namespace dermtl::apps {

const programs::model_cells& vgg_16_cuda_cells() {
    static const auto cells = imagenet_cells<models::vgg_16_family<>, backend::cuda>();
    return cells;
}

const programs::model_cells& vgg_16_scaled_cuda_cells() {
    static const auto cells = imagenet_cells<models::vgg_16_family<32, 8>, backend::cuda>();
    return cells;
}

}  // namespace dermtl::apps
