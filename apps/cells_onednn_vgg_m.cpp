// VGG-M's experiment cells on the oneDNN backend, at full size and scaled: the Table 1 grid
// (built when oneDNN is found; the default backend of the tool and the table programs then).
#include "cell_grids.hpp"
#include "cells.hpp"

#include "dermtl/backend/onednn/ops.hpp"

namespace dermtl::apps {

const programs::model_cells& vgg_m_onednn_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<>, backend::onednn>();
    return cells;
}

const programs::model_cells& vgg_m_scaled_onednn_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<64, 8>, backend::onednn>();
    return cells;
}

}  // namespace dermtl::apps
