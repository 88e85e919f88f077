#pragma once
// Which numerics (backend/precision.hpp) the oneDNN backend offers on this machine: float32
// always; bf16 where oneDNN 2.x has bf16 primitives, from avx512_core up -- natively with
// avx512_bf16 (jit:avx512_core_bf16) or AMX, emulated in software on plain avx512_core. Below
// avx512_core (AVX2 machines, ONEDNN_MAX_CPU_ISA=SSE41 in CI's baseline stage) the primitives do
// not exist, and bf16 is refused with the reason. tf32 is CUDA's; deterministic is always true
// here (oneDNN's CPU primitives are reproducible; ops.hpp), so it is accepted and changes nothing.
#include <string>

#include "dermtl/backend/precision.hpp"
#include "dermtl/core/config.hpp"

namespace dermtl::backend::onednn_detail {

// oneDNN's effective ISA in its own words ("Intel AVX-512 with ... bfloat16 support", ...).
DERMTL_DECL std::string effective_isa_name();

// Whether oneDNN has bf16 primitives here (avx512_core and up), and whether they are native
// (avx512_core_bf16 and up) rather than emulated.
DERMTL_DECL bool has_bf16();
DERMTL_DECL bool native_bf16();

// Throws config_error when `n` cannot be had here (see the file comment); on avx512_core without
// avx512_bf16 it says once, on the log, that oneDNN emulates bf16 and is slower than float32.
DERMTL_DECL void check_numerics(const backend::numerics& n);

}  // namespace dermtl::backend::onednn_detail

#if DERMTL_HEADER_ONLY
#include "dermtl/backend/onednn/impl/numerics.ipp"
#endif
