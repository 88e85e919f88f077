#pragma once
// The CUDA backend's diagnostics, switched on by environment variables (read once per process):
//   DERMTL_CUDA_SYNC_CHECK=1   synchronize after every kernel launch and cuDNN/cuBLAS call, so an
//                              asynchronous fault is reported by the call that caused it (slow;
//                              for finding faults, not for measuring);
//   DERMTL_CUDA_LOG_CHOICES=1  one line on stderr per convolution direction when its algorithm is
//                              settled: the algorithm, math type and workspace (cuDNN's own debug
//                              log is far too large to bring back from a device).
// Plain C++, so the parsing is tested everywhere (tests/backend/test_cuda_host.cpp).
#include <cstdlib>
#include <string>

namespace dermtl::backend::cuda_detail {

// Whether an environment value switches a diagnostic on: "1", "on", "yes" or "true".
inline bool flag_value_on(const char* value) {
    if (!value) return false;
    const std::string v = value;
    return v == "1" || v == "on" || v == "yes" || v == "true" || v == "ON" || v == "YES" || v == "TRUE";
}

inline bool sync_check_enabled() {
    static const bool on = flag_value_on(std::getenv("DERMTL_CUDA_SYNC_CHECK"));
    return on;
}

inline bool log_choices_enabled() {
    static const bool on = flag_value_on(std::getenv("DERMTL_CUDA_LOG_CHOICES"));
    return on;
}

}  // namespace dermtl::backend::cuda_detail
