// VGG-16's experiment cells: transfer from ImageNet, frozen and fine-tuned, for the three designs
// and the ISIC label, on the CPU backend, at full size and scaled.
#include <boost/hana.hpp>

#include "cells.hpp"

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/protocol/grid.hpp"

namespace dermtl::apps {

namespace {

template <class Family>
programs::model_cells imagenet_cells(std::string title) {
    using namespace protocol;
    namespace hana = boost::hana;
    return programs::make_model_cells<Family, backend::cpu>(
        grid<Family, backend::cpu, keep_all_valid>(
            hana::tuple_t<transfer::from_imagenet>, paper_finetunes,
            hana::tuple_t<labeling::malignant_vs_benign, labeling::melanoma_vs_benign, labeling::melanoma_carcinoma_benign,
                          labeling::isic_binary>),
        std::move(title));
}

}  // namespace

const programs::model_cells& vgg_16_cells() {
    static const auto cells = imagenet_cells<models::vgg_16_family<>>("VGG-16");
    return cells;
}

const programs::model_cells& vgg_16_scaled_cells() {
    static const auto cells = imagenet_cells<models::vgg_16_family<32, 8>>("VGG-16 scaled (32 px, widths / 8)");
    return cells;
}

}  // namespace dermtl::apps
