// VGG-M's experiment cells on the CPU backend, at full size and scaled: the Table 1 grid.
#include "cell_grids.hpp"
#include "cells.hpp"

#include "dermtl/backend/cpu/ops.hpp"

namespace dermtl::apps {

const programs::model_cells& vgg_m_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<>, backend::cpu>();
    return cells;
}

const programs::model_cells& vgg_m_scaled_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<64, 8>, backend::cpu>();
    return cells;
}

}  // namespace dermtl::apps
