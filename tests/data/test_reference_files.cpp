#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "data_test_files.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using dermtl::testing::fixture;

namespace {
std::size_t positives(const dataset& d, const std::vector<std::size_t>& idx, int label = 1) {
    std::size_t n = 0;
    for (auto i : idx) n += d[i].label == label;
    return n;
}
label_csv_options with_classes(int k) {
    label_csv_options o;
    o.num_classes = k;
    return o;
}
std::vector<std::size_t> sorted(std::vector<std::size_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}
}  // namespace

TEST_CASE("reference files: isic.csv/isic.yml give the official 900/379 split", "[data][reference]") {
    const auto d = read_label_csv(fixture("isic.csv"), with_classes(2));
    REQUIRE(d.size() == 1279);
    CHECK(d.class_counts() == std::vector<std::size_t>{1031, 248});
    const auto folds = read_fold_yaml(fixture("isic.yml"), d);
    REQUIRE(folds.size() == 1);
    CHECK(folds[0].name == "Fold_1");
    CHECK(folds[0].train.size() == 900);
    CHECK(folds[0].test.size() == 379);
    CHECK(positives(d, folds[0].train) == 173);
    CHECK(positives(d, folds[0].test) == 75);
}

TEST_CASE("reference files: protocols 1-3 load with 10 folds", "[data][reference]") {
    struct expect {
        const char* name;
        std::size_t labels;
        std::vector<std::size_t> counts;
    };
    for (const auto& e : {expect{"protocol1", 975, {668, 307}}, expect{"protocol2", 933, {668, 265}},
                          expect{"protocol3", 975, {42, 265, 668}}}) {
        INFO(e.name);
        const auto d = read_label_csv(fixture(std::string(e.name) + ".csv"));
        REQUIRE(d.size() == e.labels);
        CHECK(d.class_counts() == e.counts);
        const auto folds = read_fold_yaml(fixture(std::string(e.name) + ".yml"), d);
        REQUIRE(folds.size() == 10);
        for (const auto& f : folds) {
            // The reference folds leave exactly one labelled image out of each fold.
            CHECK(f.train.size() + f.test.size() == d.size() - 1);
            CHECK(f.train.size() > 0.45 * d.size());
            CHECK(f.test.size() > 0.45 * d.size());
        }
        // 5x2: consecutive folds swap halves.
        CHECK(sorted(folds[0].train) == sorted(folds[1].test));
        CHECK(sorted(folds[0].test) == sorted(folds[1].train));
    }
}

TEST_CASE("reference files: the last id of a list (no .tiff) and comment lines are read", "[data][reference]") {
    const auto d = read_label_csv(fixture("protocol1.csv"));
    const auto folds = read_fold_yaml(fixture("protocol1.yml"), d);
    // protocol1.yml's first train list ends with "...nml106]" without extension.
    bool found = false;
    for (auto i : folds[0].train) found |= d[i].id == "nml106";
    for (auto i : folds[0].test) found |= d[i].id == "nml106";
    CHECK(found);
}

TEST_CASE("reference files: written folds and labels read back identically", "[data][reference]") {
    dermtl::testing::scratch_dir dir("refwrite");
    const auto d = read_label_csv(fixture("protocol3.csv"));
    const auto folds = read_fold_yaml(fixture("protocol3.yml"), d);
    write_label_csv(dir / "labels.csv", d);
    write_fold_yaml(dir / "folds.yml", folds, d);
    const auto d2 = read_label_csv(dir / "labels.csv");
    REQUIRE(d2.size() == d.size());
    CHECK(d2.labels() == d.labels());
    const auto f2 = read_fold_yaml(dir / "folds.yml", d2);
    REQUIRE(f2.size() == folds.size());
    for (std::size_t k = 0; k < folds.size(); ++k) {
        CHECK(f2[k].train == folds[k].train);
        CHECK(f2[k].test == folds[k].test);
    }
}

TEST_CASE("reference files: isic.csv/isic.yml with images in the two challenge folders", "[data][reference]") {
    dermtl::testing::scratch_dir dir("refimg");
    // A 6-image excerpt in the real layout: ids from isic.csv, images split over the two folders;
    // both fold parts hold both classes, as every real fold does (a one-class part is rejected).
    dermtl::testing::write_text(dir / "labels.csv", "image,level\nISIC_0000000,0\nISIC_0000001,0\nISIC_0000002,1\n"
                                                    "ISIC_0000003,0\nISIC_0000004,1\nISIC_0000006,0\n");
    dermtl::testing::write_text(dir / "folds.yml", "# excerpt\nFold_1:\n  - [ISIC_0000000.tiff, ISIC_0000001.tiff, ISIC_0000002.tiff, ISIC_0000003]\n"
                                                   "  - [ISIC_0000004.tiff, ISIC_0000006]\n");
    for (const char* id : {"ISIC_0000000", "ISIC_0000001", "ISIC_0000002", "ISIC_0000004"})
        dermtl::testing::write_image(dir / "images" / "ISBI2016_ISIC_Part3_Training_Data" / (std::string(id) + ".jpg"));
    for (const char* id : {"ISIC_0000003", "ISIC_0000006"})
        dermtl::testing::write_image(dir / "images" / "ISBI2016_ISIC_Part3_Test_Data" / (std::string(id) + ".jpg"));
    label_csv_options o;
    o.image_dir = dir / "images";
    o.num_classes = 2;
    const auto p = load_reference_protocol(dir / "labels.csv", dir / "folds.yml", o);
    REQUIRE(p.folds.size() == 1);
    CHECK(p.folds[0].train.size() == 4);
    CHECK(p.folds[0].test.size() == 2);
    CHECK(p.data[3].image.parent_path().filename() == "ISBI2016_ISIC_Part3_Test_Data");
    const auto test_set = p.data.subset(p.folds[0].test);
    CHECK(test_set.size() == 2);
    CHECK(test_set[1].id == "ISIC_0000006");
    CHECK_THROWS_AS(p.data.subset({7}), config_error);
}
