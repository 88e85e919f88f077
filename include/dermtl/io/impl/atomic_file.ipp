// Definitions of io/atomic_file.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>

namespace dermtl::io {

// Creates `folder` (and its parents) if needed. Throws io_error saying what to do when it cannot.
DERMTL_DECL void prepare_folder(const std::filesystem::path& folder, std::string_view op) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec || !std::filesystem::is_directory(folder))
        throw io_error(std::string(op) + ": expected a writable output folder '" + folder.string() + "', found " +
                       (ec ? "it cannot be created: " + ec.message() : std::string("a file of that name")) +
                       "; choose another output folder (--out)");
}

namespace atomic_detail {

DERMTL_DECL std::filesystem::path temporary_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    return tmp;
}

// fsync of a file or folder by path; false when it cannot be opened or synced.
DERMTL_DECL bool sync_path(const std::filesystem::path& p, bool folder) {
    const int fd = ::open(p.c_str(), folder ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

// The rest of write_atomically once `tmp` is written: flushes it to disk and renames it over
// `path` (removing it and throwing io_error prefixed by `where` when either fails), then fsyncs
// the folder (best effort).
DERMTL_DECL void commit(const std::filesystem::path& tmp, const std::filesystem::path& path, const std::string& where) {
    std::error_code ec;
    if (!sync_path(tmp, false)) {
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
    sync_path(folder, true);  // best effort: some file systems refuse fsync on folders
}

}  // namespace atomic_detail

// Writes `bytes` to `path` atomically. Throws io_error naming the file and the reason.
DERMTL_DECL void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
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
