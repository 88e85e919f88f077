#pragma once
// The folders a run writes into: checked before any work starts, and cleared of what writers that
// died left behind.
//
// require_writable_folder: refuses a folder (or an existing folder below it) in which this process
// cannot create a file, naming it and why: a read-only mount, no write permission, a full disk. A
// run then fails at once, not when its first result is due hours later. The test creates and
// removes a probe file, the only reliable one: permission bits say nothing about a read-only
// mount, and root ignores them.
//
// describe_write_failure: the one message of a write that failed (ENOSPC, EIO, a quota), naming the
// file, its temporary and the reason, and saying what to do; the writers of io/ share it.
//
// Temporaries: io::write_atomically (io/atomic_file.hpp) writes `<target>.tmp.<host>.<pid>.<n>`
// and renames it over the target. A process killed inside a write (kill -9, the OOM killer, a
// node's power) leaves its temporary behind. remove_stale_temporaries removes those whose writer
// ran on this host and is no longer running. A live writer's temporary (another shard of the same
// grid) is never touched, nor is one written on another host (a cluster's shared file system):
// whether that process still runs cannot be seen from here.
// The non-template code is defined in impl/output_folder.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io {

// Throws io_error naming `option`, the folder and the reason unless this process can create files
// in `folder` and in every folder below it. `folder` must exist (io::prepare_folder).
DERMTL_DECL void require_writable_folder(const std::filesystem::path& folder, std::string_view option);

// "<op>: '<path>': writing its temporary file '<tmp>' failed: <strerror(error_number)> ...", with
// what to do on a full disk; `bytes` (when not 0) is the size that was being written.
DERMTL_DECL std::string describe_write_failure(std::string_view op, const std::filesystem::path& path,
                                               const std::filesystem::path& tmp, int error_number,
                                               std::uintmax_t bytes = 0);

// What follows a target's name in the temporaries this process writes: ".tmp.<host>.<pid>." (a
// counter comes last).
DERMTL_DECL std::string temporary_infix();

// The writer's process id when `file` is named like a temporary written on this host; nullopt
// otherwise (not a temporary, or another host's).
DERMTL_DECL std::optional<long> temporary_writer_here(const std::filesystem::path& file);

// One temporary removed by remove_stale_temporaries.
struct stale_temporary {
    std::filesystem::path path;
    long pid = 0;  // its writer, no longer running
};

// Removes, in `folder` and below, the temporaries written on this host by processes that are no
// longer running; returns them. (A dead writer whose pid a new process has taken keeps its
// temporary: it is left, never a live writer's removed.) Symbolic links are not followed. Throws
// io_error naming the file when one cannot be removed.
DERMTL_DECL std::vector<stale_temporary> remove_stale_temporaries(const std::filesystem::path& folder);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/output_folder.ipp"
#endif
