#pragma once
// Compile-time activation shapes (channels x height x width; the batch size is a run-time value).
#include <concepts>
#include <cstddef>
#include <string>

namespace dermtl {

// Represents: the shape of one sample's activation, C x H x W, known at compile time.
template <std::size_t C, std::size_t H, std::size_t W>
struct shape {
    static_assert(C > 0 && H > 0 && W > 0, "shape<C,H,W>: every extent must be positive; check the layer before this one");
    static constexpr std::size_t channels = C;
    static constexpr std::size_t height = H;
    static constexpr std::size_t width = W;
    static constexpr std::size_t size = C * H * W;

    static std::string str() {
        return std::to_string(C) + "x" + std::to_string(H) + "x" + std::to_string(W);
    }
};

template <class T>
concept shape_type = requires {
    { T::channels } -> std::convertible_to<std::size_t>;
    { T::height } -> std::convertible_to<std::size_t>;
    { T::width } -> std::convertible_to<std::size_t>;
} && std::same_as<T, shape<T::channels, T::height, T::width>>;

// Asymmetric zero padding in MatConvNet's order: top, bottom, left, right.
// Converts from one number for the symmetric case, so `conv2d<256, 5, 2, 1>` reads naturally.
struct padding {
    std::size_t top = 0, bottom = 0, left = 0, right = 0;
    constexpr padding() = default;
    constexpr padding(std::size_t all) : top(all), bottom(all), left(all), right(all) {}
    constexpr padding(std::size_t t, std::size_t b, std::size_t l, std::size_t r)
        : top(t), bottom(b), left(l), right(r) {}
    constexpr bool operator==(const padding&) const = default;
};

// How a pooling window count is rounded when the stride does not divide the input evenly.
// `ceil` is Caffe's and MatConvNet's rule (a last, partial window is kept if it starts inside the
// input); `floor` is PyTorch's default and Lasagne's.
enum class rounding { floor, ceil };

// Output extent of a sliding window along one axis (convolution or pooling).
// Requires: in + pad_lo + pad_hi >= kernel, stride >= 1.
constexpr std::size_t window_count(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t pad_lo,
                                   std::size_t pad_hi, rounding r = rounding::floor) {
    const std::size_t span = in + pad_lo + pad_hi - kernel;
    std::size_t out = (r == rounding::ceil ? (span + stride - 1) / stride : span / stride) + 1;
    // Caffe's rule: the last window must start inside the (top/left padded) input.
    if (r == rounding::ceil && (out - 1) * stride >= in + pad_lo) --out;
    return out;
}

}  // namespace dermtl
