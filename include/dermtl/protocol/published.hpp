#pragma once
// The paper's published numbers (Menegola et al., ISBI 2017), attached to the policy types that
// produced them, so a table shows a published value beside a cell exactly when that cell is the
// paper's: same architecture at full size, same transfer, fine-tuning and design. Scaled networks,
// new policies and other combinations have none (std::nullopt), with no list to keep in step.
//
//   published_auc<Model, Transfer, FineTune, Labeling>      -- Tables 1, 2 and 3 (AUC as a fraction)
//   published_strata_auc<Model, Transfer, FineTune, Labeling> -- Table 4: low, medium, high, all
//   published_isic_rows                                     -- Table 2: the ISIC 2016 places and the paper's row
//   paper_network(architecture)                             -- the paper's network of an architecture
//   paper_atlas_setup, paper_isic_setup                     -- the data and folds the paper's tables used
//
// A cell whose types match has the same design as the paper's; whether a result of it was *run*
// as the paper ran it (the paper's data, folds and training) is the report's to check
// (apps/programs/tables_detail.hpp), against the setups below.
// Not templates: defined in impl/published.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/finetune.hpp"
#include "dermtl/protocol/labeling.hpp"
#include "dermtl/protocol/transfer.hpp"

namespace dermtl::protocol {

template <class Model, class Transfer, class FineTune, class Labeling>
inline constexpr std::optional<double> published_auc = std::nullopt;

template <class Model, class Transfer, class FineTune, class Labeling>
inline constexpr std::optional<std::array<double, 4>> published_strata_auc = std::nullopt;

namespace published_detail {
using vgg_m = models::vgg_m_family<>;
using vgg_16 = models::vgg_16_family<>;
using mb = labeling::malignant_vs_benign;
using mel = labeling::melanoma_vs_benign;
using three = labeling::melanoma_carcinoma_benign;
using none = transfer::none;
using retina = transfer::from_retinopathy;
using imagenet = transfer::from_imagenet;
using twice = transfer::double_transfer;
using frozen = finetune::frozen;
using ft = finetune::full;
}  // namespace published_detail

// Table 1 (VGG-M): rows malignant / melanoma / three classes.
// clang-format off
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::none, published_detail::ft, published_detail::mb> = 0.760;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::retina, published_detail::frozen, published_detail::mb> = 0.728;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::retina, published_detail::ft, published_detail::mb> = 0.760;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::frozen, published_detail::mb> = 0.791;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::ft, published_detail::mb> = 0.825;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::twice, published_detail::ft, published_detail::mb> = 0.788;

template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::none, published_detail::ft, published_detail::mel> = 0.757;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::retina, published_detail::frozen, published_detail::mel> = 0.735;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::retina, published_detail::ft, published_detail::mel> = 0.753;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::frozen, published_detail::mel> = 0.779;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::ft, published_detail::mel> = 0.809;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::twice, published_detail::ft, published_detail::mel> = 0.809;

template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::none, published_detail::ft, published_detail::three> = 0.730;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::retina, published_detail::frozen, published_detail::three> = 0.714;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::retina, published_detail::ft, published_detail::three> = 0.728;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::frozen, published_detail::three> = 0.794;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::ft, published_detail::three> = 0.836;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_m, published_detail::twice, published_detail::ft, published_detail::three> = 0.818;

// Table 3 (VGG-16, ImageNet + FT); VGG-M's row is Table 1's.
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_16, published_detail::imagenet, published_detail::ft, published_detail::mb> = 0.838;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_16, published_detail::imagenet, published_detail::ft, published_detail::mel> = 0.835;
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_16, published_detail::imagenet, published_detail::ft, published_detail::three> = 0.845;

// Table 4 (VGG-M, ImageNet + FT): low, medium, high, all.
template <> inline constexpr std::optional<std::array<double, 4>> published_strata_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::ft, published_detail::mb> = std::array{0.937, 0.825, 0.588, 0.825};
template <> inline constexpr std::optional<std::array<double, 4>> published_strata_auc<published_detail::vgg_m, published_detail::imagenet, published_detail::ft, published_detail::mel> = std::array{0.930, 0.796, 0.566, 0.809};

// Table 2 (VGG-16, ImageNet + FT, the ISIC label): the paper's AUC, mAP, ACC, SE, SP on ISIC 2016.
inline constexpr std::array<double, 5> published_isic_paper = {0.807, 0.549, 0.792, 0.476, 0.881};
template <> inline constexpr std::optional<double> published_auc<published_detail::vgg_16, published_detail::imagenet, published_detail::ft, labeling::isic_binary> = published_isic_paper[0];
// clang-format on

// Shares of the low, medium and high strata in the Atlas (Table 4's caption).
inline constexpr std::array<double, 3> published_strata_shares = {0.381, 0.363, 0.256};

// Table 2 (ISIC 2016, VGG-16, ImageNet + FT): AUC, mAP, ACC, SE, SP of the challenge's first three
// places and of the paper.
struct published_row {
    std::string name;
    std::array<double, 5> values;
};
inline const std::vector<published_row> published_isic_rows = {
    {"1st place (ISIC 2016)", {0.804, 0.637, 0.855, 0.507, 0.941}},
    {"2nd place (ISIC 2016)", {0.802, 0.619, 0.831, 0.573, 0.872}},
    {"3rd place (ISIC 2016)", {0.826, 0.598, 0.834, 0.320, 0.961}},
    {"The paper (Menegola et al.)", published_isic_paper}};

// ISIC 2016 Part 3's melanomas as the paper's text states them (training, test), and as the
// official ground-truth files (and the reference implementation's isic.csv) hold them: the text's
// 273 and 115 do not match the data (issue 17, item 3; docs/reproducing.md).
inline constexpr std::array<std::size_t, 2> paper_text_isic2016_melanomas = {273, 115};
inline constexpr std::array<std::size_t, 2> official_isic2016_melanomas = {173, 75};

// The paper's network of an architecture (full size, 224x224): the model its published values are
// for. A scaled network is compared with this one's values only when the user asks.
DERMTL_DECL policy_id paper_network(models::architecture a);

// How the paper ran its tables: the target dataset (data::dataset::name, as its loader sets it)
// and the number of test folds.
struct paper_setup {
    std::string_view dataset;
    std::size_t test_folds;
    std::string_view folds;  // in words, for notes: "5x2 cross-validation"
};
// Tables 1, 3 and 4: the Interactive Atlas (derm7pt, acral lesions dropped), 5x2 CV.
inline constexpr paper_setup paper_atlas_setup{data::atlas_dataset_name, 10, "5x2 cross-validation (10 test folds)"};
// Table 2: ISIC 2016 Part 3, the official training/test split.
inline constexpr paper_setup paper_isic_setup{data::isic2016_dataset_name, 1, "the official training/test split"};

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/published.ipp"
#endif
