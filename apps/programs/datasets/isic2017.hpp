#pragma once
// ISIC 2017 Part 3 (--isic2017 FOLDER, the official layout): its official split is one fold, its
// validation set merged into training or kept as the validation split (--isic2017-validation);
// --split cv cross-validates all its images.
#include <CLI/CLI.hpp>

#include "dermtl/data/isic2017.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format isic2017{
    .option = "--isic2017",
    .title = "ISIC 2017 Part 3",
    .path = &data_paths::isic2017,
    .labels = data::label_format::isic2017,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options which) {
            app.add_option("--isic2017", p.isic2017,
                           "ISIC 2017 Part 3 folder (training/validation/test images and ground truth)");
            if (which != dataset_options::study) return;
            add_split_option(app, p);
            const std::map<std::string, data::isic2017_validation> uses{
                {"merge", data::isic2017_validation::merged_into_training},
                {"split", data::isic2017_validation::validation_split}};
            app.add_option("--isic2017-validation", p.isic2017_validation,
                           "ISIC 2017's official validation set: merge (into training; dermtl takes its own 10%) or "
                           "split (the validation split of fine-tuning); default merge")
                ->transform(CLI::CheckedTransformer(uses));
        },
    .load =
        [](const data_paths& p, const dataset_read& how) {
            require_dataset_path(
                p.isic2017 / data::isic2017_training_ground_truth, "--isic2017",
                "the ISIC 2017 Part 3 folder with " + std::string(data::isic2017_training_ground_truth), how);
            const auto use =
                p.cross_validate_isic ? data::isic2017_validation::merged_into_training : p.isic2017_validation;
            auto split = data::load_isic2017_challenge(p.isic2017, use);
            auto out = official_split(std::move(split.training), std::move(split.validation), std::move(split.test),
                                      "isic2017", p);
            out.description = "ISIC 2017 Part 3 (" + p.isic2017.string() + ")" + split_description(p, how) +
                              (!p.cross_validate_isic && use == data::isic2017_validation::validation_split
                                   ? ", the official validation set as the validation split"
                                   : ", the official validation set merged into training");
            return out;
        },
    .read_labels =
        [](const std::filesystem::path&, const io::csv_table& table) {
            label_file out;
            out.dataset = data::load_isic2017(table);  // the file as read: once (a pipe works)
            return out;
        },
};

}  // namespace dermtl::programs::formats
