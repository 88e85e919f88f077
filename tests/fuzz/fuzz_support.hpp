#pragma once
// What every libFuzzer target in tests/fuzz/ shares.
//
// Contract of a target: feed the bytes to one reader the way a user's file would reach it. A
// dermtl::error is the reader's documented rejection and ends the input quietly. Anything else is
// a finding: another exception (a library's error escaping without the file named: yaml-cpp,
// nlohmann, OpenCV, std::filesystem, std::bad_alloc...) is printed with its type and message and
// then aborts, so libFuzzer saves the input; crashes and sanitizer reports surface by themselves.
//
// The readers take paths (matio and the ifstream-based readers read files), so the bytes are
// written to a scratch folder of the process's own, under $DERMTL_FUZZ_SCRATCH if set, else on
// tmpfs when /dev/shm exists (results_store fsyncs every write: tmpfs keeps that cheap). A crashing
// process leaves its folder behind: scripts/fuzz.sh gives every run one folder and removes it.
// DERMTL_FUZZ_SHOW_REJECTIONS=1 prints each rejection's message (to check that seeds are accepted).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <unistd.h>

#include "dermtl/core/error.hpp"

namespace dermtl::fuzz {

// The process's scratch folder, created on first use and removed at normal exit.
inline const std::filesystem::path& scratch() {
    struct folder {
        std::filesystem::path path;
        folder() {
            std::error_code ec;
            const std::filesystem::path shm = "/dev/shm";
            const char* given = std::getenv("DERMTL_FUZZ_SCRATCH");
            const auto base = given && *given ? std::filesystem::path(given)
                              : std::filesystem::is_directory(shm, ec) ? shm
                                                                       : std::filesystem::temp_directory_path();
            path = base / ("dermtl-fuzz-" + std::to_string(::getpid()));
            std::filesystem::create_directories(path);
        }
        ~folder() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static folder f;
    return f.path;
}

// Writes the bytes to scratch()/name (replacing it) and returns the path.
inline std::filesystem::path write_input(const std::filesystem::path& name, const std::uint8_t* data, std::size_t size) {
    const auto p = scratch() / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write the input to %s (scratch folder full?)\n", p.c_str());
        std::abort();
    }
    return p;
}
inline std::filesystem::path write_input(const std::filesystem::path& name, std::string_view text) {
    return write_input(name, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

inline std::string demangled(const std::type_info& t) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> p(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && p ? p.get() : t.name();
}

// Runs one reader call: dermtl::error is an accepted rejection; any other exception is reported
// (target, step, type, message) and aborts, which libFuzzer records as a crash with the input.
template <class F>
void expect_only_dermtl_errors(const char* target, const char* step, F&& f) {
    try {
        f();
    } catch (const dermtl::error& e) {
        // the reader rejected the input with its own message: expected
        if (std::getenv("DERMTL_FUZZ_SHOW_REJECTIONS")) std::fprintf(stderr, "fuzz: %s: %s: rejected: %.300s\n", target, step, e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\nfuzz finding: %s: %s: a non-dermtl exception escaped: %s: %.400s\n", target, step,
                     demangled(typeid(e)).c_str(), e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "\nfuzz finding: %s: %s: an exception of unknown type escaped\n", target, step);
        std::abort();
    }
}

}  // namespace dermtl::fuzz
