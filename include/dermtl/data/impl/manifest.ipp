// Definitions of data/manifest.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/manifest.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace dermtl::data {

// HAM10000_metadata.csv: lesion_id,image_id,dx,dx_type,age,sex,localization.
DERMTL_DECL manifest_options ham10000_manifest() {
    manifest_options o;
    o.image_column = "image_id";
    o.diagnosis_column = "dx";
    o.group_column = "lesion_id";
    o.location_column = "localization";
    o.metadata_columns = {"age", "sex", "localization"};
    o.require_metadata_columns = false;
    o.name = "ham10000";
    return o;
}

namespace detail {

// Index of the header column `name`, which the option `option` named. A missing column is an
// io_error naming the file, the option and the header; one named twice is csv_table::column's.
DERMTL_DECL std::size_t manifest_column(const io::csv_table& t, const std::string& name, std::string_view option) {
    const auto& h = t.rows.front();
    bool found = false;
    for (const auto& f : h.fields) found = found || io::lower(f) == io::lower(name);
    if (!found)
        throw io_error(t.where(h) + ": manifest header has no column " + quoted_value(name) + " (the " +
                       std::string(option) + " option); found " + quoted_value(t.joined(h)) + "; set " +
                       std::string(option) + " to the column that holds it");
    return t.column(name);
}

// An image column value as an id: '\' as '/', an image extension removed, case kept.
DERMTL_DECL std::string manifest_id(std::string_view value) {
    std::string id(value);
    for (auto& c : id)
        if (c == '\\') c = '/';
    const std::string l = io::lower(id);
    for (std::string_view ext : io::image_extensions)
        if (l.size() > ext.size() && l.ends_with(ext)) return id.substr(0, id.size() - ext.size());
    return id;
}

}  // namespace detail

DERMTL_DECL dataset load_manifest(const std::filesystem::path& csv, const std::filesystem::path& image_dir,
                                  const manifest_options& opt) {
    namespace fs = std::filesystem;
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    const auto table = io::read_csv(csv);
    const std::size_t width = table.rows.front().size();
    auto optional_column = [&](const std::string& name, std::string_view option) {
        return name.empty() ? none : detail::manifest_column(table, name, option);
    };
    const std::size_t c_image = detail::manifest_column(table, opt.image_column, "image_column"),
                      c_dx = detail::manifest_column(table, opt.diagnosis_column, "diagnosis_column"),
                      c_level = optional_column(opt.difficulty_column, "difficulty_column"),
                      c_group = optional_column(opt.group_column, "group_column"),
                      c_fold = optional_column(opt.fold_column, "fold_column"),
                      c_loc = optional_column(opt.location_column, "location_column");
    std::vector<std::pair<std::string, std::size_t>> c_metadata;  // (lower-case name, column)
    for (const auto& name : opt.metadata_columns) {
        bool present = opt.require_metadata_columns;
        for (const auto& f : table.rows.front().fields) present = present || io::lower(f) == io::lower(name);
        if (present) c_metadata.emplace_back(io::lower(name), detail::manifest_column(table, name, "metadata_columns"));
    }
    std::optional<io::image_index> images;
    if (!image_dir.empty()) images.emplace(image_dir, true);
    dataset d;
    d.name = opt.name;
    std::vector<std::pair<std::size_t, std::string>> missing;  // (line, value)
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, width, "manifest header width");
        const std::string where = table.where(row);
        auto at = [&](const std::string& column) { return where + ", column " + quoted_value(column); };
        const std::string& value = row[c_image];
        if (value.empty()) throw io_error(at(opt.image_column) + ": blank image; expected an image path or id");
        sample s;
        s.id = detail::manifest_id(value);
        s.dataset = d.name;
        s.dx = opt.map.at(row[c_dx], at(opt.diagnosis_column));
        if (c_level != none) s.level = parse_difficulty(row[c_level], at(opt.difficulty_column));
        if (c_group != none) s.group = row[c_group];
        if (c_fold != none) s.fold_value = row[c_fold];
        if (c_loc != none) s.location = io::lower(row[c_loc]);
        for (const auto& [name, c] : c_metadata) s.metadata[name] = row[c];
        s.manifest = csv;
        s.manifest_line = row.line;
        if (images) {
            const fs::path listed(value);
            std::error_code ec;
            if (listed.is_absolute()) {
                if (fs::is_regular_file(listed, ec)) s.image = listed;
            } else if (auto p = images->find(value)) {
                s.image = *p;
            }
            if (s.image.empty()) missing.emplace_back(row.line, value);
        }
        d.samples.push_back(std::move(s));
    }
    if (!missing.empty()) {
        constexpr std::size_t shown = 5;
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < shown; ++i)
            list += (i ? ", " : "") + std::string("line ") + std::to_string(missing[i].first) + " " +
                    quoted_value(missing[i].second);
        if (missing.size() > shown) list += ", ... (" + std::to_string(missing.size() - shown) + " more)";
        throw io_error(csv.string() + ": " + std::to_string(missing.size()) + " of " + std::to_string(d.size()) +
                       " images named in column " + quoted_value(opt.image_column) + " not found in " +
                       image_dir.string() + " or its subfolders (looked for .jpg/.jpeg/.png/.tif/.tiff, any case; a "
                       "name found in two subfolders needs its relative path): " + list);
    }
    if (d.samples.empty())
        throw io_error(csv.string() + ": no cases (a header line only); expected one row per image after the header");
    d.check();
    return d;
}

}  // namespace dermtl::data
