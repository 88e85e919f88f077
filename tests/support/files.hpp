#pragma once
// Small helpers the tests share for files and refusals: writing a text file, the message an
// expected error carries, and whether a library is mapped into this process.
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

// Whether a file whose path contains `fragment` is mapped into this process (/proc/self/maps):
// a shared library loaded at start-up or by dlopen since.
inline bool mapped_in_this_process(const std::string& fragment) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find(fragment) != std::string::npos) return true;
    return false;
}

}  // namespace dermtl::testing
