#pragma once
// The paper's three labelings of skin-lesion diagnoses (experimental designs).
//
// Represents: how a diagnosis maps to a class label, exactly as the reference implementation's
// protocol files do for the Atlas' diagnoses:
//   malignant_vs_benign   1 = melanoma or carcinoma, 0 = benign                     (protocol1)
//   melanoma_vs_benign    1 = melanoma, 0 = benign; carcinomas removed              (protocol2)
//   bcc_melanoma_benign   0 = basal cell carcinoma, 1 = melanoma, 2 = benign        (protocol3)
// Diagnoses the Atlas does not have follow labeling_rules, whose defaults are (issue 16):
//   actinic keratosis / Bowen's disease (HAM10000 akiec) -- malignant in malignant_vs_benign (it
//     includes intraepithelial carcinoma); removed with the carcinomas in melanoma_vs_benign, as
//     the paper removes BCC; removed from bcc_melanoma_benign, whose carcinoma class is BCC only,
//     unless actinic_keratosis_as_carcinoma puts it into that class;
//   benign keratosis (HAM10000 bkl) -- benign in every design.
// Ensures: label_of() gives nullopt for a sample the task removes (and for not_applicable).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis.hpp"

namespace dermtl::data {

enum class lesion_task { malignant_vs_benign, melanoma_vs_benign, bcc_melanoma_benign };

// Choices the designs leave open for diagnoses outside the paper's Atlas. A default-constructed
// value is the designs' defaults; every member is false there.
struct labeling_rules {
    // bcc_melanoma_benign: put actinic keratosis / Bowen's disease into the carcinoma class
    // (label 0) instead of removing it. No effect on the binary designs.
    bool actinic_keratosis_as_carcinoma = false;

    friend constexpr bool operator==(const labeling_rules&, const labeling_rules&) = default;
};

// The rules as far as they matter to `t`: a rule that does not change t's labels is reset to its
// default, so a fingerprint built from rules_for(t, r) changes only when t's labels can.
constexpr labeling_rules rules_for(lesion_task t, labeling_rules r) {
    if (t != lesion_task::bcc_melanoma_benign) r.actinic_keratosis_as_carcinoma = false;
    return r;
}

// "actinic_keratosis_as_carcinoma=false": every rule by name, for fingerprints and reports.
inline std::string describe(const labeling_rules& r) {
    return std::string("actinic_keratosis_as_carcinoma=") + (r.actinic_keratosis_as_carcinoma ? "true" : "false");
}

// The 3-class design's carcinoma class under `r`: basal cell carcinoma, and actinic keratosis when
// the rules put it there.
constexpr bool is_carcinoma(diagnosis d, const labeling_rules& r) {
    return is_basal_cell_carcinoma(d) || (r.actinic_keratosis_as_carcinoma && is_actinic_keratosis(d));
}

// The classes of a design, in label order: the one list of class names of the library.
inline std::vector<std::string> class_names_of(lesion_task t, const labeling_rules& r = {}) {
    switch (t) {
        case lesion_task::malignant_vs_benign: return {"benign", "malignant"};
        case lesion_task::melanoma_vs_benign: return {"benign", "melanoma"};
        case lesion_task::bcc_melanoma_benign:
            return {r.actinic_keratosis_as_carcinoma ? "basal cell carcinoma or actinic keratosis" : "basal cell carcinoma",
                    "melanoma", "benign"};
    }
    return {};
}

// The one statement of the designs' rules (protocol/labeling.hpp's policies bind to it).
constexpr std::optional<int> label_of(diagnosis d, lesion_task t, const labeling_rules& r = {}) {
    if (!is_skin_lesion(d)) return std::nullopt;
    switch (t) {
        case lesion_task::malignant_vs_benign: return is_malignant(d) ? 1 : 0;
        case lesion_task::melanoma_vs_benign:
            if (is_basal_cell_carcinoma(d) || is_actinic_keratosis(d)) return std::nullopt;
            return is_melanoma(d) ? 1 : 0;
        case lesion_task::bcc_melanoma_benign:
            if (is_carcinoma(d, r)) return 0;
            if (is_actinic_keratosis(d)) return std::nullopt;
            return is_melanoma(d) ? 1 : 2;
    }
    return std::nullopt;
}

static_assert(label_of(diagnosis::actinic_keratosis, lesion_task::malignant_vs_benign) == 1);
static_assert(!label_of(diagnosis::actinic_keratosis, lesion_task::melanoma_vs_benign));
static_assert(!label_of(diagnosis::actinic_keratosis, lesion_task::bcc_melanoma_benign));
static_assert(label_of(diagnosis::actinic_keratosis, lesion_task::bcc_melanoma_benign, {true}) == 0);
static_assert(label_of(diagnosis::benign_keratosis, lesion_task::bcc_melanoma_benign) == 2);

// A copy of `d` labelled for `t` under `r`, without the samples `t` removes (order kept).
inline dataset relabel(const dataset& d, lesion_task t, const labeling_rules& r = {}) {
    dataset out;
    out.name = d.name;
    out.class_names = class_names_of(t, r);
    for (const auto& s : d.samples)
        if (auto l = label_of(s.dx, t, r)) {
            out.samples.push_back(s);
            out.samples.back().label = *l;
        }
    return out;
}

// True when `a` and `b` keep the same samples of `d` with the same labels: on ISIC 2016, whose
// every malignant case is a melanoma, malignant_vs_benign and melanoma_vs_benign coincide.
inline bool labelings_coincide(const dataset& d, lesion_task a, lesion_task b, const labeling_rules& r = {}) {
    return std::all_of(d.samples.begin(), d.samples.end(),
                       [&](const sample& s) { return label_of(s.dx, a, r) == label_of(s.dx, b, r); });
}

}  // namespace dermtl::data
