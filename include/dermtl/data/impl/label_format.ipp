// Definitions of data/label_format.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/label_format.hpp"

#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace dermtl::data {

namespace detail {

DERMTL_DECL bool has_column(const io::csv_row& header, std::string_view name) {
    for (const auto& f : header.fields)
        if (io::lower(f) == name) return true;
    return false;
}

// Kaggle's retinopathy ids: digits, then _left or _right ("10_left").
DERMTL_DECL bool retinopathy_id(std::string_view id) {
    const std::string l = io::lower(id);
    const auto u = l.rfind('_');
    if (u == std::string::npos || u == 0) return false;
    for (std::size_t i = 0; i < u; ++i)
        if (!std::isdigit(static_cast<unsigned char>(l[i]))) return false;
    return l.compare(u, std::string::npos, "_left") == 0 || l.compare(u, std::string::npos, "_right") == 0;
}

DERMTL_DECL bool isic_id(std::string_view id) { return io::lower(id).starts_with("isic_"); }

// An ISIC 2017 flag as the ground truth writes it: 0, 1, 0.0, 1.0.
DERMTL_DECL bool isic2017_flag(std::string_view v) { return v == "0" || v == "1" || v == "0.0" || v == "1.0"; }

}  // namespace detail

// The format of a parsed label CSV (rows as read; the file is table.file).
DERMTL_DECL label_format detect_label_format(const io::csv_table& table) {
    const auto& first = table.rows.front();
    if (detail::has_column(first, "image") && detail::has_column(first, "level")) {
        // Kaggle's file and the reference's share a header; Kaggle's ids say which it is.
        const std::size_t c = table.column("image");
        bool retina = table.rows.size() > 1;
        for (std::size_t r = 1; r < table.rows.size() && retina; ++r)
            retina = c < table.rows[r].size() && detail::retinopathy_id(table.rows[r][c]);
        return retina ? label_format::retinopathy : label_format::reference;
    }
    if (detail::has_column(first, "image_id") && detail::has_column(first, "melanoma") &&
        detail::has_column(first, "seborrheic_keratosis"))
        return label_format::isic2017;
    if (detail::has_column(first, "lesion_id") && detail::has_column(first, "image_id") && detail::has_column(first, "dx"))
        return label_format::ham10000;
    if (detail::has_column(first, "diagnosis") && detail::has_column(first, "derm")) return label_format::derm7pt;
    // Headerless (or with a free-form header such as ISIC 2016's `img_id,Label`): the first data
    // row says. Only the first is looked at; the loader checks every row and names a bad one.
    const bool header = detail::looks_like_header(first);
    if (!header || table.rows.size() > 1) {
        const auto& row = table.rows[header ? 1 : 0];
        if (row.size() == 2 && detail::isic_id(row[0]) && detail::isic2016_value(row[1])) return label_format::isic2016;
        if (!header && row.size() == 3 && detail::isic_id(row[0]) && detail::isic2017_flag(row[1]) &&
            detail::isic2017_flag(row[2]))
            return label_format::isic2017;
    }
    std::string known;
    for (const auto& f : label_formats) known += "\n  " + std::string(f.name) + ": " + std::string(f.signature);
    throw io_error(table.file.string() + ": not a label file dermtl knows (line " + std::to_string(first.line) + ": " +
                   quoted_value(io::csv_table::joined(first)) + "); expected one of:" + known);
}

// Requires: `table` has a header naming `image_column` and `value_column`, and `group_column`
// when it is not empty. Ensures: the counts; every data row has the header's width, a non-empty
// image id and value, and image ids are unique -- otherwise io_error naming file:line, the column
// and the value (a duplicate also names the line where the id was first listed).
DERMTL_DECL manifest_counts count_manifest(const io::csv_table& table, std::string_view image_column,
                                           std::string_view value_column, std::string_view group_column) {
    const std::size_t width = table.rows.front().size();
    const std::size_t c_image = table.column(image_column), c_value = table.column(value_column);
    const std::size_t c_group = group_column.empty() ? width : table.column(group_column);
    manifest_counts out;
    std::unordered_map<std::string, std::size_t> image_line;
    std::unordered_set<std::string> groups;
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, width, "the header's columns");
        for (const std::size_t c : {c_image, c_value})
            if (row[c].empty())
                throw io_error(table.where(row) + ": empty " + std::string(c == c_image ? image_column : value_column) +
                               "; expected a value in every row");
        const auto [it, fresh] = image_line.emplace(io::lower(row[c_image]), row.line);
        if (!fresh)
            throw io_error(table.where(row) + ": " + std::string(image_column) + " " + quoted_value(row[c_image]) +
                           " listed twice (first at line " + std::to_string(it->second) + "); expected each image once");
        ++out.per_value[io::lower(row[c_value])];
        if (c_group != width && !row[c_group].empty()) groups.insert(io::lower(row[c_group]));
        ++out.rows;
    }
    if (out.rows == 0)
        throw io_error(table.file.string() + ": no cases (a header line only); expected rows of " +
                       quoted_value(io::csv_table::joined(table.rows.front())) + " after it");
    out.groups = groups.size();
    return out;
}

}  // namespace dermtl::data
