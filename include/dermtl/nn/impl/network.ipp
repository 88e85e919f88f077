// Definitions of nn/network.hpp's error messages (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_nn with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/nn/network.hpp"

#include <string>

namespace dermtl::nn::network_detail {

DERMTL_DECL void throw_bad_input(const dims4& got, const std::string& expected_chw, const std::string& first_layer) {
    if (got[0] == 0)
        throw shape_error("network::forward: empty batch; expected N x " + expected_chw + " with N >= 1, got " +
                          describe(got) + " (at the input of " + first_layer + ")");
    throw shape_error("network::forward: input shape mismatch at " + first_layer + ": expected N x " + expected_chw +
                      ", got " + describe(got));
}

DERMTL_DECL void throw_layer_failure(const char* pass, const std::string& layer, const backend_error& e) {
    throw backend_error("network::" + std::string(pass) + ": " + layer + ": " + e.what());
}

DERMTL_DECL void throw_non_finite(const std::string& layer, std::ptrdiff_t bad, const dims4& d, bool input_was_non_finite) {
    const std::size_t per_sample = d[1] * d[2] * d[3];
    throw numeric_error("network::forward: " + layer + " produced a non-finite value (NaN or Inf) at " + "element " +
                        std::to_string(std::size_t(bad) % per_sample) + " of sample " +
                        std::to_string(std::size_t(bad) / per_sample) + "; expected finite outputs " +
                        (input_was_non_finite ? "(its input was already non-finite)" : "(its input was finite)"));
}

DERMTL_DECL void throw_backward_without_forward() {
    throw config_error("network::backward: expected a preceding full forward pass (forward()), found none");
}

DERMTL_DECL void throw_bad_output_gradient(const dims4& got, const dims4& expected) {
    throw shape_error("network::backward: the output gradient must have the output's shape " + describe(expected) +
                      ", got " + describe(got));
}

DERMTL_DECL void throw_unsupported_numerics(const std::string& backend, const backend::numerics& n) {
    throw config_error("network::set_numerics: the " + backend + " backend computes in float32 only, found " +
                       n.str() + (n.precision == backend::precision_kind::bf16
                                      ? "; bf16 is offered by the onednn backend (x86-64 with avx512_core or above) "
                                        "and the cuda backend (compute capability 8.0 or above)"
                                      : std::string()));
}

}  // namespace dermtl::nn::network_detail
