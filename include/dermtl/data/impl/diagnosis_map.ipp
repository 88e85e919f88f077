// Definitions of data/diagnosis_map.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/diagnosis_map.hpp"

#include <cstddef>
#include <unordered_map>
#include <utility>

namespace dermtl::data {

// The documented table above.
DERMTL_DECL diagnosis_map diagnosis_map::defaults() {
    diagnosis_map m;
    for (std::size_t i = 0; i < diagnosis_count; ++i)
        if (const auto d = static_cast<diagnosis>(i); is_skin_lesion(d)) m.set(diagnosis_names[i], d);
    m.set("benign", diagnosis::benign_unspecified);
    const std::pair<std::string_view, diagnosis> table[] = {
        // HAM10000 / ISIC 2018 Task 3 and ISIC 2019 codes
        {"mel", diagnosis::melanoma},
        {"nv", diagnosis::nevus},
        {"bcc", diagnosis::basal_cell_carcinoma},
        {"df", diagnosis::dermatofibroma},
        {"vasc", diagnosis::vascular_lesion},
        {"akiec", diagnosis::actinic_keratosis},
        {"ak", diagnosis::actinic_keratosis},
        {"bkl", diagnosis::benign_keratosis},
        // ISIC Archive / ISIC 2020 spellings
        {"lentigo nos", diagnosis::lentigo},
        {"lentigo simplex", diagnosis::lentigo},
        {"solar lentigo", diagnosis::benign_keratosis},
        {"lichenoid keratosis", diagnosis::benign_keratosis},
        {"lichen planus-like keratosis", diagnosis::benign_keratosis},
        {"lichen-planus-like keratosis", diagnosis::benign_keratosis},
        {"pigmented benign keratosis", diagnosis::benign_keratosis},
        {"solar keratosis", diagnosis::actinic_keratosis},
        {"bowen's disease", diagnosis::actinic_keratosis},
        {"intraepithelial carcinoma", diagnosis::actinic_keratosis},
        {"angioma", diagnosis::vascular_lesion},
        {"angiokeratoma", diagnosis::vascular_lesion},
        {"pyogenic granuloma", diagnosis::vascular_lesion},
        {"hemorrhage", diagnosis::vascular_lesion},
    };
    for (const auto& [value, d] : table) m.set(value, d);
    return m;
}

// Maps `value` to `d`, replacing an earlier entry. Requires: a non-blank value and a skin-lesion
// diagnosis (config_error otherwise: a lesion dataset's images all have a lesion diagnosis).
DERMTL_DECL void diagnosis_map::set(std::string_view value, diagnosis d) {
    const std::string key = normalize_vocabulary(value);
    if (key.empty()) throw config_error("diagnosis_map::set: blank value; expected a diagnosis string to map");
    if (!is_skin_lesion(d))
        throw config_error("diagnosis_map::set: " + quoted_value(value) +
                           " mapped to 'not applicable'; expected a skin-lesion diagnosis");
    entries_[key] = d;
}

// Reads a CSV with the header `value,diagnosis` (any column order, other columns ignored) and
// applies its rows over this table. The diagnosis column holds a name of the vocabulary.
// Throws io_error naming file:line for a missing header column, a blank value, an unknown
// diagnosis name (listing the vocabulary) or a value listed twice.
DERMTL_DECL void diagnosis_map::read_overrides(const std::filesystem::path& csv) {
    const auto table = io::read_csv(csv);
    const auto& header = table.rows.front();
    std::size_t c_value = header.size(), c_dx = header.size();
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (io::lower(header[i]) == "value") c_value = i;
        if (io::lower(header[i]) == "diagnosis") c_dx = i;
    }
    if (c_value == header.size() || c_dx == header.size())
        throw io_error(table.where(header) + ": diagnosis map header " + quoted_value(table.joined(header)) +
                       "; expected the header 'value,diagnosis' (a dataset's diagnosis string, then a name of "
                       "dermtl's vocabulary)");
    c_value = table.column("value");  // io_error when named twice
    c_dx = table.column("diagnosis");
    std::unordered_map<std::string, std::size_t> line_of;
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, header.size(), "diagnosis map header width");
        const std::string where = table.where(row);
        const std::string key = normalize_vocabulary(row[c_value]);
        if (key.empty()) throw io_error(where + ": blank value; expected a diagnosis string of the dataset");
        const auto d = try_parse_diagnosis(row[c_dx]);
        if (!d || !is_skin_lesion(*d))
            throw io_error(where + ": unknown diagnosis " + quoted_value(row[c_dx]) + " for value " +
                           quoted_value(row[c_value]) + "; expected a name of dermtl's vocabulary: " +
                           skin_lesion_vocabulary());
        if (auto [it, fresh] = line_of.emplace(key, row.line); !fresh)
            throw io_error(where + ": value " + quoted_value(row[c_value]) + " listed twice (first at line " +
                           std::to_string(it->second) + "); expected each value once");
        entries_[key] = *d;
    }
}

DERMTL_DECL std::optional<diagnosis> diagnosis_map::find(std::string_view value) const {
    const auto it = entries_.find(normalize_vocabulary(value));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

// Requires: `where` names the file, line and column the value came from. Throws io_error when
// the table does not know the value.
DERMTL_DECL diagnosis diagnosis_map::at(std::string_view value, std::string_view where) const {
    if (auto d = find(value)) return *d;
    throw io_error(std::string(where) + ": unknown diagnosis " + quoted_value(value) +
                   "; dermtl's vocabulary: " + skin_lesion_vocabulary() +
                   "; map it with --diagnosis-map FILE (a CSV value,diagnosis)");
}

}  // namespace dermtl::data
