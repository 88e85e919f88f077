#pragma once
// Which kind of label file a CSV is, from its header and content: the one place that tells the
// formats dermtl reads apart (`dermtl inspect --labels` and any front end that takes "a label
// file" without being told its kind).
//
// Represents: the label files of the paper's datasets and their usual companions:
//   reference    the reference implementation's labels: header `image,level`
//   retinopathy  Kaggle Diabetic Retinopathy `trainLabels.csv`: header `image,level`, every id
//                `<patient>_left` or `<patient>_right`
//   isic2016     ISIC 2016 Part 3 ground truth: two columns `ISIC_<id>,benign|malignant` or
//                `ISIC_<id>,0|1|0.0|1.0`, with or without a header line (`img_id,Label`)
//   isic2017     ISIC 2017 Part 3 ground truth: `image_id,melanoma,seborrheic_keratosis`, with
//                or without that header
//   derm7pt      derm7pt `meta.csv` (the Atlas): a header naming `diagnosis` and `derm`
//   ham10000     a HAM10000-style manifest (`HAM10000_metadata.csv`): a header naming
//                `lesion_id`, `image_id` and `dx`
// Ensures: detect_label_format gives the format, or an io_error naming the file, what its first
// line holds and every format above with what identifies it. It only tells formats apart; the
// format's loader (isic2016.hpp, reference_folds.hpp, ...) checks every row.
//
// Also here: count_manifest, the per-value, per-image and per-group counts of a manifest's
// columns (HAM10000's dx, image_id, lesion_id), for formats that are summarised before (or
// without) being loaded as a target.
// The non-template code is defined in impl/label_format.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/io/csv.hpp"

namespace dermtl::data {

enum class label_format { reference, retinopathy, isic2016, isic2017, derm7pt, ham10000 };

struct label_format_info {
    label_format format;
    std::string_view name;       // "ISIC 2016 Part 3 ground truth"
    std::string_view signature;  // what identifies it: "two columns ISIC_<id>,benign|malignant ..."
};

inline constexpr std::array<label_format_info, 6> label_formats = {{
    {label_format::reference, "the reference implementation's label CSV", "header image,level"},
    {label_format::retinopathy, "Kaggle Diabetic Retinopathy trainLabels.csv",
     "header image,level; every id <patient>_left or <patient>_right"},
    {label_format::isic2016, "ISIC 2016 Part 3 ground truth",
     "two columns ISIC_<id>,benign|malignant or ISIC_<id>,0|1; header line optional"},
    {label_format::isic2017, "ISIC 2017 Part 3 ground truth",
     "image_id,melanoma,seborrheic_keratosis with 0|1 values; header line optional"},
    {label_format::derm7pt, "derm7pt meta.csv (the Interactive Atlas)",
     "header naming diagnosis, level_of_diagnostic_difficulty, location and derm"},
    {label_format::ham10000, "HAM10000-style manifest (HAM10000_metadata.csv)", "header naming lesion_id, image_id and dx"},
}};

inline const label_format_info& info(label_format f) { return label_formats[static_cast<std::size_t>(f)]; }
inline std::string_view to_string(label_format f) { return info(f).name; }

// The format of a parsed label CSV (rows as read; the file is table.file).
DERMTL_DECL label_format detect_label_format(const io::csv_table& table);

// The format of a label CSV on disk. Throws io_error naming the file when it cannot be read as
// CSV (missing, empty, not UTF-8: io::read_csv) or is none of label_formats.
inline label_format detect_label_format(const std::filesystem::path& csv) { return detect_label_format(io::read_csv(csv)); }

// The counts of a manifest's columns, without loading it as a dataset.
struct manifest_counts {
    std::size_t rows = 0;                          // data rows
    std::size_t groups = 0;                        // distinct values of the group column (lesions)
    std::map<std::string, std::size_t> per_value;  // rows per value of the value column (dx)
};

// Requires: `table` has a header naming `image_column` and `value_column`, and `group_column`
// when it is not empty. Ensures: the counts; every data row has the header's width, a non-empty
// image id and value, and image ids are unique -- otherwise io_error naming file:line, the column
// and the value (a duplicate also names the line where the id was first listed).
DERMTL_DECL manifest_counts count_manifest(const io::csv_table& table, std::string_view image_column,
                                           std::string_view value_column, std::string_view group_column = {});

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/label_format.ipp"
#endif
