// Definitions of data/isic2017.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/isic2017.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace dermtl::data {

DERMTL_DECL dataset load_isic2017(const std::filesystem::path& ground_truth_csv,
                                  const std::filesystem::path& image_dir) {
    return load_isic2017(io::read_csv(ground_truth_csv), image_dir);
}

DERMTL_DECL dataset load_isic2017(const io::csv_table& table, const std::filesystem::path& image_dir) {
    const std::filesystem::path& ground_truth_csv = table.file;
    // Headerless: the first row is a case (ISIC ids hold digits, column names do not).
    const bool header = table.rows.front()[0].find_first_of("0123456789") == std::string::npos;
    const std::size_t c_id = header ? table.column("image_id") : 0, c_mel = header ? table.column("melanoma") : 1,
                      c_sk = header ? table.column("seborrheic_keratosis") : 2;
    const std::size_t width = header ? table.rows.front().size() : 3;
    std::optional<io::image_index> images;
    if (!image_dir.empty()) images.emplace(image_dir);
    dataset d;
    d.name = "isic2017";
    d.class_names = {"nevus", "melanoma", "seborrheic keratosis"};
    for (std::size_t r = header ? 1 : 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, width, "image_id,melanoma,seborrheic_keratosis");
        const bool mel = parse_flag(row[c_mel], table.where(row), "melanoma");
        const bool sk = parse_flag(row[c_sk], table.where(row), "seborrheic_keratosis");
        if (mel && sk)
            throw io_error(table.where(row) + ": " + quoted_value(row[c_id]) +
                           " flagged both melanoma and seborrheic_keratosis (label out of range)");
        sample s;
        s.id = row[c_id];
        s.dataset = d.name;
        s.label = mel ? 1 : sk ? 2 : 0;
        s.dx = mel ? diagnosis::melanoma : sk ? diagnosis::seborrheic_keratosis : diagnosis::nevus;
        s.manifest = ground_truth_csv;
        s.manifest_line = row.line;
        if (images) s.image = images->require(s.id, s.where());
        d.samples.push_back(std::move(s));
    }
    if (d.samples.empty())
        throw io_error(ground_truth_csv.string() + ": no cases (a header line only); expected rows of "
                       "'image_id,melanoma,seborrheic_keratosis' values after it");
    d.check();
    return d;
}

// Requires: root holds the three ISIC-2017_*_Data folders and *_Part3_GroundTruth.csv files.
// Ensures: training, validation and test pairwise disjoint (an id in two is an io_error naming
// both files and lines); merged: training lists the official training rows, then the validation
// rows (each sample still names its own file and line).
DERMTL_DECL isic2017_split load_isic2017_challenge(const std::filesystem::path& root,
                                                   isic2017_validation use) {
    isic2017_split split{load_isic2017(root / isic2017_training_ground_truth, root / isic2017_training_folder),
                         load_isic2017(root / isic2017_validation_ground_truth, root / isic2017_validation_folder),
                         load_isic2017(root / isic2017_test_ground_truth, root / isic2017_test_folder)};
    const std::array<std::pair<const dataset*, const char*>, 3> parts = {
        {{&split.training, "training"}, {&split.validation, "validation"}, {&split.test, "test"}}};
    for (std::size_t a = 0; a < parts.size(); ++a)
        for (std::size_t b = a + 1; b < parts.size(); ++b)
            for (const auto& s : parts[b].first->samples)
                if (const auto i = parts[a].first->find(s.id))
                    throw io_error(s.where() + ": " + parts[b].second + " id " + quoted_value(s.id) + " is also in " +
                                   parts[a].second + " (" + (*parts[a].first)[*i].where() + "); expected disjoint " +
                                   "training, validation and test sets (" + parts[a].second + "/" + parts[b].second +
                                   " overlap)");
    if (use == isic2017_validation::merged_into_training) {
        for (auto& s : split.validation.samples) split.training.samples.push_back(std::move(s));
        split.validation.samples.clear();
        split.training.invalidate_index();
    }
    return split;
}

}  // namespace dermtl::data
