// Definitions of report/files.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_report with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/report/files.hpp"

#include <cstddef>
#include <string>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>

namespace dermtl::report {

DERMTL_DECL std::string base64(std::string_view bytes) {
    using namespace boost::archive::iterators;
    using encoder = base64_from_binary<transform_width<std::string::const_iterator, 6, 8>>;
    const std::size_t pad = (3 - bytes.size() % 3) % 3;
    std::string in(bytes);
    in.append(pad, '\0');
    std::string out(encoder(in.cbegin()), encoder(in.cend()));
    out.replace(out.size() - pad, pad, pad, '=');
    return out;
}

}  // namespace dermtl::report
