// The skip rule of every GPU test (backend.cuda_gpu, programs.cuda_vs_cpu, scripts/gpu_check.sh):
//   exit 0   a usable CUDA device (prints its name, compute capability, driver and runtime);
//   exit 77  no NVIDIA driver on this machine (ctest: skipped), or every GPU hidden on purpose
//            (CUDA_VISIBLE_DEVICES=-1 or empty);
//   exit 1   a driver that is there but cannot serve this build: too old for the CUDA runtime
//            (naming both versions), no device behind it, a GPU the build has no code for, or any
//            other CUDA error -- a failure, never a skip.
// The driver's presence (libcuda.so.1, /proc/driver/nvidia/version) decides skip or fail, not the
// error code, which reads "insufficient driver" in both cases (cuda/driver_probe.hpp).
//
//   cuda_device_probe [--libcuda PATH] [--proc-version PATH]   (the tests point these at a stub)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <cuda_runtime_api.h>

#include "dermtl/backend/cuda/driver_probe.hpp"

#ifndef DERMTL_CUDA_ARCHITECTURES
#define DERMTL_CUDA_ARCHITECTURES ""
#endif

int main(int argc, char** argv) {
    using namespace dermtl::backend::cuda_detail;
    std::string libcuda = "libcuda.so.1", proc = "/proc/driver/nvidia/version";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--libcuda" && i + 1 < argc) libcuda = argv[++i];
        else if (a == "--proc-version" && i + 1 < argc) proc = argv[++i];
        else {
            std::fprintf(stderr, "cuda_device_probe: unknown argument '%s'; usage: cuda_device_probe [--libcuda PATH] "
                                 "[--proc-version PATH]\n", argv[i]);
            return 2;
        }
    }
    const driver_judgement driver = judge_driver(read_driver_facts(libcuda, proc), CUDART_VERSION);
    if (driver.verdict == driver_verdict::no_driver) {
        std::printf("skipped: %s -- the [gpu] tests need an NVIDIA GPU\n", driver.message.c_str());
        return 77;
    }
    if (driver.verdict == driver_verdict::driver_too_old) {
        std::printf("FAIL: %s\n", driver.message.c_str());
        return 1;
    }
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    const bool hidden = visible && (std::strcmp(visible, "-1") == 0 || visible[0] == '\0');
    if ((e != cudaSuccess || count == 0) && hidden) {
        std::printf("skipped: CUDA_VISIBLE_DEVICES='%s' hides every GPU (%s)\n", visible, driver.message.c_str());
        return 77;
    }
    if (e != cudaSuccess) {
        std::printf("FAIL: %s, but cudaGetDeviceCount failed with %s (%s)\n", driver.message.c_str(),
                    cudaGetErrorName(e), cudaGetErrorString(e));
        return 1;
    }
    if (count == 0) {
        std::printf("FAIL: %s, but it offers no CUDA device\n", driver.message.c_str());
        return 1;
    }
    cudaDeviceProp prop{};
    const cudaError_t pe = cudaGetDeviceProperties(&prop, 0);
    if (pe != cudaSuccess) {
        std::printf("FAIL: cudaGetDeviceProperties(0) failed with %s\n", cudaGetErrorName(pe));
        return 1;
    }
    int runtime = 0;
    (void)cudaRuntimeGetVersion(&runtime);
    const std::string archs = DERMTL_CUDA_ARCHITECTURES;
    std::printf("CUDA device 0: %s, compute capability %d.%d, %.1f GiB; %s; runtime %s; built for CUDA_ARCH %s\n",
                prop.name, prop.major, prop.minor, double(prop.totalGlobalMem) / (1024.0 * 1024 * 1024),
                driver.message.c_str(), cuda_version_text(runtime).c_str(), archs.empty() ? "?" : archs.c_str());
    if (!archs.empty() && !build_runs_on(archs, prop.major, prop.minor)) {
        std::printf("FAIL: GPU 0 (%s, compute capability %d.%d) has no code in this build (CUDA_ARCH %s); rebuild "
                    "with CUDA_ARCH=%d%d (scripts/gpu_build.sh)\n",
                    prop.name, prop.major, prop.minor, archs.c_str(), prop.major, prop.minor);
        return 1;
    }
    return 0;
}
