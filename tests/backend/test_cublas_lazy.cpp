// apps/lazy_load/cublas_lazy.cpp: cuBLAS is loaded when the backend first calls it, not when a
// process starts, and a cuBLAS that cannot be loaded is reported at that call. No GPU needed:
// cuBLAS's status strings and cublasCreate's refusal without a device run on any machine.
#include <catch2/catch.hpp>

#include <cublas_v2.h>
#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "support/files.hpp"  // dermtl::testing::mapped_in_this_process

// One process, in this order: nothing of cuBLAS at start, the real library after the first call.
TEST_CASE("cuBLAS is mapped only after the first cuBLAS call, and then it answers as cuBLAS", "[cuda][cublas]") {
    if (const char* other = std::getenv("DERMTL_CUBLAS_LIBRARY"); other && *other) {
        // The failure path (the second registration of this test): the library cannot be loaded.
        cublasHandle_t handle = nullptr;
        CHECK(cublasCreate_v2(&handle) == CUBLAS_STATUS_NOT_INITIALIZED);
        const float one = 1.0f;  // bf16 dense layers' entry point: the same refusal
        CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, nullptr, CUDA_R_16BF, 1, nullptr, CUDA_R_16BF,
                           1, &one, nullptr, CUDA_R_32F, 1, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT) ==
              CUBLAS_STATUS_NOT_INITIALIZED);
        const std::string why = cublasGetStatusString(CUBLAS_STATUS_NOT_INITIALIZED);
        CHECK(why.find("cuBLAS could not be loaded") != std::string::npos);
        CHECK(why.find(other) != std::string::npos);
        CHECK_FALSE(dermtl::testing::mapped_in_this_process("libcublas"));
        return;
    }
    REQUIRE_FALSE(dermtl::testing::mapped_in_this_process("libcublas"));
    REQUIRE_FALSE(dermtl::testing::mapped_in_this_process("libcublasLt"));
    // The real library's own strings (the shim has none of its own for these).
    CHECK(std::string(cublasGetStatusName(CUBLAS_STATUS_INVALID_VALUE)) == "CUBLAS_STATUS_INVALID_VALUE");
    CHECK(std::string(cublasGetStatusString(CUBLAS_STATUS_SUCCESS)).find("success") != std::string::npos);
    CHECK(dermtl::testing::mapped_in_this_process("libcublas.so"));
    // Without a usable GPU, cuBLAS itself refuses to create a handle (no device or no driver).
    cublasHandle_t handle = nullptr;
    const cublasStatus_t created = cublasCreate_v2(&handle);
    if (created == CUBLAS_STATUS_SUCCESS) {
        CHECK(cublasDestroy_v2(handle) == CUBLAS_STATUS_SUCCESS);  // a GPU machine
    } else {
        CHECK(created == CUBLAS_STATUS_NOT_INITIALIZED);
    }
    // Every entry point the shim forwards by name is one the loaded library has (a misspelt name
    // would only fail at that call, on a GPU machine).
    void* lib = ::dlopen(DERMTL_CUBLAS_SONAME, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(lib != nullptr);
    for (const char* name : {"cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSetMathMode",
                             "cublasSgemm_v2", "cublasGemmEx", "cublasGetStatusName", "cublasGetStatusString"}) {
        INFO(name);
        CHECK(::dlsym(lib, name) != nullptr);
    }
    ::dlclose(lib);
}
