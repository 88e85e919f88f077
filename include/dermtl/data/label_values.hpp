#pragma once
// Parsing label values found in manifests.
//
// Requires: `where` = "<file>:<line>" of the value. Ensures: the value, or an io_error naming
// where, the offending text and the accepted range.
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

#include "dermtl/core/error.hpp"

namespace dermtl::data {

// An integer label in [lo, hi]; "2", "2.0" accepted, "2.5", "x", "" rejected.
inline int parse_label(std::string_view text, int lo, int hi, std::string_view where, std::string_view column = "label") {
    double v = 0;
    const auto* b = text.data();
    const auto* e = text.data() + text.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (text.empty() || ec != std::errc() || p != e || v != std::floor(v))
        throw io_error(std::string(where) + ": " + std::string(column) + " " + quoted_value(text) +
                       " is not an integer label; expected an integer in [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "]");
    if (v < lo || v > hi)
        throw io_error(std::string(where) + ": " + std::string(column) + " " + std::string(text) + " out of range [" +
                       std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(v);
}

// A 0/1 flag written as 0, 1, 0.0 or 1.0.
inline bool parse_flag(std::string_view text, std::string_view where, std::string_view column) {
    return parse_label(text, 0, 1, where, column) == 1;
}

}  // namespace dermtl::data
