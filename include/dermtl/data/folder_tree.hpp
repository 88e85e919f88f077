#pragma once
// Loader for a plain folder-per-class tree: root/<class name>/<image files>.
//
// Ensures: classes are the subfolders in sorted order (label = position); ids are
// "<class>/<file stem>"; images with any supported extension/case; an empty root or a class
// folder without images is an io_error naming it; dangling links and symbolic-link loops are
// skipped. manifest_line is 0 (no manifest lines here).
// When every class folder's name is a diagnosis the map knows (`melanoma/`, `nevus/`, `bcc/`,
// `basal cell carcinoma/`; diagnosis_map.hpp), each sample's diagnosis is its folder's, so the
// paper's designs can relabel the tree (dataset::has_diagnoses() is then true); otherwise
// diagnoses stay not_applicable. Labels are the folder order either way.
// The non-template code is defined in impl/folder_tree.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <string>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

DERMTL_DECL dataset load_folder_tree(const std::filesystem::path& root, const diagnosis_map& map,
                                     std::string name = "folders");

// The tree with diagnoses from diagnosis_map::defaults().
DERMTL_DECL dataset load_folder_tree(const std::filesystem::path& root, std::string name = "folders");

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/folder_tree.ipp"
#endif
