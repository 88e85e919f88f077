// The CUDA backend's kernels (cuda/kernels.hpp) and their launches. Compiled by nvcc: included by
// that header in header-only mode (the translation unit is a .cu file), or compiled once into
// libdermtl_cuda.a (dermtl::cuda_compiled) with DERMTL_SEPARATE_COMPILATION.
//
// Kernels are templates on the element type (always float here): a template gives the header-only
// library one definition across translation units, which `inline __global__` does not.
#include <cstddef>
#include <cstdint>
#include <limits>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/kernels.hpp"

namespace dermtl::backend::cuda_detail::kernels {

namespace device {

#define DERMTL_GRID_STRIDE(i, n) \
    for (std::size_t i = std::size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += std::size_t(gridDim.x) * blockDim.x)

template <class T>
__global__ void fill(T* p, T value, std::size_t n) {
    DERMTL_GRID_STRIDE(i, n) p[i] = value;
}

// y = x * mask (inverted dropout; the mask holds 0 or 1/(1-p)).
template <class T>
__global__ void multiply(const T* x, const T* mask, T* y, std::size_t n) {
    DERMTL_GRID_STRIDE(i, n) y[i] = x[i] * mask[i];
}

// Nesterov SGD in one pass, the same arithmetic as the CPU backend.
template <class T>
__global__ void sgd_nesterov(T* w, const T* g, T* v, std::size_t n, T lr, T momentum, T l2) {
    DERMTL_GRID_STRIDE(i, n) {
        const T step = lr * (g[i] + T(2) * l2 * w[i]);
        const T vi = momentum * v[i] - step;
        v[i] = vi;
        w[i] += momentum * vi - step;
    }
}

// *first = min(index of a NaN/Inf); *first must start at ~0ull.
template <class T>
__global__ void first_non_finite(const T* x, std::size_t n, unsigned long long* first) {
    DERMTL_GRID_STRIDE(i, n) {
        if (!isfinite(x[i])) atomicMin(first, static_cast<unsigned long long>(i));
    }
}

// Copies planes of H x W into planes of HP x WP: dst[r][c] = src[r - top][c - left], `outside`
// where that is outside src. Used for asymmetric padding (zeros for convolution, -inf for pooling).
template <class T>
__global__ void pad_planes(const T* src, std::size_t planes, std::size_t h, std::size_t w, T* dst, std::size_t hp,
                           std::size_t wp, std::size_t top, std::size_t left, T outside) {
    DERMTL_GRID_STRIDE(i, planes * hp * wp) {
        const std::size_t c = i % wp, r = (i / wp) % hp, p = i / (wp * hp);
        const std::ptrdiff_t sr = std::ptrdiff_t(r) - std::ptrdiff_t(top), sc = std::ptrdiff_t(c) - std::ptrdiff_t(left);
        dst[i] = (sr >= 0 && sr < std::ptrdiff_t(h) && sc >= 0 && sc < std::ptrdiff_t(w)) ? src[(p * h + sr) * w + sc]
                                                                                         : outside;
    }
}

// The adjoint of pad_planes for gradients: dst[r][c] = src[r + top][c + left], 0 beyond src.
template <class T>
__global__ void crop_planes(const T* src, std::size_t planes, std::size_t hp, std::size_t wp, T* dst, std::size_t h,
                            std::size_t w, std::size_t top, std::size_t left) {
    DERMTL_GRID_STRIDE(i, planes * h * w) {
        const std::size_t c = i % w, r = (i / w) % h, p = i / (w * h);
        const std::size_t sr = r + top, sc = c + left;
        dst[i] = (sr < hp && sc < wp) ? src[(p * hp + sr) * wp + sc] : T(0);
    }
}

// Softmax cross-entropy, one thread per row, in double as on the CPU: loss[i] = logsumexp(z) -
// z[label], dz = (softmax - onehot) / n. Labels were validated on the host.
template <class T>
__global__ void softmax_cross_entropy(const T* logits, const int* labels, std::size_t n, std::size_t k, T* dlogits,
                                      double* loss) {
    DERMTL_GRID_STRIDE(i, n) {
        const T* z = logits + i * k;
        T* g = dlogits + i * k;
        double m = z[0];
        for (std::size_t j = 1; j < k; ++j) m = z[j] > m ? double(z[j]) : m;
        double sum = 0;
        for (std::size_t j = 0; j < k; ++j) sum += exp(double(z[j]) - m);
        const double log_sum = ::log(sum) + m;  // qualified: dermtl::log is the log-sink namespace
        const int label = labels[i];
        loss[i] = log_sum - double(z[label]);
        for (std::size_t j = 0; j < k; ++j)
            g[j] = T((exp(double(z[j]) - log_sum) - (int(j) == label ? 1.0 : 0.0)) / double(n));
    }
}

// Bias gradient, pass 1 (cuda/launch_plans.hpp): block (k, c) -- blockIdx.x the chunk, blockIdx.y
// the channel -- sums elements [k * chunk, (k + 1) * chunk) of channel c's batch * plane elements
// into partial[c * gridDim.x + k]. Each thread sums a fixed stride and the block reduces in a fixed
// tree (blockDim.x a power of two), so the result is deterministic (no atomics): determinism mode
// needs it.
template <class T>
__global__ void channel_partial_sums(const T* dy, std::size_t batch, std::size_t channels, std::size_t plane,
                                     std::size_t chunk, T* partial) {
    extern __shared__ unsigned char shared_bytes[];
    T* s = reinterpret_cast<T*>(shared_bytes);
    const std::size_t c = blockIdx.y, k = blockIdx.x;
    const std::size_t per_channel = batch * plane;
    const std::size_t begin = k * chunk;
    const std::size_t end = begin + chunk < per_channel ? begin + chunk : per_channel;
    T sum = 0;
    for (std::size_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
        const std::size_t n = i / plane, p = i % plane;
        sum += dy[(n * channels + c) * plane + p];
    }
    s[threadIdx.x] = sum;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) s[threadIdx.x] += s[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[c * gridDim.x + k] = s[0];
}

// Bias gradient, pass 2: db[c] = partial[c][0] + partial[c][1] + ... in order, a thread per channel.
template <class T>
__global__ void sum_partials(const T* partial, std::size_t channels, std::size_t chunks, T* db) {
    DERMTL_GRID_STRIDE(c, channels) {
        T sum = 0;
        for (std::size_t k = 0; k < chunks; ++k) sum += partial[c * chunks + k];
        db[c] = sum;
    }
}

// bf16 numerics (cuda/numerics.hpp): float32 -> bf16 rounded to nearest even, as its 16 bits.
template <class T>
__global__ void to_bf16(const T* x, std::uint16_t* y, std::size_t n) {
    DERMTL_GRID_STRIDE(i, n) y[i] = __bfloat16_as_ushort(__float2bfloat16_rn(x[i]));
}

// bf16 (its 16 bits) -> float32, exact.
template <class T>
__global__ void from_bf16(const std::uint16_t* x, T* y, std::size_t n) {
    DERMTL_GRID_STRIDE(i, n) y[i] = __bfloat162float(__ushort_as_bfloat16(x[i]));
}

#undef DERMTL_GRID_STRIDE

}  // namespace device

DERMTL_DECL void fill(float* p, float value, std::size_t n) {
    device::fill<float><<<blocks_for(n), 256>>>(p, value, n);
    DERMTL_CUDA_CHECK_LAUNCH(fill);
}

DERMTL_DECL void multiply(const float* x, const float* mask, float* y, std::size_t n) {
    device::multiply<float><<<blocks_for(n), 256>>>(x, mask, y, n);
    DERMTL_CUDA_CHECK_LAUNCH(multiply);
}

DERMTL_DECL void sgd_nesterov(float* w, const float* g, float* v, std::size_t n, float lr, float momentum, float l2) {
    device::sgd_nesterov<float><<<blocks_for(n), 256>>>(w, g, v, n, lr, momentum, l2);
    DERMTL_CUDA_CHECK_LAUNCH(sgd_nesterov);
}

DERMTL_DECL void first_non_finite(const float* x, std::size_t n, unsigned long long* first) {
    device::first_non_finite<float><<<blocks_for(n), 256>>>(x, n, first);
    DERMTL_CUDA_CHECK_LAUNCH(first_non_finite);
}

DERMTL_DECL void pad_planes(const float* src, std::size_t planes, std::size_t h, std::size_t w, float* dst,
                            std::size_t hp, std::size_t wp, std::size_t top, std::size_t left, float outside) {
    device::pad_planes<float><<<blocks_for(planes * hp * wp), 256>>>(src, planes, h, w, dst, hp, wp, top, left, outside);
    DERMTL_CUDA_CHECK_LAUNCH(pad_planes);
}

DERMTL_DECL void crop_planes(const float* src, std::size_t planes, std::size_t hp, std::size_t wp, float* dst,
                             std::size_t h, std::size_t w, std::size_t top, std::size_t left) {
    device::crop_planes<float><<<blocks_for(planes * h * w), 256>>>(src, planes, hp, wp, dst, h, w, top, left);
    DERMTL_CUDA_CHECK_LAUNCH(crop_planes);
}

DERMTL_DECL void softmax_cross_entropy(const float* logits, const int* labels, std::size_t n, std::size_t k,
                                       float* dlogits, double* loss) {
    device::softmax_cross_entropy<float><<<blocks_for(n, 64), 64>>>(logits, labels, n, k, dlogits, loss);
    DERMTL_CUDA_CHECK_LAUNCH(softmax_cross_entropy);
}

DERMTL_DECL void channel_partial_sums(const float* dy, std::size_t batch, std::size_t channels, std::size_t plane,
                                      std::size_t chunk, std::size_t chunks, unsigned threads, float* partial) {
    const dim3 grid{unsigned(chunks), unsigned(channels)};  // braces: not a function declaration
    device::channel_partial_sums<float><<<grid, threads, threads * sizeof(float)>>>(dy, batch, channels, plane, chunk,
                                                                                    partial);
    DERMTL_CUDA_CHECK_LAUNCH(channel_partial_sums);
}

DERMTL_DECL void sum_partials(const float* partial, std::size_t channels, std::size_t chunks, float* db) {
    device::sum_partials<float><<<blocks_for(channels, 128), 128>>>(partial, channels, chunks, db);
    DERMTL_CUDA_CHECK_LAUNCH(sum_partials);
}

DERMTL_DECL void to_bf16(const float* x, std::uint16_t* y, std::size_t n) {
    device::to_bf16<float><<<blocks_for(n), 256>>>(x, y, n);
    DERMTL_CUDA_CHECK_LAUNCH(to_bf16);
}

DERMTL_DECL void from_bf16(const std::uint16_t* x, float* y, std::size_t n) {
    device::from_bf16<float><<<blocks_for(n), 256>>>(x, y, n);
    DERMTL_CUDA_CHECK_LAUNCH(from_bf16);
}

}  // namespace dermtl::backend::cuda_detail::kernels
