#pragma once
// Loader for Kaggle Diabetic Retinopathy Detection `trainLabels.csv` (the paper's transfer source).
//
// Represents: header `image,level`, rows `10_left,0` (no extension), images `<id>.jpeg` in one
// folder. Levels 0 No DR, 1 Mild, 2 Moderate, 3 Severe, 4 Proliferative.
// Ensures: label = grade = level; class_names the five level names; only paths are held (35,126
// samples cost a few MB; images are streamed through io::image_cache). Level outside 0-4, a
// wrong column count, a duplicate id or a missing image: io_error naming file, line and value.
// The non-template code is defined in impl/retinopathy.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

DERMTL_DECL dataset load_retinopathy(const std::filesystem::path& labels_csv,
                                     const std::filesystem::path& image_dir = {});
// The same from the file as read (io::read_csv; its errors name table.file), so a file given once
// (a pipe) is read once.
DERMTL_DECL dataset load_retinopathy(const io::csv_table& table, const std::filesystem::path& image_dir = {});

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/retinopathy.ipp"
#endif
