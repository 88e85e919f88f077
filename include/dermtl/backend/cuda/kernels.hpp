#pragma once
// The CUDA backend's own small kernels: element-wise work, the fused SGD update, padding copies,
// the loss and the non-finite search. Everything else is cuDNN or cuBLAS.
//
// Kernels are templates on the element type (always float here): a template gives the header-only
// library one definition across translation units, which `inline __global__` does not.
#include <cstddef>
#include <cstdint>

#include <cuda_runtime.h>

namespace dermtl::backend::cuda_detail::kernels {

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

#undef DERMTL_GRID_STRIDE

}  // namespace dermtl::backend::cuda_detail::kernels
