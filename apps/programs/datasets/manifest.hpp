#pragma once
// A manifest (--manifest CSV --images FOLDER): one row per image with its diagnosis, in columns the
// user names (--image-column, --diagnosis-column; optionally --difficulty-column, --group-column,
// --fold-column), the diagnoses mapped by the diagnosis table (--diagnosis-map overrides it). Its
// folds: the fold column's, else dermtl's, never splitting a group (lesion).
#include <set>

#include <CLI/CLI.hpp>

#include "dermtl/data/manifest.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs::formats {

namespace detail {
// The loader of --manifest and of --ham10000 (a manifest with HAM10000's columns, which the column
// options override when given).
inline loaded_dataset load_manifest(const data_paths& p, const dataset_read& how, bool ham) {
    const auto& csv = ham ? p.ham10000 : p.manifest;
    const std::string option = ham ? "--ham10000" : "--manifest";
    require_dataset_path(csv, option, ham ? "HAM10000_metadata.csv" : "a CSV naming images and diagnoses", how);
    if (how.resolve_images) {
        if (p.images.empty())
            throw config_error(option +
                               ": expected --images FOLDER, the folder holding its images (searched with "
                               "its subfolders)");
        require_dataset_path(p.images, "--images", "the image folder of " + option, how);
    }
    data::manifest_options o = ham ? data::ham10000_manifest() : data::manifest_options{};
    if (p.image_column) o.image_column = *p.image_column;
    if (p.diagnosis_column) o.diagnosis_column = *p.diagnosis_column;
    if (p.difficulty_column) o.difficulty_column = *p.difficulty_column;
    if (p.group_column) o.group_column = *p.group_column;
    if (p.fold_column) o.fold_column = *p.fold_column;
    o.map = diagnosis_map_of(p, how);
    loaded_dataset out;
    out.dataset = data::load_manifest(csv, how.resolve_images ? p.images : std::filesystem::path(), o);
    if (!how.resolve_images && !p.images.empty()) out.images = p.images;
    std::size_t groups = 0;
    {
        std::set<std::string> seen;
        for (const auto& smp : out.dataset.samples) seen.insert(smp.group.empty() ? "#" + smp.id : smp.group);
        groups = seen.size();
    }
    out.description = (ham ? "HAM10000 (" : "manifest (") + csv.string() + "), " + std::to_string(out.dataset.size()) +
                      " images of " + std::to_string(groups) + " lesions";
    if (!o.fold_column.empty()) {
        out.folds = data::folds_from_column(out.dataset, data::fold_values(out.dataset));
        out.description += ", folds from column '" + o.fold_column + "'";
    } else if (!o.group_column.empty()) {
        out.description += ", folds split by '" + o.group_column + "'";
    }
    return out;
}
}  // namespace detail

inline constexpr dataset_format manifest{
    .option = "--manifest",
    .title = "manifest",
    .path = &data_paths::manifest,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options) {
            app.add_option("--manifest", p.manifest,
                           "A CSV naming each image and its diagnosis (--image-column, --diagnosis-column; optionally "
                           "--difficulty-column, --group-column, --fold-column), images under --images");
            add_images_option(app, p);
            app.add_option("--image-column", p.image_column,
                           "--manifest: the column naming the image (default: image)");
            app.add_option("--diagnosis-column", p.diagnosis_column,
                           "--manifest: the diagnosis column (default: diagnosis)");
            app.add_option("--difficulty-column", p.difficulty_column,
                           "--manifest: a column of low/medium/high (optional)");
            app.add_option("--group-column", p.group_column,
                           "--manifest: a lesion id; folds never split the images of one lesion (optional)");
            app.add_option("--fold-column", p.fold_column,
                           "--manifest: your own folds; fold k tests the rows holding the k-th value (optional)");
            add_diagnosis_map_option(app, p);
        },
    .load = [](const data_paths& p, const dataset_read& how) { return detail::load_manifest(p, how, false); },
};

}  // namespace dermtl::programs::formats
