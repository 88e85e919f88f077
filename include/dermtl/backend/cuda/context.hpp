#pragma once
// The CUDA backend's per-process state: the device check, the cuDNN and cuBLAS handles, the
// shared cuDNN workspace, small scratch buffers, the numeric options (precision, determinism) and
// the checked device allocator.
//
// Represents: the one device this process computes on (device 0 of those visible).
// Created at first use -- the first device allocation or operation -- and not before, so a CUDA
// build runs its CPU work on a machine without a GPU. Creating it checks cudaGetDeviceCount
// before any handle is made and throws backend_error("... no CUDA device ...") when there is no
// usable device; the next use tries again.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "dermtl/backend/cuda/check.hpp"
#include "dermtl/backend/cuda/driver_probe.hpp"
#include "dermtl/backend/precision.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::backend {

// Precision policies (backend::precision::float32, tf32, bf16) live in backend/precision.hpp;
// ops<cuda>::use_precision<P>() applies tf32 process-wide; bf16 is carried by the network
// (cuda/numerics.hpp).

// Run-time numeric options of the CUDA backend (process-wide; set before training).
struct cuda_options {
    // Only cuDNN algorithms that give bitwise-repeatable results (and deterministic max-pool
    // backward): the same seed gives the same weights on the same GPU and library versions.
    bool deterministic = false;
    // TF32 tensor cores for convolutions and matrix products (precision::tf32); off = float32.
    bool tf32 = false;
    // The most cuDNN workspace one convolution direction may use, in bytes (0: no limit). Faster
    // algorithms often need more; a candidate over the limit is passed over for the next one.
    std::size_t workspace_limit = 0;
};

}  // namespace dermtl::backend

namespace dermtl::backend::cuda_detail {

class context {
public:
    // The process's context; the first call checks for a device (see the file comment).
    static context& get() {
        static context instance;
        return instance;
    }

    context(const context&) = delete;
    context& operator=(const context&) = delete;

    ~context() {
        // Errors are ignored here: at exit the CUDA runtime may already be shutting down. The
        // handles (unique_handle members) are destroyed after this body.
        if (workspace_) cudaFree(workspace_);
        if (scratch_) cudaFree(scratch_);
        if (reduction_) cudaFree(reduction_);
    }

    cudnnHandle_t cudnn() const { return cudnn_.get(); }
    cublasHandle_t cublas() const { return cublas_.get(); }
    cudnnActivationDescriptor_t relu_descriptor() const { return relu_.get(); }
    const std::string& device_name() const { return device_name_; }
    int device() const { return device_; }
    // The device's compute capability (8.0 for an A100, 9.0 for an H100).
    int major() const { return major_; }
    int minor() const { return minor_; }

