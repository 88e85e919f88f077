#pragma once
// The host tensor: float32, NCHW, batch size at run time, stored by xtensor. Data pipelines produce
// host tensors whatever the backend; the CPU backend computes on them directly and other backends
// copy them to their device explicitly.
#include <array>
#include <cstddef>
#include <new>
#include <string>

#include "dermtl/core/intrinsics.hpp"

#include <xtensor/xtensor.hpp>

namespace dermtl {

// Every tensor buffer starts on a 64-byte boundary (a cache line, an AVX-512 register). Eigen's
// vectorized kernels peel scalar iterations until the first aligned address, so a buffer that lies
// at a different offset from a boundary is summed in a different order; a fixed alignment makes CPU
// results bitwise reproducible from run to run (the resume and determinism tests rely on it).
inline constexpr std::size_t tensor_alignment = 64;

template <class T>
struct aligned_allocator {
    using value_type = T;
    aligned_allocator() noexcept = default;
    template <class U>
    aligned_allocator(const aligned_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{tensor_alignment}));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{tensor_alignment}); }
    template <class U>
    struct rebind {
        using other = aligned_allocator<U>;
    };
    friend bool operator==(const aligned_allocator&, const aligned_allocator&) noexcept { return true; }
};

using host_tensor = xt::xtensor<float, 4, xt::layout_type::row_major, aligned_allocator<float>>;
using dims4 = std::array<std::size_t, 4>;

// "[N,C,H,W]" (appended piece by piece: `"[" + std::to_string(...)` trips GCC 12's bogus -Wrestrict).
inline std::string describe(const dims4& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < 4; ++i) {
        s += std::to_string(d[i]);
        s += i < 3 ? "," : "]";
    }
    return s;
}

inline dims4 dims_of(const host_tensor& t) { return {t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3]}; }

// Resizes only when the shape changes, so buffers are reused across batches of the same size.
inline void ensure_shape(host_tensor& t, const dims4& d) {
    if (dims_of(t) != d) t.resize(d);
}

}  // namespace dermtl
