#pragma once
// An exclusive advisory lock on a file (POSIX flock), held for a scope: two processes that would
// train the same cached source model take turns, and the second then finds the first's result.
// Not a template: defined in impl/file_lock.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io {

class file_lock {
public:
    // Creates `path` (and its folder) if needed and waits for the lock. Throws io_error naming the
    // file and the reason when it cannot be opened or locked.
    DERMTL_DECL explicit file_lock(const std::filesystem::path& path);
    DERMTL_DECL ~file_lock();
    file_lock(const file_lock&) = delete;
    file_lock& operator=(const file_lock&) = delete;

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/file_lock.ipp"
#endif
