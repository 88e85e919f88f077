#pragma once
// Loader for a generic manifest CSV: one image per row, with its diagnosis, and optionally its
// diagnostic difficulty, lesion group, body site and the user's own fold.
//
// Represents: a header naming the columns (found case-insensitively; other columns ignored) and
// one row per image. The image column holds a path relative to `image_dir`, an absolute path, or
// an id; relative paths and ids are looked up in `image_dir` and its subfolders whatever the
// extension (.jpg/.jpeg/.png/.tif/.tiff) and case, so HAM10000's HAM10000_images_part_1/ and
// _part_2/ both resolve from their parent folder. The diagnosis goes through `map`
// (diagnosis_map.hpp) into dermtl's vocabulary. Difficulty is low/medium/high as the Atlas spells
// it (blank = unknown). A non-blank group puts the image in that lesion's group (folds keep a
// group on one side); a blank one leaves it its own group. Each of `metadata_columns` is kept
// as written in sample::metadata under its lower-case name (data/metadata.hpp: subgroups).
// Ensures: ids are the image column's values without image extension ('\' read as '/'); labels
// are -1 and class_names empty: relabel() (lesion_task.hpp) labels the set for a design.
// Images are not resolved when `image_dir` is empty (metadata only).
// Errors, all io_errors: a missing column names the file, the option naming it and the header
// found; an unknown diagnosis names file:line, the column, the value, the vocabulary and how to
// map it; images that do not exist are reported once, after the whole file is read, with their
// count and the first few lines and values; a wrong column count, a blank image value, a
// duplicate id (naming both lines) and a file with no rows are errors naming file and line.
// The non-template code is defined in impl/manifest.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

struct manifest_options {
    std::string image_column = "image";        // an image path (relative to image_dir, or absolute) or an id
    std::string diagnosis_column = "diagnosis";
    std::string difficulty_column;             // optional: low/medium/high (as the Atlas spells them)
    std::string group_column;                  // optional: a lesion id; folds never split a group
    std::string fold_column;                   // optional: the user's own fold assignment (folds_from_column)
    std::string location_column;               // optional: body site (sample::location, lower case)
    std::vector<std::string> metadata_columns; // optional: kept in sample::metadata (subgroups)
    bool require_metadata_columns = true;      // false: one the header lacks is skipped
    diagnosis_map map = diagnosis_map::defaults();
    std::string name = "manifest";
};

// HAM10000_metadata.csv: lesion_id,image_id,dx,dx_type,age,sex,localization; metadata columns
// age, sex and localization where the header has them (a HAM10000-style file needs only
// lesion_id, image_id and dx).
DERMTL_DECL manifest_options ham10000_manifest();

DERMTL_DECL dataset load_manifest(const std::filesystem::path& csv, const std::filesystem::path& image_dir,
                                  const manifest_options& opt = {});

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/manifest.ipp"
#endif
