#pragma once
// CUDA fully connected layer through cuBLAS (column-major), cuDNN's bias addition and the
// deterministic bias-gradient kernel.
// x: N x (C*H*W) flattened in NCHW order; w: Out x In x 1 x 1 (row-major Out x In, which cuBLAS
// reads as the column-major In x Out matrix W^T); b: Out; y: N x Out x 1 x 1.
// In column-major terms, with X = x as In x N and Y = y as Out x N:
//   Y = W X                 -> gemm(T, N, Out, N, In, w, x)
//   dW^T (In x Out) = X dY^T -> gemm(N, T, In, Out, N, x, dy)
//   dX (In x N) = W^T dY     -> gemm(N, N, In, N, Out, w, dy)
// bf16 (cuda/numerics.hpp; dense_state::precision): the same products by cublasGemmEx on bf16
// copies of x, w and dy (kept in the layer's state, grown once per shape), with float32 outputs
// and CUBLAS_COMPUTE_32F: bf16 inputs, float32 accumulation. The bias and its gradient are float32.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/conv.hpp"  // bias_gradient
#include "dermtl/backend/cuda/kernels.hpp"
#include "dermtl/backend/cuda/tensor.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::backend::cuda_detail {

// Per-layer dense state: the precision the layer computes in (set by network::set_numerics), the
// 1 x Out x 1 x 1 descriptor of the layer's bias, made on first use, and in bf16 the bf16 copies of
// its inputs.
struct dense_state {
    tensor_descriptor bias;
    std::size_t bias_units = 0;
    precision_kind precision = precision_kind::float32;
    bf16_buffer x, w, dy;
};

// `n` floats at `from` rounded to bf16 into `to` (grown as needed); `what` names them for messages.
inline const std::uint16_t* dense_bf16_copy(const float* from, std::size_t n, bf16_buffer& to, const char* what) {
    std::uint16_t* out = to.reserve(n, std::string("the bf16 copy of a dense layer's ") + what);
    kernels::to_bf16(from, out, n);
    return out;
}

// C (m x n, float32, column-major) = op(A) op(B) from bf16 A and B, accumulated in float32.
inline void gemm_bf16(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                      const std::uint16_t* a, int lda, const std::uint16_t* b, int ldb, float* c, int ldc) {
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUBLAS_CHECK(cublasGemmEx(h, ta, tb, m, n, k, &one, a, CUDA_R_16BF, lda, b, CUDA_R_16BF, ldb, &zero, c,
                                     CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

inline cudnnTensorDescriptor_t bias_descriptor(std::size_t out, dense_state& s) {
    if (s.bias_units != out) {
        s.bias.set({1, out, 1, 1});
        s.bias_units = out;
    }
    return s.bias.get();
}

inline void check_dense_shapes(const device_tensor& x, const device_tensor& w) {
    const dims4 xd = x.dims(), wd = w.dims();
    if (xd[1] * xd[2] * xd[3] != wd[1])
        throw shape_error("backend::cuda dense: input " + describe(xd) + " has " + std::to_string(xd[1] * xd[2] * xd[3]) +
                          " features per sample; the weights " + describe(wd) + " expect " + std::to_string(wd[1]));
}

inline void dense_forward(const device_tensor& x, const device_tensor& w, const device_tensor& b, device_tensor& y,
                          dense_state& s) {
    check_dense_shapes(x, w);
    context& ctx = context::get();
    const int n = int(x.dims()[0]), in = int(w.dims()[1]), out = int(w.dims()[0]);
    y.reshape({std::size_t(n), std::size_t(out), 1, 1});
    const float one = 1.0f, zero = 0.0f;
    if (s.precision == precision_kind::bf16) {
        const std::uint16_t* wb = dense_bf16_copy(w.data(), w.size(), s.w, "weights");
        const std::uint16_t* xb = dense_bf16_copy(x.data(), x.size(), s.x, "input");
        gemm_bf16(ctx.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, wb, in, xb, in, y.data(), out);
    } else {
        DERMTL_CUBLAS_CHECK(cublasSgemm(ctx.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, &one, w.data(), in, x.data(),
                                        in, &zero, y.data(), out));
    }
    DERMTL_CUDNN_CHECK(cudnnAddTensor(ctx.cudnn(), &one, bias_descriptor(std::size_t(out), s), b.data(), &one,
                                      y.descriptor(), y.data()));
}

inline void dense_backward(const device_tensor& x, const device_tensor& w, const device_tensor& dy, dense_state& s,
                           device_tensor& dw, device_tensor& db, device_tensor* dx) {
    check_dense_shapes(x, w);
    context& ctx = context::get();
    const int n = int(x.dims()[0]), in = int(w.dims()[1]), out = int(w.dims()[0]);
    if (s.precision == precision_kind::bf16) {  // x and w again: correct whatever ran since forward
        const std::uint16_t* xb = dense_bf16_copy(x.data(), x.size(), s.x, "input");
        const std::uint16_t* dyb = dense_bf16_copy(dy.data(), dy.size(), s.dy, "output gradient");
        gemm_bf16(ctx.cublas(), CUBLAS_OP_N, CUBLAS_OP_T, in, out, n, xb, in, dyb, out, dw.data(), in);
        bias_gradient(dy, db);
        if (dx) {
            dx->reshape(x.dims());
            const std::uint16_t* wb = dense_bf16_copy(w.data(), w.size(), s.w, "weights");
            gemm_bf16(ctx.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, in, n, out, wb, in, dyb, out, dx->data(), in);
        }
        return;
    }
    const float one = 1.0f, zero = 0.0f;
    DERMTL_CUBLAS_CHECK(cublasSgemm(ctx.cublas(), CUBLAS_OP_N, CUBLAS_OP_T, in, out, n, &one, x.data(), in, dy.data(),
                                    out, &zero, dw.data(), in));
    bias_gradient(dy, db);
    if (dx) {
        dx->reshape(x.dims());
        DERMTL_CUBLAS_CHECK(cublasSgemm(ctx.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, in, n, out, &one, w.data(), in,
                                        dy.data(), out, &zero, dx->data(), in));
    }
}

}  // namespace dermtl::backend::cuda_detail
