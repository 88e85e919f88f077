#pragma once
// A folder per diagnosis (--tree FOLDER: melanoma/, nevus/, bcc/, ...), the folder names mapped
// by the diagnosis table (--diagnosis-map overrides it); folds are dermtl's.
#include <CLI/CLI.hpp>

#include "dermtl/data/folder_tree.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format tree{
    .option = "--tree",
    .title = "folder tree",
    .path = &data_paths::tree,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options) {
            app.add_option("--tree", p.tree,
                           "A folder with one subfolder of images per diagnosis (melanoma/, nevus/, bcc/, ...)");
            add_diagnosis_map_option(app, p);
        },
    .load =
        [](const data_paths& p, const dataset_read& how) {
            require_dataset_path(p.tree, "--tree", "a folder with one subfolder of images per diagnosis", how);
            loaded_dataset out;
            out.dataset = data::load_folder_tree(p.tree, diagnosis_map_of(p, how));
            out.description =
                "folder tree (" + p.tree.string() + "), " + std::to_string(out.dataset.size()) + " images";
            return out;
        },
};

}  // namespace dermtl::programs::formats
