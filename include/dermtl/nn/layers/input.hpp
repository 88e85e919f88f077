#pragma once
// input<C, H, W>: the first element of every net, fixing the input shape (RGB 224x224 for VGG).
#include <cstddef>

#include "dermtl/core/shape.hpp"

namespace dermtl::nn {

template <std::size_t C, std::size_t H, std::size_t W>
struct input {
    using shape = dermtl::shape<C, H, W>;
};

template <class T>
inline constexpr bool is_input = false;
template <std::size_t C, std::size_t H, std::size_t W>
inline constexpr bool is_input<input<C, H, W>> = true;

}  // namespace dermtl::nn
