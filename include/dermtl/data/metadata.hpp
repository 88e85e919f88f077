#pragma once
// Metadata columns of a dataset's samples, by name, for subgroup analysis (metrics/subgroups.hpp).
//
// Represents: the columns a dataset carries. Two are derived from sample fields, present when
// some sample has a value: "difficulty" (sample::level as the Atlas spells it: low, medium, high;
// unknown -> blank) and "location" (sample::location). The others are the keys of
// sample::metadata (lower case), which the loaders fill: load_manifest its metadata_columns
// (HAM10000: age, sex, localization), load_atlas meta.csv's sex (and age where the file has one,
// as the synthetic lesions' meta.csv does). A blank value means unknown.
// Names are matched case-insensitively.
// Not templates: defined in impl/metadata.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"

namespace dermtl::data {

// The columns present in `d`, sorted by name (empty for a dataset with none).
DERMTL_DECL std::vector<std::string> metadata_columns(const dataset& d);

// The value of `column` for every sample of `d` (blank where a sample lacks it).
// Throws: config_error naming the column, the dataset and the columns that exist.
DERMTL_DECL std::vector<std::string> metadata_values(const dataset& d, const std::string& column);

// The same for the samples at `indices` (a test fold's, say), in that order.
// Throws: as above; config_error for an index out of range.
DERMTL_DECL std::vector<std::string> metadata_values(const dataset& d, std::span<const std::size_t> indices,
                                                     const std::string& column);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/metadata.ipp"
#endif
