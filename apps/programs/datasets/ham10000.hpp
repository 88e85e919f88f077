#pragma once
// HAM10000 (--ham10000 HAM10000_metadata.csv --images FOLDER): a manifest with HAM10000's columns
// (image_id, dx, lesion_id, localization); folds never split a lesion. Its label file, told by
// `inspect --labels`, is summarised from its columns (its loader needs the images).
#include <CLI/CLI.hpp>

#include "programs/datasets.hpp"
#include "programs/datasets/manifest.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format ham10000{
    .option = "--ham10000",
    .title = "HAM10000",
    .path = &data_paths::ham10000,
    .labels = data::label_format::ham10000,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options) {
            app.add_option("--ham10000", p.ham10000,
                           "HAM10000_metadata.csv (image_id, dx, lesion_id), images under --images");
            add_images_option(app, p);
            add_diagnosis_map_option(app, p);
        },
    .load = [](const data_paths& p, const dataset_read& how) { return detail::load_manifest(p, how, true); },
    .read_labels =
        [](const std::filesystem::path&, const io::csv_table& table) {
            // The manifest's own counts.
            label_file out;
            const auto c = data::count_manifest(table, "image_id", "dx", "lesion_id");
            out.text =
                "manifest: " + std::to_string(c.rows) + " images of " + std::to_string(c.groups) + " lesions\n  dx:";
            for (const auto& [dx, n] : c.per_value) out.text += " " + dx + " " + std::to_string(n) + ";";
            out.text += "\n";
            return out;
        },
};

}  // namespace dermtl::programs::formats
