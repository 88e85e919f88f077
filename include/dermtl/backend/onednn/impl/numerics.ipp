// Definitions of dermtl/backend/onednn/numerics.hpp (see core/config.hpp): inline in header-only use, compiled once
// into the component's library with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/backend/onednn/numerics.hpp"

#include <atomic>
#include <string>

#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_debug.h>

#include "dermtl/core/error.hpp"
#include "dermtl/core/log.hpp"

namespace dermtl::backend::onednn_detail {

// oneDNN's ISA values are bit sets, each level a superset of the one below (dnnl_types.h).
DERMTL_DECL bool isa_has(dnnl_cpu_isa_t level) {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    return (isa & unsigned(level)) == unsigned(level);
}

DERMTL_DECL std::string effective_isa_name() {
    return dnnl_cpu_isa2str(static_cast<dnnl_cpu_isa_t>(dnnl::get_effective_cpu_isa()));
}

DERMTL_DECL bool has_bf16() { return isa_has(dnnl_cpu_isa_avx512_core); }
DERMTL_DECL bool native_bf16() { return isa_has(dnnl_cpu_isa_avx512_core_bf16); }

DERMTL_DECL void check_numerics(const backend::numerics& n) {
    switch (n.precision) {
        case backend::precision_kind::float32: return;
        case backend::precision_kind::tf32:
            throw config_error("onednn: precision tf32 is CUDA's (tensor cores); the onednn backend computes in "
                               "float32 or bf16");
        case backend::precision_kind::bf16: break;
    }
    if (!has_bf16())
        throw config_error("onednn: precision bf16 needs oneDNN's bf16 primitives, which oneDNN 2.x has only from "
                           "avx512_core up; oneDNN's effective ISA here is '" + effective_isa_name() +
                           "' (the CPU, or ONEDNN_MAX_CPU_ISA); use float32 on this machine");
    static std::atomic<bool> warned{false};
    if (!native_bf16() && !warned.exchange(true))
        log::info("warning: onednn: this CPU has avx512_core but not avx512_bf16 (oneDNN's ISA: '" +
                  effective_isa_name() +
                  "'): oneDNN emulates bf16 arithmetic in software, so bf16 runs slower than float32 here "
                  "(docs/performance.md); use float32 on this machine unless testing");
}

}  // namespace dermtl::backend::onednn_detail
