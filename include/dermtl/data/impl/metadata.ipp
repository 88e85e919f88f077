// Definitions of data/metadata.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/metadata.hpp"

#include <set>
#include <string_view>

#include "dermtl/core/error.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/io/csv.hpp"

namespace dermtl::data {

namespace detail {

inline constexpr std::string_view difficulty_column = "difficulty";
inline constexpr std::string_view location_column = "location";

// One sample's value of a column known to exist (`name` lower case).
DERMTL_DECL std::string metadata_value(const sample& s, const std::string& name) {
    if (name == difficulty_column) return s.level == difficulty::unknown ? std::string() : std::string(to_string(s.level));
    if (name == location_column) return s.location;
    auto it = s.metadata.find(name);
    return it == s.metadata.end() ? std::string() : it->second;
}

// `column` lower-cased, after checking that `d` has it.
DERMTL_DECL std::string checked_metadata_column(const dataset& d, const std::string& column) {
    const std::string name = io::lower(column);
    const auto columns = metadata_columns(d);
    for (const auto& c : columns)
        if (c == name) return name;
    std::string list;
    for (std::size_t i = 0; i < columns.size(); ++i) list += (i ? ", " : "") + columns[i];
    throw config_error("subgroup column " + quoted_value(column) + ": dataset " + quoted_value(d.name) +
                       " has no such column; " +
                       (columns.empty() ? std::string("it has no metadata columns")
                                        : "the columns it has are: " + list));
}

}  // namespace detail

DERMTL_DECL std::vector<std::string> metadata_columns(const dataset& d) {
    std::set<std::string> names;
    for (const auto& s : d.samples) {
        if (s.level != difficulty::unknown) names.emplace(detail::difficulty_column);
        if (!s.location.empty()) names.emplace(detail::location_column);
        for (const auto& [k, v] : s.metadata) names.insert(io::lower(k));
    }
    return {names.begin(), names.end()};
}

DERMTL_DECL std::vector<std::string> metadata_values(const dataset& d, const std::string& column) {
    const std::string name = detail::checked_metadata_column(d, column);
    std::vector<std::string> out;
    out.reserve(d.size());
    for (const auto& s : d.samples) out.push_back(detail::metadata_value(s, name));
    return out;
}

DERMTL_DECL std::vector<std::string> metadata_values(const dataset& d, std::span<const std::size_t> indices,
                                                     const std::string& column) {
    const std::string name = detail::checked_metadata_column(d, column);
    std::vector<std::string> out;
    out.reserve(indices.size());
    for (auto i : indices) {
        if (i >= d.size())
            throw config_error("metadata_values: index " + std::to_string(i) + " out of range for " + d.name + " (" +
                               std::to_string(d.size()) + " samples)");
        out.push_back(detail::metadata_value(d.samples[i], name));
    }
    return out;
}

}  // namespace dermtl::data
