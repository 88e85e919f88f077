#pragma once
// Umbrella header for users (the library's own headers include what they use).
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/net.hpp"
#include "dermtl/nn/network.hpp"
