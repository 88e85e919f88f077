#pragma once
// The geometry of one 2-D convolution or pooling window, per sample (the batch size is separate),
// shared by every backend: layers compute it at compile time from their shapes and pass it down.
#include <compare>
#include <cstddef>

namespace dermtl::backend {

struct window_geometry {
    std::size_t channels, height, width;  // input
    std::size_t kernel_h, kernel_w;
    std::size_t stride_h, stride_w;
    std::size_t pad_top, pad_left;        // bottom/right padding only changes out_h/out_w
    std::size_t out_h, out_w;
    auto operator<=>(const window_geometry&) const = default;  // a cache key (CUDA plans)
};

}  // namespace dermtl::backend
