#pragma once
// What the CUDA backend's test files share (test_cuda.cpp: operations; test_cuda_network.cpp:
// networks): the tolerance, random tensors, the GPU-or-skip guard, geometry helpers.
#include <catch2/catch.hpp>


#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <limits>
#include <vector>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/backend/cuda/driver_probe.hpp"
#include "dermtl/backend/cuda/ops.hpp"
#include "dermtl/core/shape.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"
#include "backend_compare.hpp"

using namespace dermtl;
using cpu = backend::ops<backend::cpu>;
using gpu = backend::ops<backend::cuda>;
using Catch::Matchers::Contains;

namespace {

using dermtl::testing::backend_compare::tolerance;  // the oneDNN tests' bound too

// The skip rule of cuda_device_probe (cuda/driver_probe.hpp), for a test binary run directly: no
// NVIDIA driver (or every GPU hidden on purpose by CUDA_VISIBLE_DEVICES) skips; a driver that is
// there but too old, or a runtime error behind a present driver, fails -- never a green skip.
struct gpu_check {
    bool usable = false;
    bool skip = false;
    std::string why;
};

inline gpu_check check_gpu() {
    using namespace backend::cuda_detail;
    const driver_judgement driver = judge_driver(read_driver_facts(), CUDART_VERSION);
    if (driver.verdict == driver_verdict::no_driver) return {false, true, driver.message};
    if (driver.verdict == driver_verdict::driver_too_old) return {false, false, driver.message};
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    (void)cudaGetLastError();
    if (e == cudaSuccess && count > 0) return {true, false, ""};
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    const bool hidden = visible && (std::strcmp(visible, "-1") == 0 || visible[0] == '\0');
    const std::string found = e != cudaSuccess ? std::string("cudaGetDeviceCount failed with ") + cudaGetErrorName(e)
                                               : std::string("no CUDA device");
    return {false, hidden, driver.message + ", but " + found + (hidden ? " (CUDA_VISIBLE_DEVICES hides them)" : "")};
}

#define DERMTL_REQUIRE_GPU_OR_SKIP()                                          \
    do {                                                                      \
        static const gpu_check dermtl_gpu_ = check_gpu();                     \
        if (!dermtl_gpu_.usable) {                                            \
            if (!dermtl_gpu_.skip) FAIL("GPU unusable: " << dermtl_gpu_.why); \
            WARN("skipped: " << dermtl_gpu_.why);                             \
            std::fprintf(stderr, "skipped: %s\n", dermtl_gpu_.why.c_str());   \
            return;                                                           \
        }                                                                     \
    } while (0)

host_tensor random_tensor(const dims4& d, rng& gen, float scale = 1.0f) {
    host_tensor t(d);
    for (auto& v : t) v = float(gen.normal()) * scale;
    return t;
}

// Checks shape equality and |a - b| <= tol * max(1, max|b|); reports the worst element.
void require_close(const host_tensor& got, const host_tensor& want, const char* what, double tol = tolerance) {
    testing::backend_compare::compare_close(got, want, what, tol, "gpu", false);
}

host_tensor host(const gpu::tensor& t) { return gpu::to_host(t); }

struct geometry_pair {
    cpu::window_geometry c;
    gpu::window_geometry g;
};

// Both backends' geometry for a square window with asymmetric padding and the given rounding.
geometry_pair make_geometry(std::size_t channels, std::size_t h, std::size_t w, std::size_t k, std::size_t s,
                            padding p, rounding r) {
    const std::size_t oh = window_count(h, k, s, p.top, p.bottom, r), ow = window_count(w, k, s, p.left, p.right, r);
    return {{channels, h, w, k, k, s, s, p.top, p.left, oh, ow}, {channels, h, w, k, k, s, s, p.top, p.left, oh, ow}};
}

}  // namespace
