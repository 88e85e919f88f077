#pragma once
// An exclusive advisory lock on a file (POSIX flock), held for a scope: two processes that would
// train the same cached source model take turns, and the second then finds the first's result.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "dermtl/core/error.hpp"

namespace dermtl::io {

class file_lock {
public:
    explicit file_lock(const std::filesystem::path& path) : path_(path) {
        std::filesystem::create_directories(path.parent_path());
        fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
        if (fd_ < 0) throw io_error("file_lock: cannot open '" + path.string() + "': " + std::strerror(errno));
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno == EINTR) continue;
            const std::string why = std::strerror(errno);
            ::close(fd_);
            throw io_error("file_lock: cannot lock '" + path.string() + "': " + why);
        }
    }
    ~file_lock() {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
    file_lock(const file_lock&) = delete;
    file_lock& operator=(const file_lock&) = delete;

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

}  // namespace dermtl::io
