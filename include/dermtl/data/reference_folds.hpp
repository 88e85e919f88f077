#pragma once
// The paper's reference implementation's label CSV and fold YAML (learningtitans/melanoma-transfer,
// folder folds/).
//
// Label CSV: header `image,level`, ids without extension (`ISIC_0000000,0`, `ael514,1`).
// Fold YAML: keys Fold_1..Fold_K, each a list of two lists `[train ids]`, `[test ids]`; ids carry
// `.tiff` except (quirk) the last of each list; the file may open with `#` comment lines.
// Ensures: read_label_csv gives a non-empty dataset with labels in [0, num_classes)
// (num_classes = 0: max label + 1, at most max_inferred_classes); read_fold_yaml resolves every
// id against that dataset and checks each fold (check_fold: non-empty, two classes or more);
// an id not in the label file, train/test overlap, a malformed fold, a key or id that is not a
// plain value: io_error naming the YAML file, line and id. write_* produce files the readers
// (and the reference code) accept.
// The non-template code is defined in impl/reference_folds.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

struct label_csv_options {
    std::string dataset_name = "reference";
    int num_classes = 0;                      // 0: infer as max label + 1
    std::vector<std::string> class_names;     // optional; default "0", "1", ...
    std::filesystem::path image_dir;          // empty: labels only
    bool recursive_images = true;             // also search subfolders (ISIC's two challenge folders)
};

// The most classes read_label_csv infers from the labels alone (ImageNet's 1000): a larger label
// is a typo, not a class (level 1000000 would otherwise make a 1,000,001-class task).
inline constexpr int max_inferred_classes = 1000;

DERMTL_DECL dataset read_label_csv(const std::filesystem::path& csv, const label_csv_options& opt = {});
// The same from the file as read (io::read_csv; its errors name table.file), so a file given once
// (a pipe) is read once.
DERMTL_DECL dataset read_label_csv(const io::csv_table& table, const label_csv_options& opt = {});

DERMTL_DECL fold_set read_fold_yaml(const std::filesystem::path& yml, const dataset& d);

// A reference protocol: its label file, its folds, and (optionally) images under one root.
struct reference_protocol {
    dataset data;
    fold_set folds;
};
DERMTL_DECL reference_protocol load_reference_protocol(const std::filesystem::path& labels_csv,
                                                       const std::filesystem::path& folds_yml,
                                                       const label_csv_options& opt = {});

DERMTL_DECL void write_label_csv(const std::filesystem::path& csv, const dataset& d);

// Writes the reference layout (ids with `.tiff`, one `#` comment line naming the generator).
DERMTL_DECL void write_fold_yaml(const std::filesystem::path& yml, const fold_set& folds, const dataset& d);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/reference_folds.ipp"
#endif
