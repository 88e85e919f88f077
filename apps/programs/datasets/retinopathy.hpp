#pragma once
// Kaggle Diabetic Retinopathy (--retinopathy trainLabels.csv --retinopathy-images train/): the
// paper's transfer source, not a target; inspect and extract read it like the targets.
#include <CLI/CLI.hpp>

#include "dermtl/data/retinopathy.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format retinopathy{
    .option = "--retinopathy",
    .title = "Kaggle Diabetic Retinopathy",
    .path = &data_paths::retinopathy,
    .target = false,
    .labels = data::label_format::retinopathy,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options) {
            app.add_option("--retinopathy", p.retinopathy, "Kaggle Diabetic Retinopathy trainLabels.csv");
            app.add_option("--retinopathy-images", p.retinopathy_images,
                           "Kaggle Diabetic Retinopathy image folder (train/)");
        },
    .load =
        [](const data_paths& p, const dataset_read& how) {
            require_dataset_path(p.retinopathy, "--retinopathy", "Kaggle's trainLabels.csv", how);
            loaded_dataset out;
            out.dataset = data::load_retinopathy(p.retinopathy,
                                                 how.resolve_images ? p.retinopathy_images : std::filesystem::path());
            out.description = "Retinopathy " + std::to_string(out.dataset.size()) + " images";
            if (!how.resolve_images && !p.retinopathy_images.empty()) out.images = p.retinopathy_images;
            return out;
        },
    .read_labels =
        [](const std::filesystem::path&, const io::csv_table& table) {
            label_file out;
            out.dataset = data::load_retinopathy(table);  // the file as read: once (a pipe works)
            return out;
        },
};

}  // namespace dermtl::programs::formats
