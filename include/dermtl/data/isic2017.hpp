#pragma once
// Loader for ISIC 2017 Part 3 ground truth (`ISIC-2017_{Training,Validation,Test_v2}_Part3_GroundTruth.csv`).
//
// Represents: header `image_id,melanoma,seborrheic_keratosis`, values 0/1 (often 0.0/1.0);
// both 0 = nevus. A copy without the header line (three columns in that order, the first row a
// case: its id holds a digit) is read too. Ensures: class_names {"nevus","melanoma","seborrheic keratosis"} with labels
// 0/1/2 and matching diagnoses; a row flagging both melanoma and seborrheic keratosis, a value
// other than 0/1, a wrong column count, a duplicate id or a missing image is an io_error naming
// file, line and value.
#include <filesystem>
#include <optional>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

inline dataset load_isic2017(const std::filesystem::path& ground_truth_csv, const std::filesystem::path& image_dir = {}) {
    const auto table = io::read_csv(ground_truth_csv);
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

}  // namespace dermtl::data
