#pragma once
// Files that are never half written: the one recipe every writer of the library uses (results,
// reports, checkpoints, features, MatConvNet exports, image caches). The bytes go to a temporary
// file in the same folder (named after the process and a counter, so concurrent writers never
// share one), are flushed to disk (fsync), renamed over the target, and the folder is fsynced so
// the rename itself survives a power cut. An interrupted run leaves the previous file or the new
// one, never a mix.
//
//   io::write_file_atomically(path, json.dump());                        // bytes in memory
//   io::write_atomically(path, "save_matconvnet", [&](const std::filesystem::path& tmp) {
//       write_with_some_library(tmp);                                   // a library that wants a path
//   });
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "dermtl/core/error.hpp"

namespace dermtl::io {

// Creates `folder` (and its parents) if needed. Throws io_error saying what to do when it cannot.
inline void prepare_folder(const std::filesystem::path& folder, std::string_view op) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec || !std::filesystem::is_directory(folder))
        throw io_error(std::string(op) + ": expected a writable output folder '" + folder.string() + "', found " +
                       (ec ? "it cannot be created: " + ec.message() : std::string("a file of that name")) +
                       "; choose another output folder (--out)");
}

namespace atomic_detail {

inline std::filesystem::path temporary_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    return tmp;
}

// fsync of a file or folder by path; false when it cannot be opened or synced.
inline bool sync_path(const std::filesystem::path& p, bool folder) {
    const int fd = ::open(p.c_str(), folder ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

}  // namespace atomic_detail

// Runs `write(tmp)`, which must create the temporary file `tmp` whole (and may throw), then makes
// it durable and renames it over `path`. On any failure the temporary file is removed, `path` is
// untouched, and io_error names `op`, the file and the reason (errors thrown by `write` propagate
// as they are). `path`'s folder must exist.
template <class Write>
void write_atomically(const std::filesystem::path& path, std::string_view op, Write&& write) {
    const std::string where = std::string(op) + ": '" + path.string() + "'";
    const std::filesystem::path tmp = atomic_detail::temporary_for(path);
    std::error_code ec;
    try {
        write(tmp);
    } catch (...) {
        std::filesystem::remove(tmp, ec);
        throw;
    }
    if (!atomic_detail::sync_path(tmp, false)) {
        std::filesystem::remove(tmp, ec);
        throw io_error(where + ": cannot flush the temporary file '" + tmp.string() + "' to disk (disk full?)");
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(tmp, ec);
        throw io_error(where + ": cannot rename the temporary file into place: " + why);
    }
    const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    atomic_detail::sync_path(folder, true);  // best effort: some file systems refuse fsync on folders
}

// Writes `bytes` to `path` atomically. Throws io_error naming the file and the reason.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    write_atomically(path, "write_file_atomically", [&](const std::filesystem::path& tmp) {
        struct closer {
            void operator()(std::FILE* f) const { std::fclose(f); }
        };
        std::unique_ptr<std::FILE, closer> f(std::fopen(tmp.string().c_str(), "wb"));
        if (!f)
            throw io_error("write_file_atomically: '" + path.string() + "': expected to create the temporary file '" +
                           tmp.string() + "', found the folder is not writable (or missing); choose another output "
                           "folder (--out)");
        const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f.get()) == bytes.size() && std::fflush(f.get()) == 0;
        if (!ok || std::fclose(f.release()) != 0)
            throw io_error("write_file_atomically: '" + path.string() + "': writing failed (disk full?)");
    });
}

}  // namespace dermtl::io
