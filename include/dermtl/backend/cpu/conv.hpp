#pragma once
// CPU convolution: im2col + one Eigen GEMM per image, OpenMP-parallel over the images of a batch
// (each thread runs a single-threaded GEMM on its own column buffer). With fewer images than
// threads, the images run in turn and Eigen parallelizes each GEMM instead.
// Not templates: defined in impl/conv.ipp (compiled once into libdermtl_nn with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include "dermtl/backend/cpu/tensor.hpp"
#include "dermtl/backend/window_geometry.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::cpu_detail {

using backend::window_geometry;

// col[(c*KH + i)*KW + j][oy*OW + ox] = x[c][oy*SH - PT + i][ox*SW - PL + j] (0 outside).
DERMTL_DECL void im2col(const float* x, const window_geometry& g, float* col);
// The adjoint of im2col: accumulates columns back into the image (dx must start at zero).
DERMTL_DECL void col2im(const float* col, const window_geometry& g, float* dx);

// y = conv(x, w) + b. x: N x C x H x W, w: OutC x C x KH x KW, b: OutC, y: N x OutC x OH x OW.
DERMTL_DECL void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y);
// Gradients of conv2d_forward: dw, db (overwritten) and, if wanted, dx (overwritten).
DERMTL_DECL void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g, tensor& dw,
                                 tensor& db, tensor* dx);

}  // namespace dermtl::backend::cpu_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/cpu/impl/conv.ipp"
#endif
