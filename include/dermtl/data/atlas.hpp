#pragma once
// Loader for the Interactive Atlas of Dermoscopy through derm7pt's `release_v0/meta/meta.csv`.
//
// Represents: the dermoscopic image of each case, with its diagnosis (closed vocabulary, parsed
// case-insensitively), level_of_diagnostic_difficulty and location. Columns are found by name
// in the header (derm7pt has 19; only diagnosis, level_of_diagnostic_difficulty, location and
// derm are needed). `derm` is an image path relative to `images/`, matched whatever the
// extension and case.
// Ensures: acral lesions dropped when exclude_acral (the paper's choice); ids are the lower-case
// image stems (`aal002`), as in the reference implementation's protocol files; labels follow
// `task`, samples the task removes are dropped; no case left is an error. Errors name
// meta.csv:line and the value.
// The non-template code is defined in impl/atlas.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

// dataset::name of what load_atlas returns (also what the paper's Tables 1, 3, 4 ran on).
inline constexpr std::string_view atlas_dataset_name = "atlas";

struct atlas_options {
    lesion_task task = lesion_task::malignant_vs_benign;
    bool exclude_acral = true;
    bool resolve_images = true;  // false: read the metadata only
};

// Requires: meta_csv = <release>/meta/meta.csv; image_root = <release>/images (default: derived).
DERMTL_DECL dataset load_atlas(const std::filesystem::path& meta_csv, const atlas_options& opt = {},
                               std::filesystem::path image_root = {});
// The same from meta.csv as read (io::read_csv; its errors name table.file, the image root derived
// from it), so a file given once (a pipe) is read once.
DERMTL_DECL dataset load_atlas(const io::csv_table& table, const atlas_options& opt = {},
                               std::filesystem::path image_root = {});

// derm7pt's own split: release_v0/meta/{train,valid,test}_indexes.csv, column `indexes`, each a
// 0-based row of meta.csv (data rows, header excluded).
struct derm7pt_split {
    std::vector<std::size_t> train, validation, test;  // indices into the dataset from load_atlas
    std::size_t dropped = 0;                           // listed rows the dataset does not hold (acral, task)
};

// Requires: `d` loaded by load_atlas from `meta_csv`. Ensures: every listed row maps to its
// sample or counts as dropped; a row beyond meta.csv, a non-integer, a row listed twice or in
// two parts is an io_error naming the index file, line and value.
DERMTL_DECL derm7pt_split load_derm7pt_split(const std::filesystem::path& meta_csv, const dataset& d);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/atlas.ipp"
#endif
