#pragma once
// ISIC 2016 Part 3 (--isic2016 FOLDER): the paper's Table 2. Its official training/test split is
// one fold (--split cv: dermtl's cross-validation over all its images); its samples carry the
// challenge's own benign/malignant label (the isic_binary cells).
#include <CLI/CLI.hpp>

#include "dermtl/data/isic2016.hpp"
#include "dermtl/protocol/published.hpp"
#include "programs/datasets.hpp"
#include "programs/inspect.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format isic2016{
    .option = "--isic2016",
    .title = "ISIC 2016 Part 3",
    .path = &data_paths::isic2016,
    .isic_label = true,
    .labels = data::label_format::isic2016,
    .add_options =
        [](CLI::App& app, data_paths& p, dataset_options which) {
            app.add_option("--isic2016", p.isic2016,
                           "ISIC 2016 Part 3 folder (training/test images and ground-truth CSVs)");
            if (which == dataset_options::study) add_split_option(app, p);
        },
    .load =
        [](const data_paths& p, const dataset_read& how) {
            if (p.isic2016.empty())
                throw config_error("no ISIC data given: pass --isic2016 FOLDER (holding " +
                                   std::string(data::isic2016_training_folder) +
                                   " and the ground-truth CSVs), or --synthetic");
            require_dataset_path(
                p.isic2016 / data::isic2016_training_ground_truth, "--isic2016",
                "the ISIC 2016 Part 3 folder with " + std::string(data::isic2016_training_ground_truth), how);
            auto split = data::load_isic2016_challenge(p.isic2016);
            auto out = official_split(std::move(split.training), {}, std::move(split.test), "isic2016", p);
            out.description = "ISIC 2016 Part 3 (" + p.isic2016.string() + ")" + split_description(p, how);
            return out;
        },
    .read_labels =
        [](const std::filesystem::path&, const io::csv_table& table) {
            label_file out;
            out.dataset = data::load_isic2016(table);  // the file as read: once (a pipe works)
            return out;
        },
    // Each part on its own, and the counts beside the official files' and the paper's text's.
    .inspect =
        [](const data_paths& p) {
            const auto split = data::load_isic2016_challenge(p.isic2016);
            std::string t =
                programs::inspect(split.training, nullptr).text + programs::inspect(split.test, nullptr).text;
            // The paper's text misstates these counts: say so once, beside this copy's own.
            const auto& text = protocol::paper_text_isic2016_melanomas;
            const auto& official = protocol::official_isic2016_melanomas;
            t += "note: this copy holds " + std::to_string(split.training.class_counts().at(1)) +
                 " malignant (melanoma) cases in training and " + std::to_string(split.test.class_counts().at(1)) +
                 " in test; the official files hold " + std::to_string(official[0]) + " and " +
                 std::to_string(official[1]) + ", while the paper's text says " + std::to_string(text[0]) + " and " +
                 std::to_string(text[1]) + " (the text's figures do not match the data)\n";
            return t;
        },
};

}  // namespace dermtl::programs::formats
