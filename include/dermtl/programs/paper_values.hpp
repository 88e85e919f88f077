#pragma once
// The paper's published numbers (Menegola et al., ISBI 2017), as fractions, in one place: shown
// beside ours when a table program runs on real data. Table 1's order of columns and designs is
// also the order every front end uses.
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dermtl::programs::paper {

// (transfer, fine-tuning) registry names of the paper's six Table 1 columns, in its order.
inline const std::vector<std::pair<std::string, std::string>> table1_paper_columns = {
    {"none", "finetune"},     {"retinopathy", "frozen"}, {"retinopathy", "finetune"}, {"imagenet", "frozen"},
    {"imagenet", "finetune"}, {"double", "finetune"}};

// The order our Table 1 shows its columns in: the paper's, with the valid column it did not run
// (double transfer without fine-tuning) beside its with-FT neighbour.
inline const std::vector<std::pair<std::string, std::string>> table1_column_order = {
    {"none", "finetune"},     {"retinopathy", "frozen"}, {"retinopathy", "finetune"}, {"imagenet", "frozen"},
    {"imagenet", "finetune"}, {"double", "frozen"},      {"double", "finetune"}};

inline const std::vector<std::string> table1_designs = {"malignant_vs_benign", "melanoma_vs_benign",
                                                        "melanoma_carcinoma_benign"};

// Table 1 (AUC): rows = designs, columns = table1_paper_columns.
inline std::optional<double> table1_value(const std::string& transfer, const std::string& finetune,
                                          const std::string& labeling) {
    static const double values[3][6] = {{0.760, 0.728, 0.760, 0.791, 0.825, 0.788},
                                        {0.757, 0.735, 0.753, 0.779, 0.809, 0.809},
                                        {0.730, 0.714, 0.728, 0.794, 0.836, 0.818}};
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 6; ++c)
            if (table1_designs[r] == labeling && table1_paper_columns[c] == std::pair{transfer, finetune})
                return values[r][c];
    return std::nullopt;
}

// Table 3 (ImageNet + FT), by architecture title and design column.
inline std::optional<double> table3_value(const std::string& architecture, std::size_t design) {
    static const double vgg_m[3] = {0.825, 0.809, 0.836}, vgg_16[3] = {0.838, 0.835, 0.845};
    if (design >= 3) return std::nullopt;
    if (architecture == "VGG-M") return vgg_m[design];
    if (architecture == "VGG-16") return vgg_16[design];
    return std::nullopt;
}

// Table 4 (VGG-M, ImageNet + FT): low, medium, high, all.
inline std::vector<double> table4_values(const std::string& labeling) {
    if (labeling == "malignant_vs_benign") return {0.937, 0.825, 0.588, 0.825};
    if (labeling == "melanoma_vs_benign") return {0.930, 0.796, 0.566, 0.809};
    return {};
}
// Shares of the low, medium and high strata in the Atlas (Table 4's caption).
inline constexpr std::array<double, 3> table4_shares = {0.381, 0.363, 0.256};

// Table 2 (ISIC 2016, VGG-16, ImageNet + FT): AUC, mAP, ACC, SE, SP.
struct published_row {
    std::string name;
    std::array<double, 5> values;
};
inline const std::vector<published_row> table2_rows = {{"1st place (ISIC 2016)", {0.804, 0.637, 0.855, 0.507, 0.941}},
                                                       {"2nd place (ISIC 2016)", {0.802, 0.619, 0.831, 0.573, 0.872}},
                                                       {"3rd place (ISIC 2016)", {0.826, 0.598, 0.834, 0.320, 0.961}},
                                                       {"The paper (Menegola et al.)", {0.807, 0.549, 0.792, 0.476, 0.881}}};

}  // namespace dermtl::programs::paper
