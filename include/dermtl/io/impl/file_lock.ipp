// Definitions of io/file_lock.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace dermtl::io {

DERMTL_DECL file_lock::file_lock(const std::filesystem::path& path) : path_(path) {
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

DERMTL_DECL file_lock::~file_lock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
}

}  // namespace dermtl::io
