#pragma once
// The compiled experiment cells the `dermtl` tool and the table programs share. Each family is
// instantiated once, in its own translation unit (cells_vgg_m.cpp, cells_vgg_16.cpp), so the
// programs compile in parallel and none instantiates a network it does not use.
#include "dermtl/programs/model_cells.hpp"

namespace dermtl::apps {

// VGG-M at 224x224 and its scaled variant (64x64, widths / 8): every valid Table 1 cell.
const programs::model_cells& vgg_m_cells();
const programs::model_cells& vgg_m_scaled_cells();
// VGG-16 at 224x224 and scaled (32x32, widths / 8): ImageNet, frozen and fine-tuned, for the
// three designs and the ISIC label (Tables 2 and 3).
const programs::model_cells& vgg_16_cells();
const programs::model_cells& vgg_16_scaled_cells();

}  // namespace dermtl::apps
