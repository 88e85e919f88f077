#pragma once
// Loader for Kaggle Diabetic Retinopathy Detection `trainLabels.csv` (the paper's transfer source).
//
// Represents: header `image,level`, rows `10_left,0` (no extension), images `<id>.jpeg` in one
// folder. Levels 0 No DR, 1 Mild, 2 Moderate, 3 Severe, 4 Proliferative.
// Ensures: label = grade = level; class_names the five level names; only paths are held (35,126
// samples cost a few MB; images are streamed through io::image_cache). Level outside 0-4, a
// wrong column count, a duplicate id or a missing image: io_error naming file, line and value.
#include <algorithm>
#include <filesystem>
#include <optional>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

inline dataset load_retinopathy(const std::filesystem::path& labels_csv, const std::filesystem::path& image_dir = {}) {
    const auto table = io::read_csv(labels_csv);
    const std::size_t c_id = table.column("image"), c_level = table.column("level");
    std::optional<io::image_index> images;
    if (!image_dir.empty()) images.emplace(image_dir);
    dataset d;
    d.name = "retinopathy";
    d.class_names = {"no DR", "mild", "moderate", "severe", "proliferative DR"};
    d.samples.reserve(table.rows.size());
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, std::max(c_id, c_level) + 1, "image,level");
        sample s;
        s.id = row[c_id];
        s.dataset = d.name;
        s.manifest = labels_csv;
        s.manifest_line = row.line;
        s.label = parse_label(row[c_level], 0, 4, s.where(), "level");
        s.grade = s.label;
        if (images) s.image = images->require(s.id, s.where());
        d.samples.push_back(std::move(s));
    }
    if (d.samples.empty())
        throw io_error(labels_csv.string() + ": no cases (a header line only); expected rows of 'image,level' after it");
    d.check();
    return d;
}

}  // namespace dermtl::data
