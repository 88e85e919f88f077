#pragma once
// The CUDA backend's own small kernels: element-wise work, the fused SGD update, padding copies,
// the loss and the non-finite search. Everything else is cuDNN or cuBLAS.
//
// Each function here launches one kernel on the default stream with its launch configuration and
// checks the launch (cuda/check.hpp). They are declared here, for host code, and defined with their
// __global__ kernels in impl/kernels.ipp: header-only, that file comes with this header and the
// translation unit must be compiled by nvcc; with DERMTL_SEPARATE_COMPILATION it is compiled once,
// by nvcc, into libdermtl_cuda.a (dermtl::cuda_compiled), and the rest of the backend -- host code
// calling the CUDA runtime, cuDNN and cuBLAS -- compiles with the C++ compiler (issue 24).
#include <cstddef>
#include <cstdint>

#include "dermtl/core/config.hpp"

namespace dermtl::backend::cuda_detail::kernels {

// p[i] = value for i < n.
DERMTL_DECL void fill(float* p, float value, std::size_t n);
// y = x * mask (inverted dropout; the mask holds 0 or 1/(1-p)).
DERMTL_DECL void multiply(const float* x, const float* mask, float* y, std::size_t n);
// Nesterov SGD in one pass, the same arithmetic as the CPU backend.
DERMTL_DECL void sgd_nesterov(float* w, const float* g, float* v, std::size_t n, float lr, float momentum, float l2);
// *first = min(*first, index of a NaN/Inf among x[0..n)); *first must start at ~0ull.
DERMTL_DECL void first_non_finite(const float* x, std::size_t n, unsigned long long* first);
// Copies planes of H x W into planes of HP x WP: dst[r][c] = src[r - top][c - left], `outside`
// where that is outside src. Used for asymmetric padding (zeros for convolution, -inf for pooling).
DERMTL_DECL void pad_planes(const float* src, std::size_t planes, std::size_t h, std::size_t w, float* dst,
                            std::size_t hp, std::size_t wp, std::size_t top, std::size_t left, float outside);
// The adjoint of pad_planes for gradients: dst[r][c] = src[r + top][c + left], 0 beyond src.
DERMTL_DECL void crop_planes(const float* src, std::size_t planes, std::size_t hp, std::size_t wp, float* dst,
                             std::size_t h, std::size_t w, std::size_t top, std::size_t left);
// Softmax cross-entropy of n rows of k logits, in double as on the CPU: loss[i] = logsumexp(z) -
// z[label], dz = (softmax - onehot) / n. Labels were validated on the host.
DERMTL_DECL void softmax_cross_entropy(const float* logits, const int* labels, std::size_t n, std::size_t k,
                                       float* dlogits, double* loss);
// Bias gradient, pass 1 (cuda/launch_plans.hpp): `chunks` x `channels` blocks of `threads` threads
// (a power of two) sum chunks of each channel's batch * plane elements into partial[c * chunks + k],
// in a fixed order (deterministic, no atomics).
DERMTL_DECL void channel_partial_sums(const float* dy, std::size_t batch, std::size_t channels, std::size_t plane,
                                      std::size_t chunk, std::size_t chunks, unsigned threads, float* partial);
// Bias gradient, pass 2: db[c] = partial[c][0] + partial[c][1] + ... in order, a thread per channel.
DERMTL_DECL void sum_partials(const float* partial, std::size_t channels, std::size_t chunks, float* db);
// bf16 numerics (cuda/numerics.hpp): y[i] = x[i] rounded to bf16, to nearest even (bf16 values as
// their 16 bits, so host code needs no CUDA header); and back, exactly, to float32.
DERMTL_DECL void to_bf16(const float* x, std::uint16_t* y, std::size_t n);
DERMTL_DECL void from_bf16(const std::uint16_t* x, float* y, std::size_t n);

}  // namespace dermtl::backend::cuda_detail::kernels

#if DERMTL_HEADER_ONLY || DERMTL_CUDA_DEVICE_PASS  // core/config.hpp
#include "dermtl/backend/cuda/impl/kernels.ipp"
#endif
