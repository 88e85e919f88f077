#pragma once
// Matching sample ids to image files.
//
// Represents: the image files under a folder, indexed so that an id finds its file whatever the
// extension (.jpg/.jpeg/.png/.tif/.tiff, any case) and whatever the case of the name. Ids may
// themselves carry an image extension ("ISIC_0000000.tiff" in the reference fold files) or a
// relative folder ("NEL/Nel026.jpg" in derm7pt's meta.csv); both are understood.
// Ensures: find() returns the file or nothing; require() throws io_error naming the manifest
// file:line and the id when no file matches.
// The non-template code is defined in impl/image_files.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io {

inline constexpr std::array<std::string_view, 5> image_extensions = {".jpg", ".jpeg", ".png", ".tif", ".tiff"};

DERMTL_DECL bool has_image_extension(std::string_view name);

// Comparison key of an id: lower case, '\' as '/', surrounding blanks and image extension removed.
DERMTL_DECL std::string id_key(std::string_view id);

// The id of an image file name: its name without folder and extension.
DERMTL_DECL std::string stem_id(std::string_view name);

class image_index {
public:
    // Requires: `root` is an existing folder (io_error otherwise). recursive: also index subfolders,
    // keyed both by relative path and by bare name (a bare name found in two folders is ambiguous
    // and must then be looked up by relative path).
    // Entries that cannot be followed -- dangling links, symbolic-link loops, unreadable
    // subfolders -- are skipped like any other non-image: a manifest that names one then gets
    // require()'s "no image file" error naming its line. Other file-system failures are
    // io_errors naming the folder.
    DERMTL_DECL explicit image_index(const std::filesystem::path& root, bool recursive = false);

    const std::filesystem::path& root() const { return root_; }
    std::size_t size() const { return by_path_.size(); }

    DERMTL_DECL std::optional<std::filesystem::path> find(std::string_view id) const;

    // Requires: `where` = "<manifest>:<line>". Throws io_error when no image matches the id.
    DERMTL_DECL std::filesystem::path require(std::string_view id, std::string_view where) const;

private:
    static DERMTL_DECL void put(std::unordered_map<std::string, std::filesystem::path>& m, const std::string& k,
                                const std::filesystem::path& p);

    std::filesystem::path root_;
    std::unordered_map<std::string, std::filesystem::path> by_path_, by_name_;
};

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/image_files.ipp"
#endif
