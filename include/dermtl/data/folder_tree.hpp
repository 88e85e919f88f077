#pragma once
// Loader for a plain folder-per-class tree: root/<class name>/<image files>.
//
// Ensures: classes are the subfolders in sorted order (label = position); ids are
// "<class>/<file stem>"; images with any supported extension/case; an empty root or a class
// folder without images is an io_error naming it; dangling links and symbolic-link loops are
// skipped. manifest_line is 0 (no manifest lines here).
// When every class folder's name is a diagnosis the map knows (`melanoma/`, `nevus/`, `bcc/`,
// `basal cell carcinoma/`; diagnosis_map.hpp), each sample's diagnosis is its folder's, so the
// paper's designs can relabel the tree (dataset::has_diagnoses() is then true); otherwise
// diagnoses stay not_applicable. Labels are the folder order either way.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

inline dataset load_folder_tree(const std::filesystem::path& root, const diagnosis_map& map, std::string name = "folders") {
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
inline dataset load_folder_tree(const std::filesystem::path& root, std::string name = "folders") {
    return load_folder_tree(root, diagnosis_map::defaults(), std::move(name));
}

}  // namespace dermtl::data
