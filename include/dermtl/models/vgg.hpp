#pragma once
// The paper's networks, as aliases of net<...> (no code here).
//
// VGG-M (Chatfield et al. 2014, "Return of the Devil in the Details") and VGG-16 (Simonyan &
// Zisserman 2015), with MatConvNet's layer names so pretrained .mat weights match by name, plus
// dropout after relu6 and relu7 as in their training. `Classes` sets fc8's width (1000 for
// ImageNet, 2/3 for the lesion designs, 5 for Retinopathy).
//
// Scaled variants keep the layer structure and shrink the input side (Size) and every width
// (divided by Div), so they train in seconds on a laptop CPU -- for tests and the demo.
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"

namespace dermtl::models {

using namespace dermtl::nn;

// VGG-M's pool2 variants (a model variant is a type: the pool window is a compile-time property).
//   layer        -- the pool2 layer
//   name_suffix  -- appended to the family's registry name ("" for MatConvNet's)
//   title_suffix -- appended to its title
namespace vgg_m_pool2 {
// MatConvNet's imagenet-vgg-m: 3x3, stride 2 (Chatfield et al.).
struct matconvnet {
    using layer = max_pool<3, 2>;
    static constexpr std::string_view name_suffix = "";
    static constexpr std::string_view title_suffix = "";
};
// The reference code's (src/configs/vgg_224.py, pool_params(pool_size=2)): 2x2, stride 2. At 224
// and at the scaled 64 px both give pool2 the same output size, so the same weights load.
struct reference {
    using layer = max_pool<2, 2>;
    static constexpr std::string_view name_suffix = "_pool2x2";
    static constexpr std::string_view title_suffix = " (2x2 pool2, the reference code's)";
};
}  // namespace vgg_m_pool2

// VGG-M at input Size x Size with widths divided by Div. At 224: conv1 109, pool1 54, conv2 26,
// pool2 13, conv3-5 13, pool5 6 -> fc6 takes 6x6x512 (MatConvNet's 6x6x512x4096).
template <std::size_t Classes, std::size_t Size = 224, std::size_t Div = 1, class Pool2 = vgg_m_pool2::matconvnet>
using vgg_m_t = net<input<3, Size, Size>,
                    named<"conv1", conv2d<96 / Div, 7, 2>>, named<"relu1", relu>, named<"norm1", lrn<5>>,
                    named<"pool1", max_pool<3, 2>>,
                    named<"conv2", conv2d<256 / Div, 5, 2, 1>>, named<"relu2", relu>, named<"norm2", lrn<5>>,
                    named<"pool2", typename Pool2::layer>,
                    named<"conv3", conv2d<512 / Div, 3, 1, 1>>, named<"relu3", relu>,
                    named<"conv4", conv2d<512 / Div, 3, 1, 1>>, named<"relu4", relu>,
                    named<"conv5", conv2d<512 / Div, 3, 1, 1>>, named<"relu5", relu>,
                    named<"pool5", max_pool<3, 2>>,
                    named<"fc6", dense<4096 / Div>>, named<"relu6", relu>, named<"drop6", dropout<50>>,
                    named<"fc7", dense<4096 / Div>>, named<"relu7", relu>, named<"drop7", dropout<50>>,
                    named<"fc8", dense<Classes>>>;

// VGG-16 (configuration D) at input Size x Size with widths divided by Div. At 224 the five 2x2
// pools give 112, 56, 28, 14, 7 -> fc6 takes 7x7x512.
template <std::size_t Classes, std::size_t Size = 224, std::size_t Div = 1>
using vgg_16_t = net<input<3, Size, Size>,
                     named<"conv1_1", conv2d<64 / Div, 3, 1, 1>>, named<"relu1_1", relu>,
                     named<"conv1_2", conv2d<64 / Div, 3, 1, 1>>, named<"relu1_2", relu>,
                     named<"pool1", max_pool<2, 2>>,
                     named<"conv2_1", conv2d<128 / Div, 3, 1, 1>>, named<"relu2_1", relu>,
                     named<"conv2_2", conv2d<128 / Div, 3, 1, 1>>, named<"relu2_2", relu>,
                     named<"pool2", max_pool<2, 2>>,
                     named<"conv3_1", conv2d<256 / Div, 3, 1, 1>>, named<"relu3_1", relu>,
                     named<"conv3_2", conv2d<256 / Div, 3, 1, 1>>, named<"relu3_2", relu>,
                     named<"conv3_3", conv2d<256 / Div, 3, 1, 1>>, named<"relu3_3", relu>,
                     named<"pool3", max_pool<2, 2>>,
                     named<"conv4_1", conv2d<512 / Div, 3, 1, 1>>, named<"relu4_1", relu>,
                     named<"conv4_2", conv2d<512 / Div, 3, 1, 1>>, named<"relu4_2", relu>,
                     named<"conv4_3", conv2d<512 / Div, 3, 1, 1>>, named<"relu4_3", relu>,
                     named<"pool4", max_pool<2, 2>>,
                     named<"conv5_1", conv2d<512 / Div, 3, 1, 1>>, named<"relu5_1", relu>,
                     named<"conv5_2", conv2d<512 / Div, 3, 1, 1>>, named<"relu5_2", relu>,
                     named<"conv5_3", conv2d<512 / Div, 3, 1, 1>>, named<"relu5_3", relu>,
                     named<"pool5", max_pool<2, 2>>,
                     named<"fc6", dense<4096 / Div>>, named<"relu6", relu>, named<"drop6", dropout<50>>,
                     named<"fc7", dense<4096 / Div>>, named<"relu7", relu>, named<"drop7", dropout<50>>,
                     named<"fc8", dense<Classes>>>;

template <std::size_t Classes = 1000>
using vgg_m = vgg_m_t<Classes>;
template <std::size_t Classes = 1000>
using vgg_16 = vgg_16_t<Classes>;

// Scaled variants for tests and the demo: VGG-M at 64x64 with 1/8 widths (12-32-64 channels,
// 512-unit fc layers) trains in seconds on 2 cores; VGG-16 at 32x32 with 1/8 widths likewise.
template <std::size_t Classes, std::size_t Size = 64, std::size_t Div = 8>
using vgg_m_scaled = vgg_m_t<Classes, Size, Div>;
template <std::size_t Classes, std::size_t Size = 32, std::size_t Div = 8>
using vgg_16_scaled = vgg_16_t<Classes, Size, Div>;

// The paper's two architectures (Table 3's rows).
enum class architecture { vgg_m, vgg_16 };

// Model families: a network architecture with the number of classes left open, so an experiment
// can build the ImageNet (1000), Retinopathy (5) and lesion (2 or 3) heads of one architecture.
//   name       -- registry name ("vgg_m", "vgg_m_64_8" for scaled variants)
//   net<K>     -- the net<...> with a K-class head
//   title()    -- the tables' row name ("VGG-M")
//   architecture -- which of the paper's architectures it is (selects the ImageNet weights option)
//   matconvnet -- the pretrained file a user gives for transfer from ImageNet
template <std::size_t Size = 224, std::size_t Div = 1, class Pool2 = vgg_m_pool2::matconvnet>
struct vgg_m_family {
    template <std::size_t Classes>
    using net = vgg_m_t<Classes, Size, Div, Pool2>;
    // "vgg_m", "vgg_m_64_8"; the reference's pool2 adds "_pool2x2".
    static std::string name() {
        return (Size == 224 && Div == 1 ? "vgg_m" : "vgg_m_" + std::to_string(Size) + "_" + std::to_string(Div)) +
               std::string(Pool2::name_suffix);
    }
    // The table's row name: "VGG-M", or "VGG-M scaled (64 px, widths / 8)" (plus the pool2 variant's).
    static std::string title() {
        return (Size == 224 && Div == 1 ? "VGG-M"
                                        : "VGG-M scaled (" + std::to_string(Size) + " px, widths / " + std::to_string(Div) + ")") +
               std::string(Pool2::title_suffix);
    }
    static constexpr models::architecture architecture = models::architecture::vgg_m;
    static constexpr std::string_view matconvnet = "imagenet-vgg-m.mat";
    // The family the pretrained file describes: MatConvNet's VGG-M. The 2x2-pool2 variant loads
    // its weights by layer name (pools have none), so both share one file.
    using pretrained_family = vgg_m_family<Size, Div, vgg_m_pool2::matconvnet>;
};

template <std::size_t Size = 224, std::size_t Div = 1>
struct vgg_16_family {
    template <std::size_t Classes>
    using net = vgg_16_t<Classes, Size, Div>;
    static std::string name() {
        return Size == 224 && Div == 1 ? "vgg_16" : "vgg_16_" + std::to_string(Size) + "_" + std::to_string(Div);
    }
    // The table's row name: "VGG-16", or "VGG-16 scaled (64 px, widths / 8)".
    static std::string title() {
        return Size == 224 && Div == 1 ? "VGG-16"
                                       : "VGG-16 scaled (" + std::to_string(Size) + " px, widths / " + std::to_string(Div) + ")";
    }
    static constexpr models::architecture architecture = models::architecture::vgg_16;
    static constexpr std::string_view matconvnet = "imagenet-vgg-verydeep-16.mat";
};

// The family whose network a pretrained (MatConvNet) file holds: M's `pretrained_family` when it
// names one (a variant differing only in layers without parameters), else M itself. Weights are
// loaded into pretrained_family's net -- which checks every layer's geometry against the file --
// and copied into M's by layer name.
template <class M, class = void>
struct pretrained_family_of {
    using type = M;
};
template <class M>
struct pretrained_family_of<M, std::void_t<typename M::pretrained_family>> {
    using type = typename M::pretrained_family;
};
template <class M>
using pretrained_family_t = typename pretrained_family_of<M>::type;

template <class M>
concept model_family = requires {
    typename M::template net<2>;
    { M::name() } -> std::convertible_to<std::string>;
    { M::title() } -> std::convertible_to<std::string>;
};

}  // namespace dermtl::models
