#pragma once
// device_tensor: the CUDA backend's tensor -- float32, NCHW, in device memory.
//
// Represents: a rank-4 float32 array on the device, with its cuDNN descriptor.
// Requires: nothing to construct empty (no CUDA call is made until it gets a non-empty shape).
// Ensures: reshape() allocates only when the new shape needs more elements than were ever held,
// so buffers of a fixed batch size are allocated once and reused; copies are deep (device to
// device); moving transfers ownership. Parameters use the same type with the CPU backend's
// shapes (conv weights OutC x InC x KH x KW, dense weights Out x In x 1 x 1, biases Out x 1 x 1 x 1).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/context.hpp"
#include "dermtl/backend/cuda/kernels.hpp"
#include "dermtl/backend/cuda/tensor_limits.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend::cuda_detail {

class device_tensor {
public:
    device_tensor() = default;
    explicit device_tensor(const dims4& d) { reshape(d); }

    device_tensor(const device_tensor& other) {
        reshape(other.dims_);
        if (size())
            DERMTL_CUDA_CHECK(cudaMemcpy(data_, other.data_, bytes(), cudaMemcpyDeviceToDevice));
    }
    device_tensor(device_tensor&& other) noexcept { swap(other); }
    device_tensor& operator=(const device_tensor& other) {
        if (this != &other) {
            reshape(other.dims_);
            if (size())
                DERMTL_CUDA_CHECK(cudaMemcpy(data_, other.data_, bytes(), cudaMemcpyDeviceToDevice));
        }
        return *this;
    }
    device_tensor& operator=(device_tensor&& other) noexcept {
        device_tensor moved(std::move(other));
        swap(moved);
        return *this;
    }
    ~device_tensor() {
        if (desc_) cudnnDestroyTensorDescriptor(desc_);
        if (data_) context::get().release(data_, capacity_ * sizeof(float));
    }

    void swap(device_tensor& o) noexcept {
        std::swap(dims_, o.dims_);
        std::swap(capacity_, o.capacity_);
        std::swap(data_, o.data_);
        std::swap(desc_, o.desc_);
        std::swap(desc_dims_, o.desc_dims_);
    }

    // Gives the tensor shape `d`; keeps the memory when it is large enough.
    void reshape(const dims4& d) {
        const std::size_t n = d[0] * d[1] * d[2] * d[3];
        if (n > capacity_) {
            context& ctx = context::get();  // first use: checks for a device
            float* fresh = static_cast<float*>(ctx.allocate(n * sizeof(float), "a tensor of shape " + describe(d), d[0]));
            if (data_) ctx.release(data_, capacity_ * sizeof(float));
            data_ = fresh;
            capacity_ = n;
        }
        dims_ = d;
    }

    const dims4& dims() const { return dims_; }
    std::size_t size() const { return dims_[0] * dims_[1] * dims_[2] * dims_[3]; }
    std::size_t bytes() const { return size() * sizeof(float); }
    float* data() { return data_; }
    const float* data() const { return data_; }

    // The cuDNN NCHW float descriptor of the current shape (made on first use, kept up to date).
    cudnnTensorDescriptor_t descriptor() const {
        if (!desc_) DERMTL_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc_));
        if (desc_dims_ != dims_) {
            check_cudnn_tensor_elements(dims_, "a device tensor");
            DERMTL_CUDNN_CHECK(cudnnSetTensor4dDescriptor(desc_, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, int(dims_[0]),
                                                          int(dims_[1]), int(dims_[2]), int(dims_[3])));
            desc_dims_ = dims_;
        }
        return desc_;
    }

private:
    dims4 dims_{0, 0, 0, 0};
    std::size_t capacity_ = 0;
    float* data_ = nullptr;
    mutable cudnnTensorDescriptor_t desc_ = nullptr;
    mutable dims4 desc_dims_{0, 0, 0, 0};
};

// Owning pointer for a cuDNN descriptor (movable, destroyed with its owner; cuda/check.hpp).
template <class Handle, cudnnStatus_t (*Destroy)(Handle)>
using unique_descriptor = unique_handle<Handle, Destroy>;

// A device buffer of bf16 values (as their 16 bits), owned by a layer's plan: the bf16 copies of a
// convolution's or dense layer's inputs and outputs (cuda/numerics.hpp). Grows only, so a plan
// allocates once per shape. `what` and `of` name the values for the out-of-memory message ("the
// input", "conv2d (...)"); the message is built only when memory is allocated, never in a warm step.
class bf16_buffer {
public:
    bf16_buffer() = default;
    bf16_buffer(const bf16_buffer&) = delete;
    bf16_buffer& operator=(const bf16_buffer&) = delete;
    bf16_buffer(bf16_buffer&& o) noexcept { swap(o); }
    bf16_buffer& operator=(bf16_buffer&& o) noexcept {
        bf16_buffer moved(std::move(o));
        swap(moved);
        return *this;
    }
    void swap(bf16_buffer& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(capacity_, o.capacity_);
    }
    ~bf16_buffer() {
        if (data_) context::get().release(data_, capacity_ * sizeof(std::uint16_t));
    }

    // Room for n values.
    std::uint16_t* reserve(std::size_t n, std::string_view what, std::string_view of) {
        if (n > capacity_) {
            context& ctx = context::get();
            const std::string named = "the bf16 copy of " + std::string(what) + " of " + std::string(of);
            auto* fresh = static_cast<std::uint16_t*>(ctx.allocate(n * sizeof(std::uint16_t), named, 0));
            if (data_) ctx.release(data_, capacity_ * sizeof(std::uint16_t));
            data_ = fresh;
            capacity_ = n;
        }
        return data_;
    }
    // The n floats at `from` rounded to bf16 (to nearest even) into this buffer; returns them.
    const std::uint16_t* round_from(const float* from, std::size_t n, std::string_view what, std::string_view of) {
        std::uint16_t* out = reserve(n, what, of);
        kernels::to_bf16(from, out, n);
        return out;
    }
    std::uint16_t* data() { return data_; }
    const std::uint16_t* data() const { return data_; }

private:
    std::uint16_t* data_ = nullptr;
    std::size_t capacity_ = 0;
};

// A cuDNN 4-D descriptor owned by a plan (bias shapes, padded buffers, bf16 copies, ...).
class tensor_descriptor {
public:
    // `what` names the tensor for the element-limit error (cuda/tensor_limits.hpp); `type` is
    // CUDNN_DATA_FLOAT, or CUDNN_DATA_BFLOAT16 for a bf16 copy.
    void set(const dims4& d, const std::string& what = "a cuDNN tensor", cudnnDataType_t type = CUDNN_DATA_FLOAT) {
        check_cudnn_tensor_elements(d, what);
        if (!d_) {
            cudnnTensorDescriptor_t raw = nullptr;
            DERMTL_CUDNN_CHECK(cudnnCreateTensorDescriptor(&raw));
            d_.reset(raw);
        }
        DERMTL_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d_.get(), CUDNN_TENSOR_NCHW, type, int(d[0]), int(d[1]), int(d[2]),
                                                      int(d[3])));
    }
    cudnnTensorDescriptor_t get() const { return d_.get(); }

private:
    unique_descriptor<cudnnTensorDescriptor_t, cudnnDestroyTensorDescriptor> d_;
};

}  // namespace dermtl::backend::cuda_detail
