// Policies, the validity rule, the compile-time grid and the registry.
#include <catch2/catch.hpp>

#include <set>

#include <boost/hana/integral_constant.hpp>
#include <boost/hana/equal.hpp>
#include <boost/hana/length.hpp>

#include "support/scaled_cells.hpp"  // the scaled VGG-M cells, compiled once

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/protocol/grid.hpp"
#include "dermtl/protocol/registry.hpp"

using namespace dermtl;
using namespace dermtl::protocol;
namespace hana = boost::hana;

using small = models::vgg_m_family<64, 8>;

TEST_CASE("labeling policies agree with the reference protocols' labels on every diagnosis", "[protocol][labeling]") {
    for (std::size_t i = 0; i < data::diagnosis_count; ++i) {
        const auto d = static_cast<data::diagnosis>(i);
        INFO(data::to_string(d));
        CHECK(labeling::malignant_vs_benign::label(d) ==
              data::label_of(d, data::lesion_task::malignant_vs_benign).value_or(-1));
        CHECK(labeling::melanoma_vs_benign::label(d) == data::label_of(d, data::lesion_task::melanoma_vs_benign).value_or(-1));
        CHECK(labeling::melanoma_carcinoma_benign::label(d) ==
              data::label_of(d, data::lesion_task::bcc_melanoma_benign).value_or(-1));
    }
}

TEST_CASE("the validity rule rejects untrained frozen features unless opted in", "[protocol][validity]") {
    STATIC_REQUIRE_FALSE(valid_combination<transfer::none, finetune::frozen>);
    STATIC_REQUIRE(valid_combination<transfer::none, finetune::full>);
    STATIC_REQUIRE(valid_combination<transfer::none, finetune::frozen_random_features>);
    STATIC_REQUIRE_FALSE(valid_combination<transfer::from_imagenet, finetune::frozen_random_features>);
    STATIC_REQUIRE(valid_combination<transfer::double_transfer, finetune::frozen>);
    STATIC_REQUIRE_FALSE(in_paper_table1<transfer::double_transfer, finetune::frozen>);
}

TEST_CASE("the paper's Table 1 grid has 6 columns x 3 designs, named uniquely", "[protocol][grid]") {
    constexpr auto table = paper_table1<small, backend::cpu>();
    STATIC_REQUIRE(hana::length(table) == hana::size_c<18>);
    const auto reg = registry::of(table);
    REQUIRE(reg.entries().size() == 18);
    std::set<std::string> names;
    for (const auto& e : reg.entries()) names.insert(e.id.str());
    CHECK(names.size() == 18);
    // Columns in the paper's order for the first design.
    std::vector<std::string> first_row;
    for (std::size_t i = 0; i < 6; ++i) first_row.push_back(reg.entries()[i].id.str());
    CHECK(first_row == std::vector<std::string>{"vgg_m_64_8/cpu/none/finetune/malignant_vs_benign",
                                                "vgg_m_64_8/cpu/retinopathy/frozen/malignant_vs_benign",
                                                "vgg_m_64_8/cpu/retinopathy/finetune/malignant_vs_benign",
                                                "vgg_m_64_8/cpu/imagenet/frozen/malignant_vs_benign",
                                                "vgg_m_64_8/cpu/imagenet/finetune/malignant_vs_benign",
                                                "vgg_m_64_8/cpu/double/finetune/malignant_vs_benign"});
    CHECK(reg.match("*/imagenet/*").size() == 6);
    CHECK(reg.match("*/*/*/finetune/melanoma_carcinoma_benign").size() == 4);
    CHECK_THROWS_WITH(reg.match("*/resnet/*"), Catch::Contains("no experiment matches") && Catch::Contains("vgg_m_64_8/cpu/none"));
    const auto all_valid = grid<small, backend::cpu, keep_all_valid>(paper_transfers, paper_finetunes, paper_labelings);
    STATIC_REQUIRE(hana::length(all_valid) == hana::size_c<21>);
}

TEST_CASE("label_for drops what the design drops and renumbers the folds", "[protocol][labeling]") {
    data::dataset d;
    d.name = "toy";
    d.class_names = {"benign", "malignant"};
    const data::diagnosis dx[] = {data::diagnosis::clark_nevus, data::diagnosis::basal_cell_carcinoma,
                                  data::diagnosis::melanoma, data::diagnosis::blue_nevus};
    for (int i = 0; i < 4; ++i) {
        data::sample s;
        s.id = "s" + std::to_string(i);
        s.dx = dx[i];
        d.samples.push_back(s);
    }
    const data::fold_set folds{{"Fold_1", {0, 1}, {2, 3}}};
    const auto mel = label_for<labeling::melanoma_vs_benign>(d, folds);
    REQUIRE(mel.dataset.size() == 3);
    CHECK(mel.folds[0].train == std::vector<std::size_t>{0});
    CHECK(mel.folds[0].test == std::vector<std::size_t>{1, 2});
    CHECK(mel.dataset[1].label == 1);
    const auto three = label_for<labeling::melanoma_carcinoma_benign>(d, folds);
    CHECK(three.dataset.size() == 4);
    CHECK(three.dataset[1].label == 0);
    CHECK(three.dataset[0].label == 2);
}
