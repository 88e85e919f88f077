// VGG-16's experiment cells on the oneDNN backend, at full size and scaled: ImageNet transfer,
// frozen and fine-tuned, three designs and the ISIC label.
#include "cell_grids.hpp"
#include "cells.hpp"

#include "dermtl/backend/onednn/ops.hpp"

namespace dermtl::apps {

const programs::model_cells& vgg_16_onednn_cells() {
    static const auto cells = imagenet_cells<models::vgg_16_family<>, backend::onednn>();
    return cells;
}

const programs::model_cells& vgg_16_scaled_onednn_cells() {
    static const auto cells = imagenet_cells<models::vgg_16_family<32, 8>, backend::onednn>();
    return cells;
}

}  // namespace dermtl::apps
