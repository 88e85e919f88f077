#pragma once
// Writing report files: atomically (io/atomic_file.hpp), so an interrupted run leaves either the
// previous file or the new one, never half of one; and base64 (Boost.Serialization's iterators)
// for images embedded in the HTML page.
// Not templates: defined in impl/files.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/io/atomic_file.hpp"

namespace dermtl::report {

// One place for atomic writes (io/atomic_file.hpp), used under the report's names too.
using io::prepare_folder;
using io::write_file_atomically;

// Standard base64 (RFC 4648, with '=' padding). Boost's transform_width reads whole 3-byte
// groups, so the input is zero-padded to one and the padding's output replaced by '='.
DERMTL_DECL std::string base64(std::string_view bytes);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/files.ipp"
#endif
