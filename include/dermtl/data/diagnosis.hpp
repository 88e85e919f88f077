#pragma once
// Diagnoses and diagnostic difficulty.
//
// Represents: the closed vocabulary of diagnoses of the Interactive Atlas of Dermoscopy (as
// distributed by derm7pt's meta.csv), plus the coarser labels other datasets give (ISIC 2016
// only says benign/malignant; ISIC 2017 says nevus; HAM10000 and ISIC 2018-2019 give actinic
// keratosis and benign keratosis), and `not_applicable` for non-dermoscopy source tasks
// (retinopathy, the synthetic general task). Enum values are never renumbered: they go into
// stored results' fingerprints, so new diagnoses are appended.
// Other datasets' spellings and codes ("mel", "akiec", "pigmented benign keratosis") are mapped
// into this vocabulary by diagnosis_map (diagnosis_map.hpp).
// Parsing is case-insensitive, ignores surrounding blanks and repeated inner blanks, and accepts
// the spellings of the reference implementation's fold-file comments ("Reed/Spitz nevus",
// "Melanoma (0.76 - 1.5 mm)"). An unknown string is a config/io error naming where it was read.
// The non-template code is defined in impl/diagnosis.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::data {

enum class diagnosis {
    basal_cell_carcinoma,
    blue_nevus,
    clark_nevus,
    combined_nevus,
    congenital_nevus,
    dermal_nevus,
    dermatofibroma,
    lentigo,
    melanoma,
    melanoma_in_situ,
    melanoma_less_than_0_76_mm,
    melanoma_0_76_to_1_5_mm,
    melanoma_more_than_1_5_mm,
    melanoma_metastasis,
    melanosis,
    miscellaneous,
    recurrent_nevus,
    reed_or_spitz_nevus,
    seborrheic_keratosis,
    vascular_lesion,
    nevus,             // ISIC 2017: neither melanoma nor seborrheic keratosis
    benign_unspecified,  // a benign lesion whose kind the dataset does not give (ISIC 2016)
    not_applicable,      // source tasks that are not skin lesions (retinopathy, general)
    actinic_keratosis,   // HAM10000 akiec: actinic keratosis and Bowen's disease (intraepithelial
                         // carcinoma); malignant
    benign_keratosis,    // HAM10000 bkl: seborrheic keratosis, solar lentigo or lichen-planus-like
                         // keratosis, not told apart; benign
};

inline constexpr std::size_t diagnosis_count = 25;

// Canonical (derm7pt) spelling of each diagnosis, in enum order.
inline constexpr std::array<std::string_view, diagnosis_count> diagnosis_names = {
    "basal cell carcinoma", "blue nevus", "clark nevus", "combined nevus", "congenital nevus",
    "dermal nevus", "dermatofibroma", "lentigo", "melanoma", "melanoma (in situ)",
    "melanoma (less than 0.76 mm)", "melanoma (0.76 to 1.5 mm)", "melanoma (more than 1.5 mm)",
    "melanoma metastasis", "melanosis", "miscellaneous", "recurrent nevus", "reed or spitz nevus",
    "seborrheic keratosis", "vascular lesion", "nevus", "benign (unspecified)", "not applicable",
    "actinic keratosis", "benign keratosis"};

inline std::string_view to_string(diagnosis d) { return diagnosis_names[static_cast<std::size_t>(d)]; }

constexpr bool is_melanoma(diagnosis d) {
    return d >= diagnosis::melanoma && d <= diagnosis::melanoma_metastasis;
}
constexpr bool is_basal_cell_carcinoma(diagnosis d) { return d == diagnosis::basal_cell_carcinoma; }
// Actinic keratosis / Bowen's disease: HAM10000 groups them as one class (akiec), which includes
// intraepithelial carcinoma (squamous cell carcinoma in situ), so it counts as malignant. Which
// design class it joins is a labeling rule (lesion_task.hpp), not a fact of the diagnosis.
constexpr bool is_actinic_keratosis(diagnosis d) { return d == diagnosis::actinic_keratosis; }
constexpr bool is_malignant(diagnosis d) {
    return is_melanoma(d) || is_basal_cell_carcinoma(d) || is_actinic_keratosis(d);
}
constexpr bool is_skin_lesion(diagnosis d) { return d != diagnosis::not_applicable; }
constexpr bool is_benign(diagnosis d) { return is_skin_lesion(d) && !is_malignant(d); }

// Lower case, blanks trimmed and collapsed, "/" and "-" spelled as the derm7pt vocabulary does.
DERMTL_DECL std::string normalize_vocabulary(std::string_view s);

// The vocabulary a dataset's diagnosis may take (every diagnosis but not_applicable), comma-separated
// in enum order, for error messages.
DERMTL_DECL std::string skin_lesion_vocabulary();

DERMTL_DECL std::optional<diagnosis> try_parse_diagnosis(std::string_view s);

// Requires: `where` names the file and line the string came from ("meta.csv:12").
// Ensures: the diagnosis, or io_error "<where>: unknown diagnosis '<s>'; expected one of ...".
DERMTL_DECL diagnosis parse_diagnosis(std::string_view s, std::string_view where);

// The Atlas' level_of_diagnostic_difficulty; `unknown` where the dataset does not say.
enum class difficulty { unknown, low, medium, high };

DERMTL_DECL std::string_view to_string(difficulty d);

// Requires: `where` as for parse_diagnosis. Empty string -> unknown.
DERMTL_DECL difficulty parse_difficulty(std::string_view s, std::string_view where);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/diagnosis.ipp"
#endif
