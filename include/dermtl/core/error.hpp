#pragma once
// dermtl's one error hierarchy. Every message names the operation, what was expected, what was
// found, and where (file:line, layer index and name, ...). Catch `dermtl::error` for all of them.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dermtl {

struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reading or writing files: missing, unreadable, malformed content (names file and line).
struct io_error : error {
    using error::error;
};

// A tensor or layer shape that does not match what the network expects (names the layer).
struct shape_error : error {
    using error::error;
};

// An invalid setting or combination of settings given at run time.
struct config_error : error {
    using error::error;
};

// A backend (CUDA, cuDNN, cuBLAS, device memory) failure: names the call, file:line, status.
struct backend_error : error {
    using error::error;
};

// NaN/Inf produced by a computation (names the layer, epoch or step where it appeared).
struct numeric_error : error {
    using error::error;
};

// A value echoed in an error message without quotes, cut to `max` characters:
// "its first 80 characters... (2097152 characters)".
inline std::string shortened(std::string_view value, std::size_t max = 80) {
    std::string out(value.substr(0, max));
    if (value.size() > max) out.append("... (").append(std::to_string(value.size())).append(" characters)");
    return out;
}

// A value echoed in an error message, in single quotes and cut to about `max` characters: a
// 2 MB field becomes 'its first 80 characters...' (2097152 characters), so the message stays
// one readable line.
inline std::string quoted_value(std::string_view value, std::size_t max = 80) {
    std::string out(1, '\'');
    out.append(value.substr(0, max));
    if (value.size() <= max) return out += '\'';
    return out.append("...' (").append(std::to_string(value.size())).append(" characters)");
}

}  // namespace dermtl
