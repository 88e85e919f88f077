#pragma once
// Labeling policies: the paper's three experimental designs plus ISIC's own binary label.
//
// A labeling policy is a tag with documented constexpr members:
//   name      -- registry name ("malignant_vs_benign")
//   classes   -- number of classes the SVM and the network head see
//   label(d)  -- constexpr: the class of a diagnosis, or -1 when the design drops that sample
//   drops     -- what the design removes, in words (printed in reports)
// Labels follow the reference implementation's protocol files (data/lesion_task.hpp is the
// dataset-level equivalent; a test checks the two agree on every diagnosis).
#include <cstddef>
#include <string_view>

#include "dermtl/data/diagnosis.hpp"

namespace dermtl::protocol {

namespace labeling {

// Protocol 1: melanomas and basal cell carcinomas positive (1), every other diagnosis benign (0).
struct malignant_vs_benign {
    static constexpr std::string_view name = "malignant_vs_benign";
    static constexpr std::string_view title = "Malignant vs. Benign";
    static constexpr std::size_t classes = 2;
    static constexpr std::string_view drops = "nothing";
    static constexpr int label(data::diagnosis d) {
        return !data::is_skin_lesion(d) ? -1 : data::is_malignant(d) ? 1 : 0;
    }
};

// Protocol 2: melanomas positive (1), benign negative (0); basal cell carcinomas removed.
struct melanoma_vs_benign {
    static constexpr std::string_view name = "melanoma_vs_benign";
    static constexpr std::string_view title = "Melanoma vs. Benign";
    static constexpr std::size_t classes = 2;
    static constexpr std::string_view drops = "basal cell carcinomas";
    static constexpr int label(data::diagnosis d) {
        if (!data::is_skin_lesion(d) || data::is_basal_cell_carcinoma(d)) return -1;
        return data::is_melanoma(d) ? 1 : 0;
    }
};

// Protocol 3: basal cell carcinoma (0), melanoma (1), benign (2); scored by the mean of the three
// one-vs-one AUCs.
struct melanoma_carcinoma_benign {
    static constexpr std::string_view name = "melanoma_carcinoma_benign";
    static constexpr std::string_view title = "Melanoma vs. Carcinoma vs. Benign";
    static constexpr std::size_t classes = 3;
    static constexpr std::string_view drops = "nothing";
    static constexpr int label(data::diagnosis d) {
        if (!data::is_skin_lesion(d)) return -1;
        return data::is_basal_cell_carcinoma(d) ? 0 : data::is_melanoma(d) ? 1 : 2;
    }
};

// ISIC 2016 Part 3: the challenge's own benign (0) / malignant (1) label, taken from the ground
// truth as loaded (the dataset's labels are kept, not recomputed from a diagnosis).
struct isic_binary {
    static constexpr std::string_view name = "isic_binary";
    static constexpr std::string_view title = "ISIC benign vs. malignant";
    static constexpr std::size_t classes = 2;
    static constexpr std::string_view drops = "nothing";
    static constexpr bool keeps_dataset_labels = true;
    static constexpr int label(data::diagnosis d) {
        return !data::is_skin_lesion(d) ? -1 : data::is_malignant(d) ? 1 : 0;
    }
};

}  // namespace labeling

template <class L>
concept labeling_policy = requires(data::diagnosis d) {
    { L::name } -> std::convertible_to<std::string_view>;
    { L::classes } -> std::convertible_to<std::size_t>;
    { L::label(d) } -> std::convertible_to<int>;
};

// Compile-time facts, checked once here rather than in every experiment.
static_assert(labeling::malignant_vs_benign::label(data::diagnosis::basal_cell_carcinoma) == 1);
static_assert(labeling::melanoma_vs_benign::label(data::diagnosis::basal_cell_carcinoma) == -1);
static_assert(labeling::melanoma_carcinoma_benign::label(data::diagnosis::melanoma_in_situ) == 1);
static_assert(labeling::melanoma_carcinoma_benign::label(data::diagnosis::clark_nevus) == 2);

}  // namespace dermtl::protocol
