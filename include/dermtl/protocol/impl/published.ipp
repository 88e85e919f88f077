// Definitions of protocol/published.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/published.hpp"

#include <string>

#include "dermtl/core/error.hpp"
#include "dermtl/models/vgg.hpp"

namespace dermtl::protocol {

DERMTL_DECL policy_id paper_network(models::architecture a) {
    switch (a) {
        case models::architecture::vgg_m: return policy_id_of<models::vgg_m_family<>>();
        case models::architecture::vgg_16: return policy_id_of<models::vgg_16_family<>>();
    }
    throw config_error("paper_network: expected models::architecture vgg_m or vgg_16, found value " +
                       std::to_string(static_cast<int>(a)));
}

}  // namespace dermtl::protocol
