#pragma once
// Mapping a dataset's diagnosis strings into dermtl's closed vocabulary (diagnosis.hpp).
//
// Represents: a table value -> diagnosis. Values compare as the vocabulary's parser compares them:
// case-insensitively, surrounding blanks trimmed, inner blanks and '_' collapsed to one blank, and
// the Atlas' spelling variants ("Reed/Spitz nevus", "Clark's nevus") accepted.
//
// defaults() holds, and the user's override file (read_overrides) replaces or extends:
//   every name of the vocabulary (diagnosis_names, not_applicable excepted) and "benign" ->
//     benign (unspecified): the spellings parse_diagnosis accepts;
//   HAM10000 / ISIC 2018 Task 3 codes (Tschandl et al., Sci. Data 2018):
//     mel -> melanoma, nv -> nevus, bcc -> basal cell carcinoma, df -> dermatofibroma,
//     vasc -> vascular lesion, akiec -> actinic keratosis (actinic keratosis and Bowen's disease),
//     bkl -> benign keratosis (seborrheic keratosis, solar lentigo, lichen-planus-like keratosis);
//   ISIC 2019 Task 1 codes: ak -> actinic keratosis (and mel, nv, bcc, df, vasc, bkl as above);
//   ISIC Archive / ISIC 2020 `diagnosis` spellings beyond the vocabulary's own names:
//     lentigo NOS, lentigo simplex -> lentigo;
//     solar lentigo, lichenoid keratosis, lichen planus-like (or lichen-planus-like)
//       keratosis, pigmented benign keratosis -> benign keratosis (HAM10000 groups them as bkl);
//     solar keratosis, Bowen's disease, intraepithelial carcinoma -> actinic keratosis (akiec);
//     angioma, angiokeratoma, pyogenic granuloma, hemorrhage -> vascular lesion (HAM10000's vasc).
// Deliberately unmapped, because the vocabulary has no such diagnosis and any choice would change a
// design's labels: squamous cell carcinoma (ISIC 2019 scc), unknown (ISIC 2019 unk, ISIC 2020),
// atypical melanocytic proliferation, cafe-au-lait macule, other. A dataset holding them needs an
// override line, e.g. `unknown,benign (unspecified)` for ISIC 2020 (whose unknowns are benign).
// Ensures: at() throws io_error naming where, the value, the vocabulary and how to map it; an
// override file with a bad line is an io_error naming file:line and the value.
// The non-template code is defined in impl/diagnosis_map.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/io/csv.hpp"

namespace dermtl::data {

class diagnosis_map {
public:
    diagnosis_map() = default;  // an empty table: every value is unknown

    // The documented table above.
    static DERMTL_DECL diagnosis_map defaults();

    // Maps `value` to `d`, replacing an earlier entry. Requires: a non-blank value and a skin-lesion
    // diagnosis (config_error otherwise: a lesion dataset's images all have a lesion diagnosis).
    DERMTL_DECL void set(std::string_view value, diagnosis d);

    // Reads a CSV with the header `value,diagnosis` (any column order, other columns ignored) and
    // applies its rows over this table. The diagnosis column holds a name of the vocabulary.
    // Throws io_error naming file:line for a missing header column, a blank value, an unknown
    // diagnosis name (listing the vocabulary) or a value listed twice.
    DERMTL_DECL void read_overrides(const std::filesystem::path& csv);

    DERMTL_DECL std::optional<diagnosis> find(std::string_view value) const;

    // Requires: `where` names the file, line and column the value came from. Throws io_error when
    // the table does not know the value.
    DERMTL_DECL diagnosis at(std::string_view value, std::string_view where) const;

    // The table, by normalized value.
    const std::map<std::string, diagnosis>& entries() const { return entries_; }

private:
    std::map<std::string, diagnosis> entries_;
};

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/diagnosis_map.ipp"
#endif