    const cuda_options& options() const { return options_; }
    // Changing the options makes every layer choose its algorithms again (generation changes).
    void set_options(const cuda_options& o) {
        options_ = o;
        ++generation_;
        DERMTL_CUBLAS_CHECK(cublasSetMathMode(cublas(), o.tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    }
    std::uint64_t generation() const { return generation_; }

    // The cuDNN workspace, grown to the largest request (so only the first step of a given
    // shape allocates); `what` names the layer/operation for the out-of-memory message.
    void* workspace(std::size_t bytes, const std::string& what) {
        if (bytes <= workspace_bytes_) return workspace_;
        if (workspace_) {
            DERMTL_CUDA_CHECK(cudaFree(workspace_));
            live_bytes_ -= workspace_bytes_;
            workspace_ = nullptr;
            workspace_bytes_ = 0;
        }
        workspace_ = allocate(bytes, "cuDNN workspace for " + what, 0);
        workspace_bytes_ = bytes;
        return workspace_;
    }

    // The workspace for a fallback walk (cuda/algorithm_choice.hpp): nullptr when the device is out
    // of memory for it (the error is cleared), so the caller can try an algorithm that needs less.
    // The old workspace is freed first, so the memory it held counts as free.
    void* try_workspace(std::size_t bytes) {
        if (bytes <= workspace_bytes_) return bytes ? workspace_ : nullptr;
        if (workspace_) {
            DERMTL_CUDA_CHECK(cudaFree(workspace_));
            live_bytes_ -= workspace_bytes_;
            workspace_ = nullptr;
            workspace_bytes_ = 0;
        }
        void* p = nullptr;
        const cudaError_t e = cudaMalloc(&p, bytes);
        if (e == cudaErrorMemoryAllocation) {
            (void)cudaGetLastError();
            return nullptr;
        }
        if (e != cudaSuccess)
            throw_call_failed("cudaMalloc(" + std::to_string(bytes) + " bytes of cuDNN workspace)", __FILE__, __LINE__,
                              status_text(e));
        workspace_ = p;
        workspace_bytes_ = bytes;
        live_bytes_ += bytes;
        return p;
    }

    // Per-block partial sums of the bias-gradient reduction (kernels::channel_partial_sums).
    float* reduction(std::size_t floats) {
        const std::size_t bytes = floats * sizeof(float);
        if (bytes <= reduction_bytes_) return static_cast<float*>(reduction_);
        if (reduction_) {
            DERMTL_CUDA_CHECK(cudaFree(reduction_));
            live_bytes_ -= reduction_bytes_;
            reduction_ = nullptr;
            reduction_bytes_ = 0;
        }
        reduction_ = allocate(bytes, "the bias-gradient reduction", 0);
        reduction_bytes_ = bytes;
        return static_cast<float*>(reduction_);
    }

    // Small scratch memory (labels, per-row losses, the non-finite index), grown as needed.
    void* scratch(std::size_t bytes) {
        if (bytes <= scratch_bytes_) return scratch_;
        if (scratch_) {
            DERMTL_CUDA_CHECK(cudaFree(scratch_));
            live_bytes_ -= scratch_bytes_;
            scratch_ = nullptr;
            scratch_bytes_ = 0;
        }
        const std::size_t rounded = (bytes + 4095) / 4096 * 4096;
        scratch_ = allocate(rounded, "CUDA backend scratch memory", 0);
        scratch_bytes_ = rounded;
        return scratch_;
    }

    // cudaMalloc, checked. Out of memory names the bytes, what they were for, the free memory,
    // and (when `batch` > 0, the leading dimension of the tensor being allocated) a batch size
    // estimated to fit.
    void* allocate(std::size_t bytes, const std::string& what, std::size_t batch) {
        void* p = nullptr;
        const cudaError_t e = cudaMalloc(&p, bytes);
        if (e == cudaErrorMemoryAllocation) {
            (void)cudaGetLastError();  // clear the sticky-free error state
            std::size_t free = 0, total = 0;
            (void)cudaMemGetInfo(&free, &total);
            std::string msg = "backend::cuda: out of device memory allocating " + std::to_string(bytes) +
                              " bytes for " + what + " on " + device_name_ + " (" + std::to_string(free) +
                              " of " + std::to_string(total) + " bytes free, " + std::to_string(live_bytes_) +
                              " held by dermtl)";
            if (batch > 1) {
                // Activations scale with the batch; assume everything dermtl holds does (an
                // overestimate of what the batch costs, so the suggestion errs small).
                const double per_batch = double(live_bytes_ + bytes) / double(batch);
                const double fits = double(live_bytes_ + free) / per_batch;
                const std::size_t suggest = fits >= 1.0 ? std::size_t(fits * 0.9) : 0;
                if (suggest >= 1 && suggest < batch)
                    msg += "; use a smaller batch: about " + std::to_string(suggest) + " instead of " +
                           std::to_string(batch) + " should fit";
                else
                    msg += "; use a smaller batch or a smaller network";
            } else {
                msg += "; use a smaller batch or a smaller network";
            }
            throw backend_error(msg);
        }
        if (e != cudaSuccess)
            throw_call_failed("cudaMalloc(" + std::to_string(bytes) + " bytes for " + what + ")", __FILE__, __LINE__,
                              status_text(e));
        live_bytes_ += bytes;
        return p;
    }
    void release(void* p, std::size_t bytes) noexcept {
        if (!p) return;
        cudaFree(p);  // not checked: also runs from destructors, possibly during exit
        live_bytes_ -= bytes;
    }
    std::size_t live_bytes() const { return live_bytes_; }

private:
    static void throw_call_failed(const std::string& call, const char* file, int line, const std::string& status) {
        cuda_detail::throw_call_failed(call.c_str(), file, line, status);
    }

    context() {
        int count = 0;
        const cudaError_t e = cudaGetDeviceCount(&count);
        if (e != cudaSuccess || count == 0) {
            (void)cudaGetLastError();
            // Whether a driver is there at all, and new enough, decides what to say (the error code
            // is the same for "no driver" and "driver too old").
            const driver_judgement driver = judge_driver(read_driver_facts(), CUDART_VERSION);
            throw backend_error(
                "backend::cuda: no CUDA device: cudaGetDeviceCount " +
                (e != cudaSuccess ? "failed with " + status_text(e) : std::string("found 0 devices")) + "; " +
                driver.message +
                "; this build has the CUDA backend, but this machine (or CUDA_VISIBLE_DEVICES) offers no usable "
                "NVIDIA GPU -- run on a machine with one, or use backend::cpu");
        }
        DERMTL_CUDA_CHECK(cudaSetDevice(device_));
        cudaDeviceProp prop{};
        DERMTL_CUDA_CHECK(cudaGetDeviceProperties(&prop, device_));
        device_name_ = prop.name;
        major_ = prop.major;
        minor_ = prop.minor;
        check_device_code(prop);
        cudnnHandle_t dnn = nullptr;
        DERMTL_CUDNN_CHECK(cudnnCreate(&dnn));
        cudnn_.reset(dnn);
        cublasHandle_t blas = nullptr;
        DERMTL_CUBLAS_CHECK(cublasCreate(&blas));
        cublas_.reset(blas);
        DERMTL_CUBLAS_CHECK(cublasSetMathMode(blas, CUBLAS_DEFAULT_MATH));
        cudnnActivationDescriptor_t relu = nullptr;
        DERMTL_CUDNN_CHECK(cudnnCreateActivationDescriptor(&relu));
        relu_.reset(relu);
        DERMTL_CUDNN_CHECK(cudnnSetActivationDescriptor(relu, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0));
    }

    // A GPU this build has no code for fails here, at first use, naming its compute capability and
    // the CUDA_ARCH to build (and not later as cudaErrorNoKernelImageForDevice at some launch).
    void check_device_code(const cudaDeviceProp& prop) const {
#if defined(__CUDA_ARCH_LIST__)
#define DERMTL_CUDA_STRINGIZE2(x) #x
#define DERMTL_CUDA_STRINGIZE(x) DERMTL_CUDA_STRINGIZE2(x)
        std::string archs;  // "900" or "800,900" -> "90" or "80;90"
        for (char ch : std::string(DERMTL_CUDA_STRINGIZE(__CUDA_ARCH_LIST__))) {
            if (ch == ',') archs += ';';
            else if (ch >= '0' && ch <= '9') archs += ch;
        }
#undef DERMTL_CUDA_STRINGIZE
#undef DERMTL_CUDA_STRINGIZE2
        std::string entries;
        for (std::size_t start = 0; start < archs.size();) {
            const std::size_t end = std::min(archs.find(';', start), archs.size());
            const std::string a = archs.substr(start, end - start);
            entries += (entries.empty() ? "" : ";") + a.substr(0, a.size() > 1 ? a.size() - 1 : a.size());
            start = end + 1;
        }
        if (!entries.empty() && !build_runs_on(entries, prop.major, prop.minor))
            throw backend_error("backend::cuda: GPU " + std::to_string(device_) + " (" + prop.name +
                                ", compute capability " + std::to_string(prop.major) + "." + std::to_string(prop.minor) +
                                ") has no code in this build (compiled for CUDA_ARCH " + entries +
                                "); rebuild with CUDA_ARCH=" + std::to_string(prop.major) + std::to_string(prop.minor) +
                                " (scripts/gpu_build.sh) or -DCMAKE_CUDA_ARCHITECTURES=" + std::to_string(prop.major) +
                                std::to_string(prop.minor));
#else
        (void)prop;
#endif
    }

    int device_ = 0;
    int major_ = 0, minor_ = 0;
    std::string device_name_;
    unique_handle<cudnnHandle_t, cudnnDestroy> cudnn_;
    unique_handle<cublasHandle_t, cublasDestroy> cublas_;
    unique_handle<cudnnActivationDescriptor_t, cudnnDestroyActivationDescriptor> relu_;
    cuda_options options_{};
    std::uint64_t generation_ = 1;
    void* workspace_ = nullptr;
    std::size_t workspace_bytes_ = 0;
    void* scratch_ = nullptr;
    std::size_t scratch_bytes_ = 0;
    void* reduction_ = nullptr;
    std::size_t reduction_bytes_ = 0;
    std::size_t live_bytes_ = 0;
};

// Threads per block and blocks for an element-wise kernel over n elements (grid-stride loops).
inline unsigned blocks_for(std::size_t n, unsigned threads = 256) {
    const std::size_t b = (n + threads - 1) / threads;
    return unsigned(b < 65535 * 16 ? (b == 0 ? 1 : b) : 65535 * 16);
}

}  // namespace dermtl::backend::cuda_detail
