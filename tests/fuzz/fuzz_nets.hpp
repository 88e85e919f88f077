#pragma once
// The network the .mat and checkpoint targets read into, and make_seeds writes from: every layer
// kind VGG-M has (conv, relu, lrn, max pool, dense, dropout), named as VGG-M names them, at 8x8
// so a model file is a few KB.
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"
#include "dermtl/nn/network.hpp"

namespace dermtl::fuzz {

using small_net = nn::net<nn::input<3, 8, 8>,
                          nn::named<"conv1", nn::conv2d<4, 3, 1, 1>>, nn::named<"relu1", nn::relu>,
                          nn::named<"norm1", nn::lrn<5>>, nn::named<"pool1", nn::max_pool<2>>,
                          nn::named<"fc6", nn::dense<4>>, nn::named<"relu6", nn::relu>,
                          nn::named<"drop6", nn::dropout<50>>,
                          nn::named<"fc8", nn::dense<2>>>;
using small_network = nn::network<small_net, backend::cpu>;

}  // namespace dermtl::fuzz
