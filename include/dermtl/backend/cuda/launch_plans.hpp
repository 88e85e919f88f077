#pragma once
// Launch shapes of the CUDA backend's own reductions, decided on the host from the tensor shape
// alone (so a shape always reduces in the same order: deterministic). Plain C++, tested everywhere.
#include <cstddef>

namespace dermtl::backend::cuda_detail {

// The bias gradient db[c] = sum over the batch and the plane of dy[n][c][...]: each channel's
// batch * plane elements are cut into `chunks` chunks of `chunk` consecutive elements; a block of
// `threads` threads sums one (channel, chunk) into a partial, then one thread per channel adds its
// partials in order. Many blocks per channel keep the GPU busy where one block per channel did not
// (VGG's conv1: 64 channels of 32 x 224 x 224 elements each).
struct channel_reduction_plan {
    std::size_t chunks = 1;
    std::size_t chunk = 1;
    unsigned threads = 32;
};

inline constexpr std::size_t channel_reduction_max_chunks = 64;
inline constexpr std::size_t channel_reduction_min_chunk = 2048;  // 8 elements per thread of 256

inline channel_reduction_plan plan_channel_reduction(std::size_t per_channel) {
    channel_reduction_plan p;
    if (per_channel == 0) return p;
    const std::size_t even = (per_channel + channel_reduction_max_chunks - 1) / channel_reduction_max_chunks;
    p.chunk = even > channel_reduction_min_chunk ? even : channel_reduction_min_chunk;
    p.chunks = (per_channel + p.chunk - 1) / p.chunk;
    const std::size_t busy = p.chunk < per_channel ? p.chunk : per_channel;  // elements a block really has
    p.threads = 32;
    while (p.threads < 256 && p.threads < busy) p.threads *= 2;
    return p;
}

}  // namespace dermtl::backend::cuda_detail
