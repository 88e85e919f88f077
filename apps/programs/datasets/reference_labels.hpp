#pragma once
// The reference implementation's label CSV (image,level): no option of its own, reached through
// `inspect --labels` (its fold files, through --folds / --reference-folds, name its ids).
#include "dermtl/data/reference_folds.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs::formats {

inline constexpr dataset_format reference_labels{
    .title = "the reference implementation's label CSV",
    .path = &data_paths::reference_folds,  // unused: no option names this format
    .target = false,
    .labels = data::label_format::reference,
    .read_labels =
        [](const std::filesystem::path&, const io::csv_table& table) {
            label_file out;
            out.dataset = data::read_label_csv(table);  // the file as read: once (a pipe works)
            return out;
        },
};

}  // namespace dermtl::programs::formats
