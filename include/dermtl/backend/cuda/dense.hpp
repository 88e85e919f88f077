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

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/conv.hpp"  // bias_gradient
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

// A cuBLAS operand: the float32 tensor itself, or in bf16 its copy rounded into the state's buffer.
struct gemm_operand {
    const void* data;
    cudaDataType type;
};
inline gemm_operand operand_of(const device_tensor& t, dense_state& s, bf16_buffer& copy, const char* what) {
    if (s.precision != precision_kind::bf16) return {t.data(), CUDA_R_32F};
    return {copy.round_from(t.data(), t.size(), what, "a dense layer"), CUDA_R_16BF};
}

// C (m x n, float32, column-major) = op(A) op(B): cublasSgemm for float32 operands (TF32 when the
// context's math mode says so), cublasGemmEx with float32 accumulation for bf16 ones.
inline void gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, gemm_operand a,
                 int lda, gemm_operand b, int ldb, float* c, int ldc) {
    const float one = 1.0f, zero = 0.0f;
    if (a.type == CUDA_R_32F && b.type == CUDA_R_32F) {
        DERMTL_CUBLAS_CHECK(cublasSgemm(h, ta, tb, m, n, k, &one, static_cast<const float*>(a.data), lda,
                                        static_cast<const float*>(b.data), ldb, &zero, c, ldc));
    } else {
        DERMTL_CUBLAS_CHECK(cublasGemmEx(h, ta, tb, m, n, k, &one, a.data, a.type, lda, b.data, b.type, ldb, &zero, c,
                                         CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    }
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
    gemm(ctx.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, operand_of(w, s, s.w, "the weights"), in,
         operand_of(x, s, s.x, "the input"), in, y.data(), out);
    const float one = 1.0f;
    DERMTL_CUDNN_CHECK(cudnnAddTensor(ctx.cudnn(), &one, bias_descriptor(std::size_t(out), s), b.data(), &one,
                                      y.descriptor(), y.data()));
}

// In bf16, x and w are rounded again: correct whatever ran since forward.
inline void dense_backward(const device_tensor& x, const device_tensor& w, const device_tensor& dy, dense_state& s,
                           device_tensor& dw, device_tensor& db, device_tensor* dx) {
    check_dense_shapes(x, w);
    context& ctx = context::get();
    const int n = int(x.dims()[0]), in = int(w.dims()[1]), out = int(w.dims()[0]);
    const gemm_operand dyo = operand_of(dy, s, s.dy, "the output gradient");
    gemm(ctx.cublas(), CUBLAS_OP_N, CUBLAS_OP_T, in, out, n, operand_of(x, s, s.x, "the input"), in, dyo, out,
         dw.data(), in);
    bias_gradient(dy, db);
    if (dx) {
        dx->reshape(x.dims());
        gemm(ctx.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, in, n, out, operand_of(w, s, s.w, "the weights"), in, dyo, out,
             dx->data(), in);
    }
}

}  // namespace dermtl::backend::cuda_detail
