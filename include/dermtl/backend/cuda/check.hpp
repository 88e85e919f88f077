#pragma once
// Checked CUDA, cuDNN and cuBLAS calls. Every call into the three libraries goes through one of
// these macros; a failure throws dermtl::backend_error naming the call as written, file:line and
// the library's status name and text, e.g.
//   backend::cuda: cudnnConvolutionForward(...) failed at conv.hpp:120: CUDNN_STATUS_BAD_PARAM (...)
// With DERMTL_CUDA_SYNC_CHECK=1 (cuda/debug_options.hpp) every cuDNN and cuBLAS call and every
// kernel launch is followed by cudaDeviceSynchronize, so an asynchronous fault (an illegal address
// in a kernel) is reported by the call that caused it, not by some later call.
#include <memory>
#include <string>
#include <type_traits>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "dermtl/backend/cuda/debug_options.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::backend::cuda_detail {

[[noreturn]] inline void throw_call_failed(const char* call, const char* file, int line, const std::string& status) {
    std::string where = file;
    if (const auto slash = where.find_last_of('/'); slash != std::string::npos) where = where.substr(slash + 1);
    throw backend_error("backend::cuda: " + std::string(call) + " failed at " + where + ":" + std::to_string(line) +
                        ": " + status);
}

inline std::string status_text(cudaError_t e) {
    return std::string(cudaGetErrorName(e)) + " (" + cudaGetErrorString(e) + ")";
}
inline std::string status_text(cudnnStatus_t s) {
    return std::string(cudnnGetErrorString(s)) + " (cuDNN status " + std::to_string(int(s)) + ")";
}
inline std::string status_text(cublasStatus_t s) {
    return std::string(cublasGetStatusName(s)) + " (" + cublasGetStatusString(s) + ")";
}

// Owning pointer for a cuDNN/cuBLAS handle or descriptor: destroyed with its owner, also when the
// owner's constructor throws after making it (errors at destruction are ignored: it may run at exit).
template <class Handle, auto Destroy>
struct handle_destroyer {
    void operator()(Handle h) const noexcept { (void)Destroy(h); }
};
template <class Handle, auto Destroy>
using unique_handle = std::unique_ptr<std::remove_pointer_t<Handle>, handle_destroyer<Handle, Destroy>>;

// DERMTL_CUDA_SYNC_CHECK=1: waits for the device after `call` and names it if the wait fails.
inline void sync_check_after(const char* call, const char* file, int line) {
    if (!sync_check_enabled()) return;
    const cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess)
        throw_call_failed((std::string(call) + " (fault found by the DERMTL_CUDA_SYNC_CHECK synchronization after it)")
                              .c_str(),
                          file, line, status_text(e));
}

}  // namespace dermtl::backend::cuda_detail

#define DERMTL_CUDA_CHECK(call)                                                                       \
    do {                                                                                              \
        const cudaError_t dermtl_status_ = (call);                                                    \
        if (dermtl_status_ != cudaSuccess)                                                            \
            ::dermtl::backend::cuda_detail::throw_call_failed(                                        \
                #call, __FILE__, __LINE__, ::dermtl::backend::cuda_detail::status_text(dermtl_status_)); \
    } while (0)

#define DERMTL_CUDNN_CHECK(call)                                                                      \
    do {                                                                                              \
        const cudnnStatus_t dermtl_status_ = (call);                                                  \
        if (dermtl_status_ != CUDNN_STATUS_SUCCESS)                                                   \
            ::dermtl::backend::cuda_detail::throw_call_failed(                                        \
                #call, __FILE__, __LINE__, ::dermtl::backend::cuda_detail::status_text(dermtl_status_)); \
        ::dermtl::backend::cuda_detail::sync_check_after(#call, __FILE__, __LINE__);                  \
    } while (0)

#define DERMTL_CUBLAS_CHECK(call)                                                                     \
    do {                                                                                              \
        const cublasStatus_t dermtl_status_ = (call);                                                 \
        if (dermtl_status_ != CUBLAS_STATUS_SUCCESS)                                                  \
            ::dermtl::backend::cuda_detail::throw_call_failed(                                        \
                #call, __FILE__, __LINE__, ::dermtl::backend::cuda_detail::status_text(dermtl_status_)); \
        ::dermtl::backend::cuda_detail::sync_check_after(#call, __FILE__, __LINE__);                  \
    } while (0)

// Kernel launches: the launch error (bad configuration, no device) is checked right after it.
#define DERMTL_CUDA_CHECK_LAUNCH(kernel_name)                                                         \
    do {                                                                                              \
        const cudaError_t dermtl_status_ = cudaGetLastError();                                        \
        if (dermtl_status_ != cudaSuccess)                                                            \
            ::dermtl::backend::cuda_detail::throw_call_failed(                                        \
                #kernel_name "<<<...>>> (kernel launch)", __FILE__, __LINE__,                         \
                ::dermtl::backend::cuda_detail::status_text(dermtl_status_));                         \
        ::dermtl::backend::cuda_detail::sync_check_after(#kernel_name "<<<...>>> (kernel launch)", __FILE__,  \
                                                         __LINE__);                                   \
    } while (0)
