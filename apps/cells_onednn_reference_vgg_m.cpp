// VGG-M's experiment cells under the reference code's protocol (`--protocol reference`) on the oneDNN
// backend: the Table 1 grid of the 2x2-pool2 variant with libsvm's SVC, at full size and scaled.
#include "cell_grids.hpp"
#include "cells.hpp"

#include "dermtl/backend/onednn/ops.hpp"

namespace dermtl::apps {

const programs::model_cells& vgg_m_reference_onednn_cells() {
    static const auto cells =
        reference_table1_cells<models::vgg_m_family<224, 1, models::vgg_m_pool2::reference>, backend::onednn>();
    return cells;
}

const programs::model_cells& vgg_m_scaled_reference_onednn_cells() {
    static const auto cells = reference_table1_cells<models::vgg_m_family<64, 8, models::vgg_m_pool2::reference>, backend::onednn>();
    return cells;
}

}  // namespace dermtl::apps
