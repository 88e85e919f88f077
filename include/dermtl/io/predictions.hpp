#pragma once
// Per-image predictions as a CSV file: the one writer (and reader) of the files a run leaves in
// OUT/predictions/<cell>/ (one per fold and the pooled out-of-fold ones), of a later `predict`
// command's output, and of what `dermtl score` reads back. It lives in io/ because it is a file
// format that needs nothing of the protocol or the report (plain ids, labels and numbers), so the
// runner (libdermtl_protocol), the tool's programs and any user code share it through libdermtl_io.
//
// Columns, in this order:
//   image                 the image id
//   fold                  the fold that tested it (empty for a prediction outside cross-validation)
//   label                 the true class's index (empty when unknown)
//   class                 the true class's name (empty when unknown)
//   score_<class>...      the classifier's scores: two classes: one column, the positive class's
//                         (class 1; the SVM's decision value); more classes: one per class, in label
//                         order (the three-class design: score_basal_cell_carcinoma, score_melanoma,
//                         score_benign)
//   confidence_<class>    two classes only: the Platt-mapped probability of the positive class, in
//                         [0, 1] (what the ISIC scorer's `> 0.5` rule reads); empty fields when
//                         the classifier gave none
// and, only in files of a final model's predictions (`dermtl predict`), where they are given:
//   probability_<class>...  more than two classes: each class's probability (one-vs-rest Platt
//                         sigmoids normalized to sum 1), in label order
//   decision              the predicted class's name
//   referral              the referral band: refer, confident_negative or confident_positive
// A class's column name is its name in lower case with every run of other characters than a-z
// and 0-9 written `_` ("basal cell carcinoma or actinic keratosis" ->
// basal_cell_carcinoma_or_actinic_keratosis). Numbers are written in the shortest form that reads
// back to the same double.
// Not templates: defined in impl/predictions.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/io/csv.hpp"

namespace dermtl::io {

struct image_predictions {
    std::vector<std::string> class_names;      // label order; two or more
    std::vector<std::string> ids;
    std::vector<std::string> folds;            // one per image (may be empty strings)
    std::vector<int> labels;                   // one per image: index into class_names, or -1 (unknown)
    std::vector<std::vector<double>> scores;   // one row per image: 1 value (two classes) or one per class
    std::vector<double> confidences;           // two classes: one per image in [0, 1], or none (no Platt
                                               // mapping: the column's fields are empty); more: none
    // A final model's predictions only (see the columns above); each none or one per image.
    std::vector<std::vector<double>> probabilities;  // more than two classes: one row of class_names.size()
    std::vector<std::string> decisions;              // a class name
    std::vector<std::string> referrals;              // refer, confident_negative, confident_positive

    std::size_t size() const { return ids.size(); }
    // Appends `more`'s rows (same classes and score columns; throws config_error otherwise).
    DERMTL_DECL void append(const image_predictions& more);
};

// Whether `band` is one of the referral column's values: refer, confident_negative, confident_positive.
DERMTL_DECL bool is_referral_band(std::string_view band);

// The column name of a class: "basal cell carcinoma" -> "basal_cell_carcinoma".
DERMTL_DECL std::string class_column(std::string_view class_name);

// The header row (see the file comment).
DERMTL_DECL std::vector<std::string> prediction_columns(const image_predictions& p);

// Requires: class_names.size() >= 2; every per-image vector of size() entries (confidences: none,
// or one each when there are two classes); score rows of 1 (two classes) or class_names.size()
// values; labels in [-1, classes). Throws config_error naming what differs.
DERMTL_DECL void check_predictions(const image_predictions& p, std::string_view op);

// The file's text. Checks p first (check_predictions).
DERMTL_DECL std::string predictions_csv(const image_predictions& p);

// Writes the file atomically (io/atomic_file.hpp), creating its folder. Throws io_error / config_error.
DERMTL_DECL void write_predictions(const std::filesystem::path& file, const image_predictions& p);

// Whether a CSV's first row is this format's header (starts image,fold,label,class,score_).
DERMTL_DECL bool is_predictions_header(const csv_row& header);

// Reads a file written by write_predictions. Throws io_error naming file:line and the column for
// a row of another width, an empty or duplicate id, a label that is not an integer of the
// classes, a score that is not a finite number, a confidence or probability outside [0, 1] or NaN,
// a decision that is not a class, a referral band that is not one of the three.
DERMTL_DECL image_predictions read_predictions(const csv_table& table);
inline image_predictions read_predictions(const std::filesystem::path& file) { return read_predictions(read_csv(file)); }

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/predictions.ipp"
#endif
