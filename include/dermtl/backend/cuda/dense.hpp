#pragma once
// CUDA fully connected layer through cuBLAS (column-major), cuDNN's bias addition and the
// deterministic bias-gradient kernel.
// x: N x (C*H*W) flattened in NCHW order; w: Out x In x 1 x 1 (row-major Out x In, which cuBLAS
// reads as the column-major In x Out matrix W^T); b: Out; y: N x Out x 1 x 1.
// In column-major terms, with X = x as In x N and Y = y as Out x N:
//   Y = W X                 -> gemm(T, N, Out, N, In, w, x)
//   dW^T (In x Out) = X dY^T -> gemm(N, T, In, Out, N, x, dy)
//   dX (In x N) = W^T dY     -> gemm(N, N, In, N, Out, w, dy)
#include <cstddef>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/conv.hpp"  // bias_gradient
#include "dermtl/backend/cuda/tensor.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::backend::cuda_detail {

// Per-layer dense state: the 1 x Out x 1 x 1 descriptor of the layer's bias, made on first use.
struct dense_state {
    tensor_descriptor bias;
    std::size_t bias_units = 0;
};

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
    DERMTL_CUBLAS_CHECK(cublasSgemm(ctx.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, &one, w.data(), in, x.data(), in,
                                    &zero, y.data(), out));
    DERMTL_CUDNN_CHECK(cudnnAddTensor(ctx.cudnn(), &one, bias_descriptor(std::size_t(out), s), b.data(), &one,
                                      y.descriptor(), y.data()));
}

inline void dense_backward(const device_tensor& x, const device_tensor& w, const device_tensor& dy, dense_state& /*s*/,
                           device_tensor& dw, device_tensor& db, device_tensor* dx) {
    check_dense_shapes(x, w);
    context& ctx = context::get();
    const int n = int(x.dims()[0]), in = int(w.dims()[1]), out = int(w.dims()[0]);
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
