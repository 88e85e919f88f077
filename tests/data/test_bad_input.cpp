#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "data_test_files.hpp"
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using Catch::Contains;
using dermtl::testing::scratch_dir;
using dermtl::testing::write_image;
using dermtl::testing::write_text;

// Every bad input is an io_error whose message names the file, the line and the offending value.

TEST_CASE("bad input: missing image", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_image(dir / "img" / "ISIC_0000000.jpg");
    write_text(dir / "gt.csv", "ISIC_0000000,benign\nISIC_0000009,malignant\n");
    CHECK_THROWS_AS(load_isic2016(dir / "gt.csv", dir / "img"), io_error);
    CHECK_THROWS_WITH(load_isic2016(dir / "gt.csv", dir / "img"),
                      Contains("gt.csv:2") && Contains("'ISIC_0000009'") && Contains("no image file"));
    CHECK_THROWS_WITH(load_isic2016(dir / "gt.csv", dir / "nowhere"), Contains("nowhere") && Contains("not found"));
}

TEST_CASE("bad input: missing and empty CSV", "[data][bad_input]") {
    scratch_dir dir("bad");
    CHECK_THROWS_WITH(read_label_csv(dir / "absent.csv"), Contains("absent.csv") && Contains("not found"));
    write_text(dir / "empty.csv", "");
    CHECK_THROWS_WITH(read_label_csv(dir / "empty.csv"), Contains("empty.csv") && Contains("empty CSV"));
    write_text(dir / "blank.csv", "\n\r\n\n");
    CHECK_THROWS_WITH(load_isic2016(dir / "blank.csv"), Contains("blank.csv") && Contains("empty CSV"));
}

TEST_CASE("bad input: wrong column count", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na,0\nb,1,extra\n");
    CHECK_THROWS_WITH(read_label_csv(dir / "labels.csv"),
                      Contains("labels.csv:3") && Contains("expected 2 columns") && Contains("b,1,extra"));
    write_text(dir / "gt.csv", "ISIC_0000000\n");
    CHECK_THROWS_WITH(load_isic2016(dir / "gt.csv"), Contains("gt.csv:1") && Contains("ISIC_0000000"));
    write_text(dir / "gt17.csv", "image_id,melanoma,seborrheic_keratosis\nISIC_0000000,0.0\n");
    CHECK_THROWS_WITH(load_isic2017(dir / "gt17.csv"), Contains("gt17.csv:2") && Contains("found 2"));
    write_text(dir / "nohdr.csv", "image,grade\na,0\n");
    CHECK_THROWS_WITH(load_retinopathy(dir / "nohdr.csv"), Contains("nohdr.csv:1") && Contains("'level'"));
}

TEST_CASE("bad input: duplicate id", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\nael514,1\nnal086,0\nAEL514,0\n");
    CHECK_THROWS_WITH(read_label_csv(dir / "labels.csv"),
                      Contains("labels.csv:4") && Contains("duplicate id 'AEL514'") && Contains("labels.csv:2"));
}

TEST_CASE("bad input: label value out of range", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_text(dir / "trainLabels.csv", "image,level\n10_left,0\n10_right,5\n");
    CHECK_THROWS_WITH(load_retinopathy(dir / "trainLabels.csv"),
                      Contains("trainLabels.csv:3") && Contains("level 5 out of range [0, 4]"));
    write_text(dir / "labels.csv", "image,level\na,0\nb,x\n");
    CHECK_THROWS_WITH(read_label_csv(dir / "labels.csv"), Contains("labels.csv:3") && Contains("'x'"));
    label_csv_options two_classes;
    two_classes.num_classes = 2;
    write_text(dir / "labels2.csv", "image,level\na,0\nb,2\n");
    CHECK_THROWS_WITH(read_label_csv(dir / "labels2.csv", two_classes),
                      Contains("labels2.csv:3") && Contains("2 out of range"));
    write_text(dir / "gt.csv", "ISIC_0000000,benign\nISIC_0000001,maybe\n");
    CHECK_THROWS_WITH(load_isic2016(dir / "gt.csv"), Contains("gt.csv:2") && Contains("'maybe'"));
    write_text(dir / "gt17.csv", "image_id,melanoma,seborrheic_keratosis\nISIC_0000000,1.0,1.0\nISIC_0000001,0.5,0\n");
    CHECK_THROWS_WITH(load_isic2017(dir / "gt17.csv"), Contains("gt17.csv:2") && Contains("ISIC_0000000"));
    atlas_options metadata_only;
    metadata_only.resolve_images = false;
    write_text(dir / "meta" / "meta.csv", "diagnosis,level_of_diagnostic_difficulty,location,derm\nmelanoma,low,back,a.jpg\n"
                                          "blue neevus,low,back,b.jpg\n");
    CHECK_THROWS_WITH(load_atlas(dir / "meta" / "meta.csv", metadata_only),
                      Contains("meta.csv:3") && Contains("'blue neevus'"));
}

TEST_CASE("bad input: fold naming an id not in the label file", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na1,0\na2,1\na3,0\na4,1\n");
    write_text(dir / "folds.yml", "# comment\nFold_1:\n  - [a1.tiff, a2.tiff]\n  - [a3.tiff, zz9]\n");
    const auto d = read_label_csv(dir / "labels.csv");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "folds.yml", d),
                      Contains("folds.yml:4") && Contains("'zz9'") && Contains("not in the label file"));
}

TEST_CASE("bad input: fold whose train and test overlap", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na1,0\na2,1\na3,0\na4,1\n");
    write_text(dir / "folds.yml", "Fold_1:\n  - [a1.tiff, a2.tiff]\n  - [a3.tiff, a4]\nFold_2:\n  - [a1.tiff, a2.tiff,\n     a3.tiff]\n  - [a3.tiff, a4]\n");
    const auto d = read_label_csv(dir / "labels.csv");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "folds.yml", d),
                      Contains("folds.yml:7") && Contains("Fold_2") && Contains("'a3.tiff'") && Contains("overlap"));
    fold f{"Fold_1", {0, 1}, {1, 2}};
    CHECK_THROWS_WITH(check_fold(f, d, "mine"), Contains("mine") && Contains("'a2'") && Contains("overlap"));
}

TEST_CASE("bad input: malformed fold YAML", "[data][bad_input]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na1,0\na2,1\n");
    const auto d = read_label_csv(dir / "labels.csv");
    write_text(dir / "a.yml", "Fold_1:\n  - [a1.tiff\n  - [a2]\n");
    CHECK_THROWS_AS(read_fold_yaml(dir / "a.yml", d), io_error);
    write_text(dir / "b.yml", "Fold_1:\n  - [a1]\nSplit_2:\n  - [a1]\n  - [a2]\n");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "b.yml", d), Contains("b.yml:1") && Contains("two lists"));
    write_text(dir / "c.yml", "Fold_1:\n  - [a1]\n  - [a2]\nSplit_2:\n  - [a1]\n  - [a2]\n");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "c.yml", d), Contains("c.yml:4") && Contains("'Split_2'"));
}
