// Label-file formats told apart from header and content (data/label_format.hpp): one file in each
// real format, written here as the datasets distribute them, plus the real ISIC 2016 training
// ground truth (tests/data/fixtures/ISBI2016_ISIC_Part3_Training_GroundTruth.csv, header
// `img_id,Label`, 727 benign + 173 malignant) and the reference implementation's files.
#include <catch2/catch.hpp>

#include <string>

#include "data_test_files.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/label_format.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using dermtl::testing::fixture;
using dermtl::testing::scratch_dir;
using dermtl::testing::write_text;

namespace {

// derm7pt's meta.csv header (19 columns) and one row in its layout.
const std::string derm7pt_header =
    "case_num,diagnosis,seven_point_score,pigment_network,streaks,pigmentation,regression_structures,"
    "dots_and_globules,blue_whitish_veil,vascular_structures,level_of_diagnostic_difficulty,elevation,location,sex,"
    "management,clinic,derm,case_id,notes\n";
const std::string derm7pt_row =
    "1,basal cell carcinoma,4,absent,absent,absent,absent,absent,absent,arborizing,medium,nodular,abdomen,female,"
    "excision,NEL/Nel026.jpg,NEL/Nel025.jpg,,\n";

}  // namespace

TEST_CASE("label formats: each real format is recognised from its header and content", "[data][label_format]") {
    scratch_dir dir("label-format");
    auto detect = [&](const std::string& name, const std::string& text) {
        write_text(dir.path() / name, text);
        return detect_label_format(dir.path() / name);
    };
    // The reference implementation's labels, Atlas and ISIC ids.
    CHECK(detect("protocol.csv", "image,level\nael514,1\nnal086,0\n") == label_format::reference);
    CHECK(detect("isic.csv", "image,level\nISIC_0000000,0\nISIC_0000001,1\n") == label_format::reference);
    // Kaggle's trainLabels.csv: the same header, ids <patient>_left|right.
    CHECK(detect("trainLabels.csv", "image,level\n10_left,0\n10_right,0\n13_left,2\n") == label_format::retinopathy);
    // One id that is not Kaggle's makes it the reference format (read with image,level's rules).
    CHECK(detect("mixed.csv", "image,level\n10_left,0\nael514,1\n") == label_format::reference);
    // ISIC 2016 Part 3: training (benign|malignant) and test (0.0|1.0, 0|1), with and without header.
    CHECK(detect("gt-train.csv", "ISIC_0000000,benign\nISIC_0000001,malignant\n") == label_format::isic2016);
    CHECK(detect("gt-train-header.csv", "img_id,Label\nISIC_0000000,benign\n") == label_format::isic2016);
    CHECK(detect("gt-test.csv", "ISIC_0000003,0.0\nISIC_0000012,1.0\n") == label_format::isic2016);
    CHECK(detect("gt-test-int.csv", "ISIC_0000003,0\nISIC_0000012,1\n") == label_format::isic2016);
    // A typo past the first row is the loader's to report (file:line), not a reason to give up.
    CHECK(detect("gt-typo.csv", "ISIC_0000000,benign\nISIC_0000001,beningn\n") == label_format::isic2016);
    // ISIC 2017 Part 3, with and without header.
    CHECK(detect("gt2017.csv", "image_id,melanoma,seborrheic_keratosis\nISIC_0000000,0.0,0.0\nISIC_0000001,1.0,0.0\n") ==
          label_format::isic2017);
    CHECK(detect("gt2017-noheader.csv", "ISIC_0000000,0.0,0.0\nISIC_0000002,0.0,1.0\n") == label_format::isic2017);
    // derm7pt meta.csv and a HAM10000 manifest.
    CHECK(detect("meta.csv", derm7pt_header + derm7pt_row) == label_format::derm7pt);
    CHECK(detect("HAM10000_metadata.csv",
                 "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
                 "HAM_0000118,ISIC_0027419,bkl,histo,80.0,male,scalp\n") == label_format::ham10000);
    // The reference implementation's own files (copies in tests/data/fixtures).
    CHECK(detect_label_format(fixture("protocol1.csv")) == label_format::reference);
    CHECK(detect_label_format(fixture("isic.csv")) == label_format::reference);
    CHECK(detect_label_format(fixture("retina.csv")) == label_format::retinopathy);
    // Every format has a name and a signature for messages.
    for (const auto& f : label_formats) {
        CHECK(info(f.format).format == f.format);
        CHECK(!f.name.empty());
        CHECK(!f.signature.empty());
    }
}

TEST_CASE("label formats: the real ISIC 2016 training ground truth (header img_id,Label)", "[data][label_format]") {
    const auto gt = fixture("ISBI2016_ISIC_Part3_Training_GroundTruth.csv");
    REQUIRE(detect_label_format(gt) == label_format::isic2016);
    const auto d = load_isic2016(gt);
    REQUIRE(d.size() == 900);
    CHECK(d.class_counts() == std::vector<std::size_t>{727, 173});
    CHECK(d[0].id == "ISIC_0000000");
    CHECK(d[0].manifest_line == 2);  // line 1 is the header
    CHECK(d[2].label == 1);          // ISIC_0000002,malignant
}

