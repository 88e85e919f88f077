// cuBLAS, loaded on first use. cuBLAS 13 is libcublas.so (54 MB) over libcublasLt.so (542 MB):
// linked the usual way, the dynamic loader maps and relocates both at the start of every process,
// about 0.55 s of CPU each time on this project's 2-core machines, whether or not the process ever
// touches a GPU. The dermtl tool starts hundreds of times in the test suite, almost always on a CPU
// backend. So the project's own CUDA binaries link this small static library instead (CMake
// target dermtl_cublas_lazy, through dermtl::cuda): it defines the cuBLAS entry points the CUDA
// backend calls, and each one loads the real library (dlopen, by the soname of the toolkit the build
// used) the first time any of them runs, then forwards to it.
//
// If the library cannot be loaded, the calls return CUBLAS_STATUS_NOT_INITIALIZED and
// cublasGetStatusString says why (the loader's message and the soname it tried), so the backend's
// usual status check (backend/cuda/check.hpp) reports it at first use. DERMTL_CUBLAS_LIBRARY names
// another file to load (a test uses it for the failure path).
//
// A user's own program that includes the headers links CUDA::cublas as usual; this is a property
// of the project's build, not of the library's contract.
#include <cublas_v2.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#ifndef DERMTL_CUBLAS_SONAME
#error "DERMTL_CUBLAS_SONAME (the toolkit's libcublas soname, e.g. \"libcublas.so.13\") must be defined by the build"
#endif

namespace dermtl::lazy_load {

struct cublas_library {
    void* handle = nullptr;
    std::string error;  // why it could not be loaded (empty when loaded)
};

const cublas_library& cublas() {
    static const cublas_library lib = [] {
        cublas_library l;
        const char* override_path = std::getenv("DERMTL_CUBLAS_LIBRARY");
        const std::string name = override_path && *override_path ? override_path : DERMTL_CUBLAS_SONAME;
        l.handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!l.handle) {
            const char* why = ::dlerror();
            l.error = "cuBLAS could not be loaded: expected the shared library '" + name +
                      "' (the CUDA toolkit's cuBLAS, on the loader's path: LD_LIBRARY_PATH, or the toolkit's "
                      "lib64), found: " + (why ? why : "no reason given");
        }
        return l;
    }();
    return lib;
}

// The real function `name`, or nullptr (and the reason in `missing`) when cuBLAS or the symbol
// is not there.
void* symbol(const char* name, std::string& missing) {
    const auto& lib = cublas();
    if (!lib.handle) {
        missing = lib.error;
        return nullptr;
    }
    void* f = ::dlsym(lib.handle, name);
    if (!f) missing = std::string("cuBLAS has no function '") + name + "' (a cuBLAS older than the build's headers?)";
    return f;
}

// The last reason a forwarded call could not reach cuBLAS, for cublasGetStatusString.
std::string& last_failure() {
    static std::string s;
    return s;
}
std::mutex& failure_mutex() {
    static std::mutex m;
    return m;
}

template <class F>
F resolve(const char* name) {
    std::string missing;
    void* f = symbol(name, missing);
    if (!f) {
        std::lock_guard lock(failure_mutex());
        last_failure() = missing;
    }
    return reinterpret_cast<F>(f);
}

}  // namespace dermtl::lazy_load

// Each entry point: the real function, resolved once; NOT_INITIALIZED when it is not there.
#define DERMTL_CUBLAS_FORWARD(name, params, args)                                                    \
    cublasStatus_t CUBLASWINAPI name params {                                                        \
        static const auto real = dermtl::lazy_load::resolve<decltype(&name)>(#name);               \
        return real ? real args : CUBLAS_STATUS_NOT_INITIALIZED;                                     \
    }

extern "C" {

DERMTL_CUBLAS_FORWARD(cublasCreate_v2, (cublasHandle_t* handle), (handle))
DERMTL_CUBLAS_FORWARD(cublasDestroy_v2, (cublasHandle_t handle), (handle))
DERMTL_CUBLAS_FORWARD(cublasSetStream_v2, (cublasHandle_t handle, cudaStream_t stream), (handle, stream))
DERMTL_CUBLAS_FORWARD(cublasSetMathMode, (cublasHandle_t handle, cublasMath_t mode), (handle, mode))
DERMTL_CUBLAS_FORWARD(cublasSgemm_v2,
                      (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
                       const float* alpha, const float* A, int lda, const float* B, int ldb, const float* beta,
                       float* C, int ldc),
                      (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc))

// bf16 dense layers (backend/cuda/dense.hpp). Written out: cublas_api.h also declares a C++ overload
// of cublasGemmEx (taking a cudaDataType compute type), so decltype(&cublasGemmEx) would be ambiguous.
cublasStatus_t CUBLASWINAPI cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                         int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda,
                                         const void* B, cudaDataType Btype, int ldb, const void* beta, void* C,
                                         cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
                                         cublasGemmAlgo_t algo) {
    using gemm_ex = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                       const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                                       cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t);
    static const auto real = dermtl::lazy_load::resolve<gemm_ex>("cublasGemmEx");
    return real ? real(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc,
                       computeType, algo)
                : CUBLAS_STATUS_NOT_INITIALIZED;
}

const char* CUBLASWINAPI cublasGetStatusName(cublasStatus_t status) {
    static const auto real = dermtl::lazy_load::resolve<decltype(&cublasGetStatusName)>("cublasGetStatusName");
    return real ? real(status) : "CUBLAS_STATUS_NOT_INITIALIZED";
}

const char* CUBLASWINAPI cublasGetStatusString(cublasStatus_t status) {
    static const auto real = dermtl::lazy_load::resolve<decltype(&cublasGetStatusString)>("cublasGetStatusString");
    if (real) return real(status);
    std::lock_guard lock(dermtl::lazy_load::failure_mutex());
    return dermtl::lazy_load::last_failure().c_str();
}

}  // extern "C"
