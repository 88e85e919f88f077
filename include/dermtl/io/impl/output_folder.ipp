// Definitions of io/output_folder.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/output_folder.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "dermtl/io/atomic_file.hpp"

namespace dermtl::io {

namespace output_folder_detail {

// This host's name as it appears in temporaries' names (characters other than letters, digits,
// '-', '_' and '.' replaced by '_'), read once.
DERMTL_DECL const std::string& host_name() {
    static const std::string name = [] {
        char buf[256] = {};
        std::string h = ::gethostname(buf, sizeof buf - 1) == 0 && buf[0] ? buf : "unknown-host";
        for (char& c : h)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
        return h;
    }();
    return name;
}

// Creates and removes a probe file in `folder`: "" when that works, else why it does not.
DERMTL_DECL std::string write_probe(const std::filesystem::path& folder) {
    const auto probe = atomic_detail::temporary_for(folder / ".dermtl-write-check");
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int e = errno;
        switch (e) {
        case EROFS: return "it is on a read-only file system";
        case EACCES:
        case EPERM:
            return "this user (uid " + std::to_string(::geteuid()) + ") may not create files in it (" +
                   std::strerror(e) + ")";
        case ENOSPC:
        case EDQUOT: return std::string("its disk is full (") + std::strerror(e) + ")";
        default: return std::string("a file cannot be created in it: ") + std::strerror(e);
        }
    }
    ::close(fd);
    ::unlink(probe.c_str());
    return {};
}

// True unless process `pid` is known not to run on this host (EPERM: it runs, as another user).
DERMTL_DECL bool process_running(long pid) {
    if (pid <= 0) return true;  // not a writer's pid: never treated as dead
    if (pid == long(::getpid())) return true;
    return ::kill(pid_t(pid), 0) == 0 || errno != ESRCH;
}

}  // namespace output_folder_detail

DERMTL_DECL void require_writable_folder(const std::filesystem::path& folder, std::string_view option) {
    auto refuse = [&](const std::filesystem::path& f, const std::string& why) {
        return io_error(std::string(option) + ": expected a writable output folder '" + f.string() + "', found " + why +
                        "; make it writable, or choose another output folder (--out); nothing was run");
    };
    if (auto why = output_folder_detail::write_probe(folder); !why.empty()) throw refuse(folder, why);
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sec;
        if (!it->is_directory(sec) || it->is_symlink(sec)) continue;
        if (auto why = output_folder_detail::write_probe(it->path()); !why.empty()) throw refuse(it->path(), why);
    }
    if (ec) throw refuse(folder, "its folders cannot be listed: " + ec.message());
}

DERMTL_DECL std::string temporary_infix() {
    return ".tmp." + output_folder_detail::host_name() + "." + std::to_string(::getpid()) + ".";
}

DERMTL_DECL std::optional<long> temporary_writer_here(const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    const std::string infix = ".tmp." + output_folder_detail::host_name() + ".";
    const auto at = name.rfind(infix);
    if (at == std::string::npos || at == 0) return std::nullopt;
    const std::string rest = name.substr(at + infix.size());  // "<pid>.<counter>"
    const auto dot = rest.find('.');
    auto digits = [](std::string_view s) {
        return !s.empty() && s.size() <= 18 &&
               std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    };
    if (dot == std::string::npos || !digits(std::string_view(rest).substr(0, dot)) ||
        !digits(std::string_view(rest).substr(dot + 1)))
        return std::nullopt;
    return std::stol(rest.substr(0, dot));
}

DERMTL_DECL std::vector<stale_temporary> remove_stale_temporaries(const std::filesystem::path& folder) {
    std::vector<stale_temporary> removed;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sec;
        if (!it->is_regular_file(sec) || it->is_symlink(sec)) continue;
        const auto pid = temporary_writer_here(it->path());
        if (!pid || output_folder_detail::process_running(*pid)) continue;
        if (!std::filesystem::remove(it->path(), sec) && sec)
            throw io_error("remove_stale_temporaries: cannot remove '" + it->path().string() +
                           "', the temporary of a write that process " + std::to_string(*pid) +
                           " did not finish: " + sec.message());
        removed.push_back({it->path(), *pid});
    }
    return removed;
}

DERMTL_DECL std::string describe_write_failure(std::string_view op, const std::filesystem::path& path,
                                               const std::filesystem::path& tmp, int error_number,
                                               std::uintmax_t bytes) {
    std::string m = std::string(op) + ": '" + path.string() + "': writing its temporary file '" + tmp.string() +
                    "' failed: " + (error_number ? std::strerror(error_number) : "a short write");
    if (bytes) m += " (" + std::to_string(bytes) + " bytes to write)";
    if (error_number == ENOSPC || error_number == EDQUOT)
        m += "; free space on that disk (or choose another output folder, --out) and run again: what is stored is kept";
    return m + "; the previous file (if any) is unchanged";
}

}  // namespace dermtl::io
