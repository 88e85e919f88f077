// Exits 0 when a CUDA device is usable, else prints "skipped: no CUDA device (...)" and exits 77,
// which ctest reports as a skipped test (SKIP_RETURN_CODE). Runs before the [gpu] tests.
#include <cstdio>

#include <cuda_runtime_api.h>

int main() {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        std::printf("skipped: no CUDA device (cudaGetDeviceCount: %s) -- the [gpu] tests need an NVIDIA GPU\n",
                    e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
        return 77;
    }
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) std::printf("CUDA device 0: %s\n", prop.name);
    return 0;
}
