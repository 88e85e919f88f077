// Definitions of protocol/shard.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/shard.hpp"

#include <string>

namespace dermtl::protocol {

DERMTL_DECL std::string name_of(grid_part part) {
    switch (part) {
        case grid_part::all: return "all";
        case grid_part::sources: return "sources";
        case grid_part::independent: return "independent";
        case grid_part::dependent: return "dependent";
    }
    return "?";
}

}  // namespace dermtl::protocol
