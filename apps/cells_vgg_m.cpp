// VGG-M's experiment cells: the Table 1 grid (every valid transfer x fine-tuning column, three
// designs) on the CPU backend, at full size and scaled.
#include "cells.hpp"

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/protocol/grid.hpp"

namespace dermtl::apps {

namespace {

template <class Family>
programs::model_cells table1_cells(std::string title) {
    using namespace protocol;
    return programs::make_model_cells<Family, backend::cpu>(
        grid<Family, backend::cpu, keep_all_valid>(paper_transfers, paper_finetunes, paper_labelings), std::move(title));
}

}  // namespace

const programs::model_cells& vgg_m_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<>>("VGG-M");
    return cells;
}

const programs::model_cells& vgg_m_scaled_cells() {
    static const auto cells = table1_cells<models::vgg_m_family<64, 8>>("VGG-M scaled (64 px, widths / 8)");
    return cells;
}

}  // namespace dermtl::apps
