#pragma once
// named<"fc7", Layer>: gives a layer a name, so weights are matched and features tapped by it.
// MatConvNet's names are used in models/vgg.hpp (conv1, relu1, norm1, pool1, ..., fc7, relu7, fc8).
#include "dermtl/core/fixed_string.hpp"
#include "dermtl/nn/layer.hpp"

namespace dermtl::nn {

template <fixed_string Name, class Layer>
struct named : Layer {
    static_assert(Name.view().size() > 0, "named<Name, Layer>: the name must not be empty");
    static constexpr std::string_view name = Name.view();
    using unnamed = Layer;  // what it names: per-kind traits (io::matconvnet_layer) dispatch on it
};

}  // namespace dermtl::nn
