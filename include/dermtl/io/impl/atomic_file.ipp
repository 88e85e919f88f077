// Definitions of io/atomic_file.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "dermtl/io/output_folder.hpp"

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

// `<path>.tmp.<host>.<pid>.<n>`: the host and pid tell remove_stale_temporaries (io/output_folder.hpp)
// whether the writer still runs.
DERMTL_DECL std::filesystem::path temporary_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path tmp = path;
    tmp += temporary_infix() + std::to_string(counter++);
    return tmp;
}

// Test-only (tests/programs/chaos_kill_test.sh): with DERMTL_TEST_KILL_AT_WRITE=N in the
// environment (read once), every atomic write is announced on standard error, numbered from 1, and
// the N-th kills the process with SIGKILL once its temporary is whole and flushed, before it is
// renamed: what a kill -9 inside a write leaves behind. Unset, empty or 0: off. Never set it
// outside tests.
DERMTL_DECL void test_kill_hook(const std::filesystem::path& tmp, const std::filesystem::path& path) {
    static const unsigned long kill_at = [] {
        const char* v = std::getenv("DERMTL_TEST_KILL_AT_WRITE");
        return v ? std::strtoul(v, nullptr, 10) : 0ul;
    }();
    if (kill_at == 0) return;
    static std::atomic<unsigned long> writes{0};
    const unsigned long n = ++writes;
    std::fprintf(stderr, "dermtl test hook (DERMTL_TEST_KILL_AT_WRITE=%lu): atomic write %lu: '%s' -> '%s'\n", kill_at,
                 n, tmp.c_str(), path.c_str());
    if (n != kill_at) return;
    std::fprintf(stderr, "dermtl test hook: SIGKILL at atomic write %lu, before renaming '%s'\n", n, tmp.c_str());
    std::fflush(stderr);
    ::raise(SIGKILL);
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
        const std::string why = std::strerror(errno);
        std::filesystem::remove(tmp, ec);
        throw io_error(where + ": cannot flush the temporary file '" + tmp.string() + "' to disk: " + why +
                       "; the previous file (if any) is unchanged");
    }
    test_kill_hook(tmp, path);
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(tmp, ec);
        throw io_error(where + ": cannot rename the temporary file '" + tmp.string() + "' into place: " + why +
                       "; the previous file (if any) is unchanged");
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
                           tmp.string() + "', found " + std::strerror(errno) + " (a folder that is not writable, or "
                           "missing); choose another output folder (--out)");
        bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f.get()) == bytes.size() && std::fflush(f.get()) == 0;
        int why = ok ? 0 : errno;
        if (std::fclose(f.release()) != 0 && ok) {
            ok = false;
            why = errno;
        }
        if (!ok) throw io_error(describe_write_failure("write_file_atomically", path, tmp, why, bytes.size()));
    });
}

}  // namespace dermtl::io
