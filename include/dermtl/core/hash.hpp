#pragma once
// The one hash of the library: 64-bit FNV-1a. Used for cache keys, network-type identities and
// checkpoint checksums -- never for security. `hasher` mixes fields with a separator byte after
// each, so ("ab","c") and ("a","bc") differ.
//
//   core::hasher h;  h.field("vgg_m").field(std::to_string(seed));  h.hex();  // "3f1c...", 16 digits
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace dermtl::core {

inline constexpr std::uint64_t fnv1a_offset = 0xcbf29ce484222325ull;
inline constexpr std::uint64_t fnv1a_prime = 0x100000001b3ull;

// FNV-1a of n bytes, continuing from h (chain calls to hash a stream).
constexpr std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t h = fnv1a_offset) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * fnv1a_prime;
    return h;
}
constexpr std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = fnv1a_offset) {
    for (unsigned char c : s) h = (h ^ c) * fnv1a_prime;
    return h;
}

// 16 lower-case hex digits.
inline std::string to_hex(std::uint64_t h) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

class hasher {
public:
    hasher& bytes(const void* data, std::size_t n) {
        h_ = fnv1a64(data, n, h_);
        return *this;
    }
    // A field: its bytes, then a separator.
    hasher& field(std::string_view s) {
        h_ = fnv1a64(s, h_);
        h_ = (h_ ^ 0xff) * fnv1a_prime;
        return *this;
    }
    std::uint64_t value() const { return h_; }
    std::string hex() const { return to_hex(h_); }

private:
    std::uint64_t h_ = fnv1a_offset;
};

}  // namespace dermtl::core
