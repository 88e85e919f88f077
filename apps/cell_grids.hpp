#pragma once
// The grids the tool and the table programs compile, as templates of (family, backend): one
// definition, instantiated per backend in cells_vgg_m.cpp, cells_vgg_16.cpp (CPU) and
// cells_cuda_*.cu (CUDA, built by nvcc when the build has CUDA).
#include <string>

#include <boost/hana.hpp>

#include "dermtl/models/vgg.hpp"
#include "dermtl/programs/model_cells.hpp"
#include "dermtl/protocol/grid.hpp"

namespace dermtl::apps {

// Every valid Table 1 cell: 7 transfer x fine-tuning columns x 3 designs.
template <class Family, class Backend>
programs::model_cells table1_cells(std::string title) {
    using namespace protocol;
    return programs::make_model_cells<Family, Backend>(
        grid<Family, Backend, keep_all_valid>(paper_transfers, paper_finetunes, paper_labelings), std::move(title));
}

// Transfer from ImageNet, frozen and fine-tuned, for the three designs and the ISIC label
// (Tables 2 and 3).
template <class Family, class Backend>
programs::model_cells imagenet_cells(std::string title) {
    using namespace protocol;
    namespace hana = boost::hana;
    return programs::make_model_cells<Family, Backend>(
        grid<Family, Backend, keep_all_valid>(
            hana::tuple_t<transfer::from_imagenet>, paper_finetunes,
            hana::tuple_t<labeling::malignant_vs_benign, labeling::melanoma_vs_benign, labeling::melanoma_carcinoma_benign,
                          labeling::isic_binary>),
        std::move(title));
}

inline constexpr const char* vgg_m_title = "VGG-M";
inline constexpr const char* vgg_m_scaled_title = "VGG-M scaled (64 px, widths / 8)";
inline constexpr const char* vgg_16_title = "VGG-16";
inline constexpr const char* vgg_16_scaled_title = "VGG-16 scaled (32 px, widths / 8)";

}  // namespace dermtl::apps
