#pragma once
// The paper's three labelings of skin-lesion diagnoses (experimental designs).
//
// Represents: how a diagnosis maps to a class label, exactly as the reference implementation's
// protocol files do:
//   malignant_vs_benign   1 = melanoma or basal cell carcinoma, 0 = benign          (protocol1)
//   melanoma_vs_benign    1 = melanoma, 0 = benign; basal cell carcinoma removed    (protocol2)
//   bcc_melanoma_benign   0 = basal cell carcinoma, 1 = melanoma, 2 = benign        (protocol3)
// Ensures: label_of() gives nullopt for a sample the task removes (and for not_applicable).
#include <optional>
#include <string>
#include <vector>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis.hpp"

namespace dermtl::data {

enum class lesion_task { malignant_vs_benign, melanoma_vs_benign, bcc_melanoma_benign };

// The classes of a design, in label order: the one list of class names of the library.
inline std::vector<std::string> class_names_of(lesion_task t) {
    switch (t) {
        case lesion_task::malignant_vs_benign: return {"benign", "malignant"};
        case lesion_task::melanoma_vs_benign: return {"benign", "melanoma"};
        case lesion_task::bcc_melanoma_benign: return {"basal cell carcinoma", "melanoma", "benign"};
    }
    return {};
}

// The one statement of the designs' rules (protocol/labeling.hpp's policies bind to it).
constexpr std::optional<int> label_of(diagnosis d, lesion_task t) {
    if (!is_skin_lesion(d)) return std::nullopt;
    switch (t) {
        case lesion_task::malignant_vs_benign: return is_malignant(d) ? 1 : 0;
        case lesion_task::melanoma_vs_benign:
            if (is_basal_cell_carcinoma(d)) return std::nullopt;
            return is_melanoma(d) ? 1 : 0;
        case lesion_task::bcc_melanoma_benign: return is_basal_cell_carcinoma(d) ? 0 : is_melanoma(d) ? 1 : 2;
    }
    return std::nullopt;
}

// A copy of `d` labelled for `t`, without the samples `t` removes (order kept).
inline dataset relabel(const dataset& d, lesion_task t) {
    dataset out;
    out.name = d.name;
    out.class_names = class_names_of(t);
    for (const auto& s : d.samples)
        if (auto l = label_of(s.dx, t)) {
            out.samples.push_back(s);
            out.samples.back().label = *l;
        }
    return out;
}

}  // namespace dermtl::data
