// Definitions of data/retinopathy.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/retinopathy.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace dermtl::data {

DERMTL_DECL dataset load_retinopathy(const std::filesystem::path& labels_csv, const std::filesystem::path& image_dir) {
    return load_retinopathy(io::read_csv(labels_csv), image_dir);
}

DERMTL_DECL dataset load_retinopathy(const io::csv_table& table, const std::filesystem::path& image_dir) {
    const std::filesystem::path& labels_csv = table.file;
    const std::size_t c_id = table.column("image"), c_level = table.column("level");
    std::optional<io::image_index> images;
    if (!image_dir.empty()) images.emplace(image_dir);
    dataset d;
    d.name = "retinopathy";
    d.class_names = {"no DR", "mild", "moderate", "severe", "proliferative DR"};
    d.samples.reserve(table.rows.size());
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, std::max(c_id, c_level) + 1, "image,level");
        sample s;
        s.id = row[c_id];
        s.dataset = d.name;
        s.manifest = labels_csv;
        s.manifest_line = row.line;
        s.label = parse_label(row[c_level], 0, 4, s.where(), "level");
        s.grade = s.label;
        if (images) s.image = images->require(s.id, s.where());
        d.samples.push_back(std::move(s));
    }
    if (d.samples.empty())
        throw io_error(labels_csv.string() + ": no cases (a header line only); expected rows of 'image,level' after it");
    d.check();
    return d;
}

}  // namespace dermtl::data
