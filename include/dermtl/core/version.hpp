#pragma once
// dermtl's version (kept equal to the CMake/meson project version) and the format version of the
// files it writes that a later run reads back (results store).
#include <string_view>

namespace dermtl {

inline constexpr std::string_view version = "0.1.0";
inline constexpr int results_format = 2;  // 2: the cell is stored as a cell_id object

}  // namespace dermtl
