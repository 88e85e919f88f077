// A stand-in for the NVIDIA driver's libcuda.so.1 that exports only cuDriverGetVersion, answering
// DERMTL_STUB_DRIVER_VERSION (default 12040: CUDA 12.4, an R550 driver -- too old for CUDA 13).
// Built as libcuda.so.1 in a folder of its own (tests/backend/CMakeLists.txt) for the "driver too
// old" path of cuda_device_probe and cuda/driver_probe.hpp on machines without any driver.
#include <cstdlib>

extern "C" __attribute__((visibility("default"))) int cuDriverGetVersion(int* version) {
    const char* v = std::getenv("DERMTL_STUB_DRIVER_VERSION");
    *version = v ? std::atoi(v) : 12040;
    return 0;  // CUDA_SUCCESS
}
