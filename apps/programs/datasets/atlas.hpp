#pragma once
// The derm7pt Atlas (--atlas release_v0/meta/meta.csv): the paper's dataset (Tables 1, 3, 4).
// Its images are release_v0/images unless --atlas-images says otherwise; folds are dermtl's.
#include <CLI/CLI.hpp>

#include "dermtl/data/atlas.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format atlas{
    .option = "--atlas",
    .title = "derm7pt Atlas",
    .path = &data_paths::atlas,
    .labels = data::label_format::derm7pt,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options) {
            app.add_option("--atlas", p.atlas, "derm7pt Atlas metadata: release_v0/meta/meta.csv");
            app.add_option("--atlas-images", p.atlas_images, "Atlas image folder (default: release_v0/images)");
        },
    .load =
        [](const data_paths& p, const dataset_read& how) {
            if (p.atlas.empty())
                throw config_error("no lesion data given: pass --atlas release_v0/meta/meta.csv (the derm7pt Atlas), " +
                                   dataset_option_list(true, " or ", "--atlas") +
                                   " (your own data), or --synthetic to run on generated data");
            require_dataset_path(p.atlas, "--atlas", "the derm7pt metadata file release_v0/meta/meta.csv", how);
            data::atlas_options o;
            o.resolve_images = how.resolve_images;
            loaded_dataset out;
            out.dataset = data::load_atlas(p.atlas, o, p.atlas_images);
            out.description =
                "derm7pt Atlas (" + p.atlas.string() + "), " + std::to_string(out.dataset.size()) + " lesions";
            out.images = p.atlas_images.empty() ? p.atlas.parent_path().parent_path() / "images" : p.atlas_images;
            if (!std::filesystem::is_directory(*out.images)) out.images.reset();
            return out;
        },
    .read_labels =
        [](const std::filesystem::path& csv, const io::csv_table& table) {
            label_file out;
            data::atlas_options o;
            o.resolve_images = false;
            out.dataset = data::load_atlas(table, o);  // the file as read: once (a pipe works)
            out.images = csv.parent_path().parent_path() / "images";  // as --atlas: release_v0/images
            if (!std::filesystem::is_directory(*out.images)) out.images.reset();
            return out;
        },
};

}  // namespace dermtl::programs::formats
