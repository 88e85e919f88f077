// Definitions of io/image_files.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/image_files.hpp"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace dermtl::io {

DERMTL_DECL bool has_image_extension(std::string_view name) {
    std::string l(name);
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::any_of(image_extensions.begin(), image_extensions.end(),
                       [&](std::string_view e) { return l.size() > e.size() && l.ends_with(e); });
}

// Comparison key of an id: lower case, '\' as '/', surrounding blanks and image extension removed.
DERMTL_DECL std::string id_key(std::string_view id) {
    std::size_t b = 0, e = id.size();
    while (b < e && std::isspace(static_cast<unsigned char>(id[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(id[e - 1]))) --e;
    std::string k(id.substr(b, e - b));
    for (auto& c : k) c = c == '\\' ? '/' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view ext : image_extensions)
        if (k.size() > ext.size() && k.ends_with(ext)) {
            k.resize(k.size() - ext.size());
            break;
        }
    return k;
}

// The id of an image file name: its name without folder and extension.
DERMTL_DECL std::string stem_id(std::string_view name) {
    std::string k(name);
    std::replace(k.begin(), k.end(), '\\', '/');
    if (auto p = k.rfind('/'); p != std::string::npos) k = k.substr(p + 1);
    std::string lk = k;
    for (auto& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view ext : image_extensions)
        if (lk.size() > ext.size() && lk.ends_with(ext)) return k.substr(0, k.size() - ext.size());
    return k;
}

DERMTL_DECL std::optional<std::filesystem::path> image_index::find(std::string_view id) const {
    const std::string k = id_key(id);
    if (auto it = by_path_.find(k); it != by_path_.end() && !it->second.empty()) return it->second;
    const auto slash = k.rfind('/');
    const std::string name = slash == std::string::npos ? k : k.substr(slash + 1);
    if (auto it = by_name_.find(name); it != by_name_.end() && !it->second.empty()) return it->second;
    return std::nullopt;
}

// Requires: `where` = "<manifest>:<line>". Throws io_error when no image matches the id.
DERMTL_DECL std::filesystem::path image_index::require(std::string_view id, std::string_view where) const {
    if (auto p = find(id)) return *p;
    throw io_error(std::string(where) + ": no image file for id " + quoted_value(id) + " in " + root_.string() +
                   " (looked for .jpg/.jpeg/.png/.tif/.tiff, any case)");
}

DERMTL_DECL void image_index::put(std::unordered_map<std::string, std::filesystem::path>& m, const std::string& k,
                                  const std::filesystem::path& p) {
    auto [it, fresh] = m.emplace(k, p);
    if (!fresh && it->second != p) {
        // Same id in two formats (x.jpg and x.png): prefer the earlier extension in
        // image_extensions order so the choice is deterministic.
        auto rank = [](const std::filesystem::path& q) {
            std::string l = q.extension().string();
            for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return std::find(image_extensions.begin(), image_extensions.end(), l) - image_extensions.begin();
        };
        if (it->second.parent_path() != p.parent_path()) it->second.clear();  // ambiguous name
        else if (rank(p) < rank(it->second)) it->second = p;
    }
}

DERMTL_DECL image_index::image_index(const std::filesystem::path& root, bool recursive) : root_(root) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw io_error("image_index: image folder " + root.string() + " not found" +
                       (ec && ec != std::errc::no_such_file_or_directory ? " (" + ec.message() + ")" : ""));
    auto add = [&](const fs::directory_entry& e) {
        std::error_code status;
        if (!e.is_regular_file(status) || status || !has_image_extension(e.path().filename().string())) return;
        const std::string rel = e.path().lexically_relative(root).generic_string();
        put(by_path_, id_key(rel), e.path());
        put(by_name_, id_key(e.path().filename().string()), e.path());
    };
    try {
        if (recursive)
            for (const auto& e : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied))
                add(e);
        else
            for (const auto& e : fs::directory_iterator(root, fs::directory_options::skip_permission_denied)) add(e);
    } catch (const fs::filesystem_error& e) {
        throw io_error("image_index: cannot list the image folder " + root.string() + ": " + e.code().message() +
                       (e.path1().empty() ? "" : " at " + e.path1().string()));
    }
}

}  // namespace dermtl::io
