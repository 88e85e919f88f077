#pragma once
// Minimal type list: plain C++20 packs, no recursion. (Hana is used where its algorithms read
// better, e.g. the experiment grid; simple indexing does not need it.)
#include <cstddef>
#include <tuple>
#include <type_traits>

namespace dermtl {

template <class... Ts>
struct type_list {
    static constexpr std::size_t size = sizeof...(Ts);
    template <std::size_t I>
    using at = std::tuple_element_t<I, std::tuple<Ts...>>;
};

template <class T>
inline constexpr bool always_false = false;

}  // namespace dermtl
