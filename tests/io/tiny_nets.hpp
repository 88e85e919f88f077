#pragma once
// Small nets for the checkpoint, feature and trainer tests: VGG-M's layer kinds and names at a
// size that compiles and runs in moments.
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"
#include "dermtl/nn/network.hpp"

namespace dermtl::testing {

template <std::size_t Classes = 2, std::size_t Width = 8>
using tiny_vgg = nn::net<nn::input<3, 16, 16>,
                         nn::named<"conv1", nn::conv2d<4, 3, 1, 1>>, nn::named<"relu1", nn::relu>,
                         nn::named<"norm1", nn::lrn<5>>, nn::named<"pool1", nn::max_pool<2>>,
                         nn::named<"fc6", nn::dense<Width * 2>>, nn::named<"relu6", nn::relu>,
                         nn::named<"drop6", nn::dropout<50>>,
                         nn::named<"fc7", nn::dense<Width>>, nn::named<"relu7", nn::relu>,
                         nn::named<"drop7", nn::dropout<50>>,
                         nn::named<"fc8", nn::dense<Classes>>>;

inline host_tensor random_images(std::size_t n, std::uint64_t seed, std::size_t side = 16) {
    rng gen(seed);
    host_tensor x({n, 3, side, side});
    for (auto& v : x) v = float(gen.normal());
    return x;
}

}  // namespace dermtl::testing
