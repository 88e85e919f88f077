#pragma once
// Files that are never half written: the bytes go to a temporary file in the same folder (named
// after the process, so concurrent writers never share one), are flushed to disk, then renamed
// over the target. An interrupted run leaves the previous file or the new one. Results and reports
// are written this way; checkpoints and feature files follow the same recipe with their own writers.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

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

// Writes `bytes` to `path` atomically. Throws io_error naming the file and the reason.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    const std::string where = "write_file_atomically: '" + path.string() + "'";
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    struct closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    {
        std::unique_ptr<std::FILE, closer> f(std::fopen(tmp.string().c_str(), "wb"));
        if (!f)
            throw io_error(where + ": expected to create the temporary file '" + tmp.string() +
                           "', found the folder is not writable (or missing); choose another output folder (--out)");
        const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f.get()) == bytes.size() &&
                        std::fflush(f.get()) == 0 && ::fsync(::fileno(f.get())) == 0;
        if (!ok || std::fclose(f.release()) != 0) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw io_error(where + ": writing failed (disk full?)");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw io_error(where + ": cannot rename the temporary file into place: " + ec.message());
    }
}

}  // namespace dermtl::io
