#pragma once
// A string usable as a template argument: `named<"fc7", dense<4096>>`.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace dermtl {

template <std::size_t N>
struct fixed_string {
    char data[N]{};
    constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, data); }
    constexpr std::string_view view() const { return {data, N - 1}; }
    constexpr operator std::string_view() const { return view(); }
};

}  // namespace dermtl