TEST_CASE("label formats: an unknown file names itself, its first line and every known format", "[data][label_format]") {
    scratch_dir dir("label-format-bad");
    const auto unknown = dir.path() / "scores.csv";
    write_text(unknown, "patient,score,when\np1,0.3,today\n");
    const auto message = [&] {
        try {
            (void)detect_label_format(unknown);
        } catch (const io_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    }();
    CHECK_THAT(message, Catch::Contains(unknown.string()) && Catch::Contains("not a label file dermtl knows") &&
                            Catch::Contains("line 1: 'patient,score,when'"));
    for (const auto& f : label_formats) CHECK_THAT(message, Catch::Contains(std::string(f.name)));
    // Close misses: two columns with non-ISIC ids, a header-only ISIC 2016 file, an empty file.
    write_text(dir.path() / "ids.csv", "lesion,benign\nx,benign\n");
    CHECK_THROWS_WITH(detect_label_format(dir.path() / "ids.csv"), Catch::Contains("not a label file dermtl knows"));
    write_text(dir.path() / "header-only.csv", "img_id,Label\n");
    CHECK_THROWS_WITH(detect_label_format(dir.path() / "header-only.csv"), Catch::Contains("header-only.csv"));
    write_text(dir.path() / "empty.csv", "");
    CHECK_THROWS_WITH(detect_label_format(dir.path() / "empty.csv"), Catch::Contains("empty.csv: empty CSV"));
}

TEST_CASE("isic2017: read without its header line too", "[data][isic2017][label_format]") {
    scratch_dir dir("isic2017-noheader");
    write_text(dir.path() / "gt.csv", "ISIC_0000000,0.0,0.0\nISIC_0000001,1.0,0.0\nISIC_0000002,0,1\n");
    const auto d = load_isic2017(dir.path() / "gt.csv");
    REQUIRE(d.size() == 3);
    CHECK(d[0].manifest_line == 1);
    CHECK(d.labels() == std::vector<int>{0, 1, 2});
    write_text(dir.path() / "bad.csv", "ISIC_0000000,0.0,0.0\nISIC_0000001,2.0,0.0\n");
    CHECK_THROWS_WITH(load_isic2017(dir.path() / "bad.csv"), Catch::Contains("bad.csv:2") && Catch::Contains("melanoma"));
}

TEST_CASE("count_manifest: rows per diagnosis, images and lesions of a HAM10000-style manifest", "[data][label_format]") {
    scratch_dir dir("manifest-counts");
    const auto csv = dir.path() / "HAM10000_metadata.csv";
    write_text(csv,
               "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
               "HAM_0000118,ISIC_0027419,bkl,histo,80.0,male,scalp\n"
               "HAM_0000118,ISIC_0025030,bkl,histo,80.0,male,scalp\n"
               "HAM_0002730,ISIC_0026769,bkl,histo,80.0,male,scalp\n"
               "HAM_0001466,ISIC_0031633,mel,histo,75.0,male,ear\n"
               "HAM_0002761,ISIC_0029176,nv,follow_up,60.0,female,back\n"
               "HAM_0005132,ISIC_0025837,akiec,histo,70.0,male,face\n");
    const auto c = count_manifest(io::read_csv(csv), "image_id", "dx", "lesion_id");
    CHECK(c.rows == 6);
    CHECK(c.groups == 5);  // HAM_0000118 holds two images
    CHECK(c.per_value == std::map<std::string, std::size_t>{{"akiec", 1}, {"bkl", 3}, {"mel", 1}, {"nv", 1}});
    // Bad rows name file:line and what was expected.
    write_text(dir.path() / "dup.csv", "lesion_id,image_id,dx\nA,ISIC_1,mel\nB,isic_1,nv\n");
    CHECK_THROWS_WITH(count_manifest(io::read_csv(dir.path() / "dup.csv"), "image_id", "dx", "lesion_id"),
                      Catch::Contains("dup.csv:3") && Catch::Contains("listed twice (first at line 2)"));
    write_text(dir.path() / "empty-dx.csv", "lesion_id,image_id,dx\nA,ISIC_1,\n");
    CHECK_THROWS_WITH(count_manifest(io::read_csv(dir.path() / "empty-dx.csv"), "image_id", "dx", "lesion_id"),
                      Catch::Contains("empty-dx.csv:2: empty dx"));
    write_text(dir.path() / "short.csv", "lesion_id,image_id,dx\nA,ISIC_1\n");
    CHECK_THROWS_WITH(count_manifest(io::read_csv(dir.path() / "short.csv"), "image_id", "dx", "lesion_id"),
                      Catch::Contains("short.csv:2: expected 3 columns"));
    write_text(dir.path() / "none.csv", "lesion_id,image_id,dx\n");
    CHECK_THROWS_WITH(count_manifest(io::read_csv(dir.path() / "none.csv"), "image_id", "dx", "lesion_id"),
                      Catch::Contains("none.csv: no cases"));
}
