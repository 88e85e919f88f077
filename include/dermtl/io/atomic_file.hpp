#pragma once
// Files that are never half written: the one recipe every writer of the library uses (results,
// reports, checkpoints, features, MatConvNet exports, image caches). The bytes go to a temporary
// file in the same folder (`<target>.tmp.<host>.<pid>.<n>`: concurrent writers never share one),
// are flushed to disk (fsync), renamed over the target, and the folder is fsynced so the rename
// itself survives a power cut. An interrupted run leaves the previous file or the new one, never a
// mix; a killed one may also leave its temporary, which io::remove_stale_temporaries
// (io/output_folder.hpp) removes once its writer is gone. A failed write (a full disk) throws
// io_error naming the file, its temporary and the reason; the temporary is removed.
// Test-only: DERMTL_TEST_KILL_AT_WRITE=N in the environment numbers the atomic writes on standard
// error and kills the process (SIGKILL) at the N-th, after its temporary is written and flushed and
// before the rename (tests/programs/chaos_kill_test.sh). Never set it outside tests.
//
//   io::write_file_atomically(path, json.dump());                        // bytes in memory
//   io::write_atomically(path, "save_matconvnet", [&](const std::filesystem::path& tmp) {
//       write_with_some_library(tmp);                                   // a library that wants a path
//   });
// The non-template code is defined in impl/atomic_file.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io {

// Creates `folder` (and its parents) if needed. Throws io_error saying what to do when it cannot.
DERMTL_DECL void prepare_folder(const std::filesystem::path& folder, std::string_view op);

namespace atomic_detail {

// A temporary file beside `path`, named after the process and a counter (concurrent writers never
// share one).
DERMTL_DECL std::filesystem::path temporary_for(const std::filesystem::path& path);

// fsync of a file or folder by path; false when it cannot be opened or synced.
DERMTL_DECL bool sync_path(const std::filesystem::path& p, bool folder);

// The rest of write_atomically once `tmp` is written: flushes it to disk and renames it over
// `path` (removing it and throwing io_error prefixed by `where` when either fails), then fsyncs
// the folder (best effort).
DERMTL_DECL void commit(const std::filesystem::path& tmp, const std::filesystem::path& path, const std::string& where);

}  // namespace atomic_detail

// Runs `write(tmp)`, which must create the temporary file `tmp` whole (and may throw), then makes
// it durable and renames it over `path`. On any failure the temporary file is removed, `path` is
// untouched, and io_error names `op`, the file and the reason (errors thrown by `write` propagate
// as they are). `path`'s folder must exist.
template <class Write>
void write_atomically(const std::filesystem::path& path, std::string_view op, Write&& write) {
    const std::string where = std::string(op) + ": '" + path.string() + "'";
    const std::filesystem::path tmp = atomic_detail::temporary_for(path);
    try {
        write(tmp);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
    atomic_detail::commit(tmp, path, where);
}

// Writes `bytes` to `path` atomically. Throws io_error naming the file and the reason.
DERMTL_DECL void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/atomic_file.ipp"
#endif
