#pragma once
// Small helpers the tests share for files and refusals: writing a text file, and the message an
// expected error carries.
#include <filesystem>
#include <fstream>
#include <string>

#include "dermtl/core/error.hpp"

namespace dermtl::testing {

// Writes `text` to `p` (creating its folder), byte for byte.
inline void write_text(const std::filesystem::path& p, const std::string& text) {
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// The message of the dermtl::error `f` throws, or "(no error)" when it throws none.
template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace dermtl::testing
