#pragma once
// Labeling policies: the paper's three experimental designs plus ISIC's own binary label.
//
// A labeling policy is a tag with documented constexpr members:
//   name      -- registry name ("malignant_vs_benign")
//   classes   -- number of classes the SVM and the network head see
//   label(d, rules) -- constexpr: the class of a diagnosis under the data's labeling rules
//               (data::labeling_rules, default: the designs' own), or -1 when the design drops it
//   drops     -- what the design removes, in words (printed in reports)
//   paper_design -- one of the paper's three experimental designs (a row of Table 1)
// The three designs bind to data::lesion_task, the one home of their rules and class names
// (data/lesion_task.hpp, following the reference implementation's protocol files).
#include <cstddef>
#include <string_view>

#include <string>
#include <vector>

#include "dermtl/data/diagnosis.hpp"
#include "dermtl/data/lesion_task.hpp"

namespace dermtl::protocol {

namespace labeling {

// Protocol 1: melanomas and carcinomas (BCC; actinic keratosis / Bowen's disease) positive (1),
// every other diagnosis benign (0).
struct malignant_vs_benign {
    static constexpr std::string_view name = "malignant_vs_benign";
    static constexpr std::string_view title = "Malignant vs. Benign";
    static constexpr std::size_t classes = 2;
    static constexpr std::string_view drops = "nothing";
    static constexpr data::lesion_task task = data::lesion_task::malignant_vs_benign;
    static constexpr bool paper_design = true;
    static constexpr int label(data::diagnosis d, const data::labeling_rules& r = {}) {
        return data::label_of(d, task, r).value_or(-1);
    }
    static std::vector<std::string> class_names(const data::labeling_rules& r = {}) { return data::class_names_of(task, r); }
};

// Protocol 2: melanomas positive (1), benign negative (0); carcinomas (BCC, actinic keratosis) removed.
struct melanoma_vs_benign {
    static constexpr std::string_view name = "melanoma_vs_benign";
    static constexpr std::string_view title = "Melanoma vs. Benign";
    static constexpr std::size_t classes = 2;
    static constexpr std::string_view drops = "basal cell carcinomas and actinic keratoses";
    static constexpr data::lesion_task task = data::lesion_task::melanoma_vs_benign;
    static constexpr bool paper_design = true;
    static constexpr int label(data::diagnosis d, const data::labeling_rules& r = {}) {
        return data::label_of(d, task, r).value_or(-1);
    }
    static std::vector<std::string> class_names(const data::labeling_rules& r = {}) { return data::class_names_of(task, r); }
};

// Protocol 3: basal cell carcinoma (0), melanoma (1), benign (2); scored by the mean of the three
// one-vs-one AUCs. Actinic keratoses are removed, or join the carcinoma class when the rules say
// so (data::labeling_rules::actinic_keratosis_as_carcinoma).
struct melanoma_carcinoma_benign {
    static constexpr std::string_view name = "melanoma_carcinoma_benign";
    static constexpr std::string_view title = "Melanoma vs. Carcinoma vs. Benign";
    static constexpr std::size_t classes = 3;
    static constexpr std::string_view drops = "actinic keratoses (unless put into the carcinoma class)";
    static constexpr data::lesion_task task = data::lesion_task::bcc_melanoma_benign;
    static constexpr bool paper_design = true;
    static constexpr int label(data::diagnosis d, const data::labeling_rules& r = {}) {
        return data::label_of(d, task, r).value_or(-1);
    }
    static std::vector<std::string> class_names(const data::labeling_rules& r = {}) { return data::class_names_of(task, r); }
};

// ISIC 2016 Part 3: the challenge's own benign (0) / malignant (1) label, taken from the ground
// truth as loaded (the dataset's labels are kept, not recomputed from a diagnosis).
struct isic_binary {
    static constexpr std::string_view name = "isic_binary";
    static constexpr std::string_view title = "ISIC benign vs. malignant";
    static constexpr std::size_t classes = 2;
    static constexpr std::string_view drops = "nothing";
    static constexpr bool keeps_dataset_labels = true;
    static constexpr bool paper_design = false;
    static constexpr int label(data::diagnosis d, const data::labeling_rules& = {}) {
        return !data::is_skin_lesion(d) ? -1 : data::is_malignant(d) ? 1 : 0;
    }
};

}  // namespace labeling

template <class L>
concept labeling_policy = requires(data::diagnosis d) {
    { L::name } -> std::convertible_to<std::string_view>;
    { L::classes } -> std::convertible_to<std::size_t>;
    { L::label(d) } -> std::convertible_to<int>;
    { L::paper_design } -> std::convertible_to<bool>;
};

// Compile-time facts, checked once here rather than in every experiment.
static_assert(labeling::malignant_vs_benign::label(data::diagnosis::basal_cell_carcinoma) == 1);
static_assert(labeling::melanoma_vs_benign::label(data::diagnosis::basal_cell_carcinoma) == -1);
static_assert(labeling::melanoma_carcinoma_benign::label(data::diagnosis::melanoma_in_situ) == 1);
static_assert(labeling::melanoma_carcinoma_benign::label(data::diagnosis::clark_nevus) == 2);

}  // namespace dermtl::protocol
