// Definitions of data/isic2016.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/isic2016.hpp"

#include <cstddef>
#include <utility>

namespace dermtl::data {

namespace detail {

DERMTL_DECL std::optional<int> isic2016_value(const std::string& v) {
    const std::string l = io::lower(v);
    if (l == "benign" || l == "0" || l == "0.0") return 0;
    if (l == "malignant" || l == "1" || l == "1.0") return 1;
    return std::nullopt;
}

DERMTL_DECL bool looks_like_header(const io::csv_row& row) {
    for (const auto& f : row.fields)
        if (isic2016_value(f) || f.find_first_of("0123456789") != std::string::npos) return false;
    return true;
}

}  // namespace detail

DERMTL_DECL dataset load_isic2016(const std::filesystem::path& ground_truth_csv,
                                  const std::filesystem::path& image_dir) {
    return load_isic2016(io::read_csv(ground_truth_csv), image_dir);
}

DERMTL_DECL dataset load_isic2016(const io::csv_table& table, const std::filesystem::path& image_dir) {
    const std::filesystem::path& ground_truth_csv = table.file;
    std::optional<io::image_index> images;
    if (!image_dir.empty()) images.emplace(image_dir);
    dataset d;
    d.name = std::string(isic2016_dataset_name);
    d.class_names = {"benign", "malignant"};
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, 2, "image id, benign|malignant or 0|1");
        auto value = detail::isic2016_value(row[1]);
        if (!value) {
            if (r == 0 && detail::looks_like_header(row)) continue;  // header line
            throw io_error(table.where(row) + ": label " + quoted_value(row[1]) + " of " + quoted_value(row[0]) +
                           " out of range; expected benign, malignant, 0, 1, 0.0 or 1.0" +
                           (r == 0 ? " (a first row is taken as a header only when neither field holds a digit)" : ""));
        }
        sample s;
        s.id = row[0];
        s.dataset = d.name;
        s.label = *value;
        s.dx = *value ? diagnosis::melanoma : diagnosis::benign_unspecified;
        s.manifest = ground_truth_csv;
        s.manifest_line = row.line;
        if (images) s.image = images->require(s.id, s.where());
        d.samples.push_back(std::move(s));
    }
    if (d.samples.empty())
        throw io_error(ground_truth_csv.string() + ": no cases (a header line only); expected rows "
                       "'ISIC_<id>,benign|malignant' or 'ISIC_<id>,0|1'");
    d.check();
    return d;
}

// Ensures: no id is in both training and test (io_error naming both files and lines).
DERMTL_DECL isic2016_split load_isic2016_challenge(const std::filesystem::path& root) {
    isic2016_split split{load_isic2016(root / isic2016_training_ground_truth, root / isic2016_training_folder),
                         load_isic2016(root / isic2016_test_ground_truth, root / isic2016_test_folder)};
    for (const auto& s : split.test.samples)
        if (const auto i = split.training.find(s.id))
            throw io_error(s.where() + ": test id " + quoted_value(s.id) + " is also in training (" +
                           split.training[*i].where() + "); expected disjoint training and test sets "
                           "(train/test overlap)");
    return split;
}

}  // namespace dermtl::data
