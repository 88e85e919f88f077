// Definitions of data/folder_tree.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/folder_tree.hpp"

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <utility>
#include <vector>

namespace dermtl::data {

DERMTL_DECL dataset load_folder_tree(const std::filesystem::path& root, const diagnosis_map& map, std::string name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw io_error("load_folder_tree: folder " + root.string() + " not found");
    // Entries that cannot be followed (dangling links, symbolic-link loops) are skipped.
    auto is_folder = [](const fs::directory_entry& e) {
        std::error_code status;
        return e.is_directory(status) && !status;
    };
    auto is_file = [](const fs::directory_entry& e) {
        std::error_code status;
        return e.is_regular_file(status) && !status;
    };
    auto entries = [](const fs::path& folder) {
        std::vector<fs::directory_entry> out;
        try {
            for (const auto& e : fs::directory_iterator(folder)) out.push_back(e);
        } catch (const fs::filesystem_error& e) {
            throw io_error("load_folder_tree: cannot list " + folder.string() + ": " + e.code().message());
        }
        return out;
    };
    std::vector<fs::path> classes;
    for (const auto& e : entries(root))
        if (is_folder(e)) classes.push_back(e.path());
    std::sort(classes.begin(), classes.end());
    if (classes.empty()) throw io_error("load_folder_tree: " + root.string() + " has no class subfolders");
    std::vector<diagnosis> diagnoses;
    for (const auto& c : classes)
        if (const auto dx = map.find(c.filename().string())) diagnoses.push_back(*dx);
    const bool diagnosed = diagnoses.size() == classes.size();
    dataset d;
    d.name = std::move(name);
    for (std::size_t c = 0; c < classes.size(); ++c) {
        d.class_names.push_back(classes[c].filename().string());
        std::vector<fs::path> files;
        for (const auto& e : entries(classes[c]))
            if (is_file(e) && io::has_image_extension(e.path().filename().string()))
                files.push_back(e.path());
        std::sort(files.begin(), files.end());
        if (files.empty()) throw io_error("load_folder_tree: class folder " + classes[c].string() + " holds no images");
        for (const auto& f : files) {
            sample s;
            s.id = d.class_names.back() + "/" + io::stem_id(f.filename().string());
            s.image = f;
            s.dataset = d.name;
            s.label = static_cast<int>(c);
            if (diagnosed) s.dx = diagnoses[c];
            s.manifest = f;
            d.samples.push_back(std::move(s));
        }
    }
    d.check();
    return d;
}

// The tree with diagnoses from diagnosis_map::defaults().
DERMTL_DECL dataset load_folder_tree(const std::filesystem::path& root, std::string name) {
    return load_folder_tree(root, diagnosis_map::defaults(), std::move(name));
}

}  // namespace dermtl::data
