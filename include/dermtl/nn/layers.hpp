#pragma once
// Every layer descriptor, for writing nets.
#include "dermtl/nn/layers/conv2d.hpp"
#include "dermtl/nn/layers/dense.hpp"
#include "dermtl/nn/layers/dropout.hpp"
#include "dermtl/nn/layers/input.hpp"
#include "dermtl/nn/layers/lrn.hpp"
#include "dermtl/nn/layers/max_pool.hpp"
#include "dermtl/nn/layers/named.hpp"
#include "dermtl/nn/layers/relu.hpp"
