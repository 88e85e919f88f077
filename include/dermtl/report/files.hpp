#pragma once
// Writing report files: atomically (io/atomic_file.hpp), so an interrupted run leaves either the
// previous file or the new one, never half of one; and base64 (Boost.Serialization's iterators)
// for images embedded in the HTML page.
#include <string>
#include <string_view>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>

#include "dermtl/io/atomic_file.hpp"

namespace dermtl::report {

// One place for atomic writes (io/atomic_file.hpp), used under the report's names too.
using io::prepare_folder;
using io::write_file_atomically;

// Standard base64 (RFC 4648, with '=' padding). Boost's transform_width reads whole 3-byte
// groups, so the input is zero-padded to one and the padding's output replaced by '='.
inline std::string base64(std::string_view bytes) {
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
