#pragma once
// Which numerics (backend/precision.hpp) the CUDA backend offers on a GPU, as plain C++ (no CUDA
// header), so the rules are tested on any machine (tests/backend/test_cuda_host.cpp):
//   float32  always.
//   tf32     always accepted; process-wide (cuda_options::tf32, set by ops<cuda>::use_precision);
//            tensor cores use it from compute capability 8.0, older GPUs compute in float32.
//   bf16     from compute capability 8.0 (Ampere) up: cuDNN's BFLOAT16 convolution configuration
//            and cuBLAS's bf16 GEMM (CUBLAS_COMPUTE_32F) need its bf16 tensor cores. Carried by
//            the network (each conv_state and dense_state), not process-wide. Older GPUs refuse
//            it with the reason, at network::set_numerics.
//   deterministic  always (cuda_options::deterministic, process-wide).
//
// What bf16 computes on the GPU (cuda/conv.hpp, cuda/dense.hpp): activations, parameters and
// their gradients are float32 tensors between layers, as on the CPU. Each convolution and dense
// layer rounds its inputs to bf16 (x, w; dy in the backward pass) into buffers of its own plan,
// allocated once per input shape, and accumulates in float32. A convolution's outputs (y, dx, dw)
// come out of cuDNN in bf16 and are widened to float32 (one more rounding each); a dense layer's
// come out of cuBLAS in float32. Biases, their gradients, the loss, softmax, the SGD update on the
// float32 master weights and the fc7 features stay float32.
#include <string>

#include "dermtl/backend/precision.hpp"

namespace dermtl::backend::cuda_detail {

// The first compute capability with bf16 tensor cores (Ampere, sm_80).
inline constexpr int bf16_min_major = 8;

// Why `n` cannot be had on GPU `device` of compute capability major.minor; "" when it can.
inline std::string numerics_refusal(const numerics& n, int major, int minor, const std::string& device) {
    if (n.precision != precision_kind::bf16 || major >= bf16_min_major) return "";
    return "cuda: precision bf16 needs compute capability " + std::to_string(bf16_min_major) +
           ".0 (Ampere) or above, and GPU " + device + " has compute capability " + std::to_string(major) + "." +
           std::to_string(minor) +
           " (no bf16 tensor cores for cuDNN's bf16 convolutions and cuBLAS's bf16 GEMM); use float32 or tf32 "
           "there, or the onednn backend's bf16 on an avx512_core CPU";
}

}  // namespace dermtl::backend::cuda_detail
