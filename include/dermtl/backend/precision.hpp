#pragma once
// The arithmetic a network computes in: precision policies (tags of documented constexpr values)
// and the run-time value a network carries (backend::numerics), for every backend.
//
//   float32  IEEE float32 everywhere. The default, and the paper's arithmetic.
//   tf32     CUDA only: convolutions and matrix products on tensor cores with TF32 inputs (10-bit
//            mantissa), float32 accumulation and storage.
//   bf16     Mixed precision as the field does it: convolutions and inner products read bf16
//            (8-bit mantissa) activations and weights and accumulate in float32; master weights,
//            the SGD update, the loss, softmax and the L2 penalty stay float32, and so do the
//            features a classifier reads (fc7). oneDNN from avx512_core up (native with
//            avx512_bf16 or AMX); CUDA: see docs/performance.md.
//
// Why a run-time value and not a template parameter of the network: the precision changes the
// kernels a layer picks, not the layer's types (parameter shapes, the network's layer list, the
// cell's policies). A type would double (tf32: triple) every compiled experiment cell and the
// tool's build time for what is one field in each layer's backend state; as a value it is carried
// by the network (network::set_numerics), recorded like the cell id's `target` axis (only when not
// float32, so float32 results keep their ids and fingerprints), and checked once, where it is set,
// against what the backend offers (backend::check_numerics in backend/contract.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dermtl::backend {

// The run-time value of a precision policy.
enum class precision_kind : std::uint8_t { float32, tf32, bf16 };

namespace precision {

// IEEE float32 everywhere (cuBLAS default math, cuDNN FMA-only algorithms; oneDNN f32 kernels).
struct float32 {
    static constexpr const char* name = "float32";
    static constexpr precision_kind kind = precision_kind::float32;
    static constexpr bool tf32_tensor_cores = false;
    static constexpr bool bf16_compute = false;
};

// Opt-in, CUDA: TF32 tensor cores (cuBLAS CUBLAS_TF32_TENSOR_OP_MATH, cuDNN tensor-op math),
// float32 accumulation and storage. Several times float32's throughput on Ampere and later.
struct tf32 {
    static constexpr const char* name = "tf32";
    static constexpr precision_kind kind = precision_kind::tf32;
    static constexpr bool tf32_tensor_cores = true;
    static constexpr bool bf16_compute = false;
};

// Opt-in: bf16 inputs to convolutions and inner products, float32 accumulation, float32 master
// weights, update, loss and features (see the file comment).
struct bf16 {
    static constexpr const char* name = "bf16";
    static constexpr precision_kind kind = precision_kind::bf16;
    static constexpr bool tf32_tensor_cores = false;
    static constexpr bool bf16_compute = true;
};

}  // namespace precision

constexpr std::string_view precision_name(precision_kind p) {
    switch (p) {
        case precision_kind::float32: return precision::float32::name;
        case precision_kind::tf32: return precision::tf32::name;
        case precision_kind::bf16: return precision::bf16::name;
    }
    return "unknown";
}

// The precision named `name` ("float32", "tf32", "bf16"); nullopt for anything else.
constexpr std::optional<precision_kind> precision_named(std::string_view name) {
    for (auto p : {precision_kind::float32, precision_kind::tf32, precision_kind::bf16})
        if (precision_name(p) == name) return p;
    return std::nullopt;
}

// Relative rounding error of one rounding to the precision's storage of a matmul input: 2^-8
// for bf16 (8 significant bits: 7 stored + the implicit one, so half an ulp is 2^-8), 2^-11 for
// TF32, 2^-24 for float32. The tests' bf16-vs-float32 bounds are built from it (docs/performance.md).
constexpr double unit_roundoff(precision_kind p) {
    switch (p) {
        case precision_kind::float32: return 1.0 / 16777216.0;  // 2^-24
        case precision_kind::tf32: return 1.0 / 2048.0;         // 2^-11
        case precision_kind::bf16: return 1.0 / 256.0;          // 2^-8
    }
    return 1.0;
}

// What a network computes in: the precision, and CUDA's deterministic algorithms (the CPU
// backends are always deterministic, so they record it as false).
struct numerics {
    precision_kind precision = precision_kind::float32;
    bool deterministic = false;

    bool operator==(const numerics&) const = default;
    bool is_default() const { return *this == numerics{}; }

    // "float32", "bf16", "tf32, deterministic": for messages, cell ids and checkpoints.
    std::string str() const {
        std::string s(precision_name(precision));
        if (deterministic) s += ", deterministic";
        return s;
    }
};

}  // namespace dermtl::backend
