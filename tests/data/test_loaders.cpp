#include <catch2/catch.hpp>

#include <string>

#include "data_test_files.hpp"
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/join.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using dermtl::testing::scratch_dir;
using dermtl::testing::write_image;
using dermtl::testing::write_text;

TEST_CASE("diagnosis: parsed case-insensitively into the closed vocabulary", "[data][diagnosis]") {
    CHECK(parse_diagnosis("Melanoma (less than 0.76 mm)", "x:1") == diagnosis::melanoma_less_than_0_76_mm);
    CHECK(parse_diagnosis("  BASAL CELL  carcinoma ", "x:1") == diagnosis::basal_cell_carcinoma);
    CHECK(parse_diagnosis("Reed/Spitz nevus", "x:1") == diagnosis::reed_or_spitz_nevus);
    CHECK(parse_diagnosis("Melanoma (0.76 - 1.5 mm)", "x:1") == diagnosis::melanoma_0_76_to_1_5_mm);
    for (std::size_t i = 0; i < diagnosis_count; ++i) {
        const auto d = static_cast<diagnosis>(i);
        CHECK(parse_diagnosis(to_string(d), "x:1") == d);
    }
    CHECK(is_melanoma(diagnosis::melanoma_metastasis));
    CHECK(is_malignant(diagnosis::basal_cell_carcinoma));
    CHECK(is_benign(diagnosis::clark_nevus));
    CHECK_THROWS_WITH(parse_diagnosis("melanomma", "meta.csv:7"),
                      Catch::Contains("meta.csv:7") && Catch::Contains("'melanomma'"));
    CHECK(parse_difficulty("Medium", "x:1") == difficulty::medium);
    CHECK_THROWS_WITH(parse_difficulty("hard", "meta.csv:3"), Catch::Contains("meta.csv:3") && Catch::Contains("'hard'"));
}

TEST_CASE("isic2016: training and test ground truth, both variants, challenge layout", "[data][isic2016]") {
    scratch_dir dir("isic2016");
    const auto train_dir = dir / isic2016_training_folder, test_dir = dir / isic2016_test_folder;
    write_image(train_dir / "ISIC_0000000.jpg", 0);
    write_image(train_dir / "ISIC_0000001.JPG", 1);  // upper-case extension
    write_image(train_dir / "isic_0000002.png", 2);  // other case and format
    write_image(test_dir / "ISIC_0000003.jpg", 3);
    write_image(test_dir / "ISIC_0000005.tif", 4);
    write_text(dir / isic2016_training_ground_truth, "ISIC_0000000,benign\nISIC_0000001,malignant\r\nISIC_0000002,benign\n");
    write_text(dir / isic2016_test_ground_truth, "ISIC_0000003,0.0\nISIC_0000005,1.0\n");
    const auto split = load_isic2016_challenge(dir.path());
    REQUIRE(split.training.size() == 3);
    REQUIRE(split.test.size() == 2);
    CHECK(split.training.class_counts() == std::vector<std::size_t>{2, 1});
    CHECK(split.training[1].label == 1);
    CHECK(split.training[1].dx == diagnosis::melanoma);
    CHECK(split.training[2].image.filename() == "isic_0000002.png");
    CHECK(split.test[1].image.filename() == "ISIC_0000005.tif");
    CHECK(split.test.class_counts() == std::vector<std::size_t>{1, 1});

    SECTION("header line and 0/1 values") {
        write_text(dir / "gt.csv", "img_id,Label\nISIC_0000003,0\nISIC_0000005,1\n");
        const auto d = load_isic2016(dir / "gt.csv", test_dir);
        REQUIRE(d.size() == 2);
        CHECK(d[0].manifest_line == 2);
        CHECK(d.labels() == std::vector<int>{0, 1});
    }
    SECTION("labels only") {
        const auto d = load_isic2016(dir / isic2016_training_ground_truth);
        CHECK(d.size() == 3);
        CHECK(d[0].image.empty());
    }
}

TEST_CASE("isic2017: image_id,melanoma,seborrheic_keratosis", "[data][isic2017]") {
    scratch_dir dir("isic2017");
    for (int i = 0; i < 3; ++i) write_image(dir / "img" / ("ISIC_000000" + std::to_string(i) + ".jpg"), i);
    write_text(dir / "ISIC-2017_Training_Part3_GroundTruth.csv",
               "image_id,melanoma,seborrheic_keratosis\nISIC_0000000,0.0,0.0\nISIC_0000001,1.0,0.0\nISIC_0000002,0,1\n");
    const auto d = load_isic2017(dir / "ISIC-2017_Training_Part3_GroundTruth.csv", dir / "img");
    REQUIRE(d.size() == 3);
    CHECK(d.labels() == std::vector<int>{0, 1, 2});
    CHECK(d[0].dx == diagnosis::nevus);
    CHECK(d[2].dx == diagnosis::seborrheic_keratosis);
}

namespace {
const char* meta_header =
    "case_num,diagnosis,seven_point_score,pigment_network,streaks,pigmentation,regression_structures,"
    "dots_and_globules,blue_whitish_veil,vascular_structures,level_of_diagnostic_difficulty,elevation,location,"
    "sex,management,clinic,derm,case_id,notes\n";
std::string meta_row(int n, const std::string& dx, const std::string& level, const std::string& location,
                     const std::string& derm, const std::string& notes = "") {
    return std::to_string(n) + "," + dx + ",1,typical,absent,absent,absent,absent,absent,absent," + level +
           ",flat," + location + ",female,excision,x/clinic.jpg," + derm + ",case" + std::to_string(n) + "," + notes + "\n";
}
}  // namespace

TEST_CASE("atlas: derm7pt meta.csv, acral lesions excluded, the three labelings", "[data][atlas]") {
    scratch_dir dir("atlas");
    const auto rel = dir / "release_v0";
    write_image(rel / "images" / "Aal" / "Aal002.jpg", 1);
    write_image(rel / "images" / "NEL" / "NEL025.JPG", 2);
    write_image(rel / "images" / "Abl" / "abl135.png", 3);
    write_image(rel / "images" / "Fdl" / "Fdl011.jpg", 4);
    write_image(rel / "images" / "Bcl" / "Bcl001.jpg", 5);
    write_text(rel / "meta" / "meta.csv",
               std::string(meta_header) + meta_row(1, "melanoma (in situ)", "low", "back", "Aal/Aal002.jpg") +
                   meta_row(2, "Clark Nevus", "medium", "abdomen", "NEL/Nel025.jpg", "\"note, with comma\"") +
                   meta_row(3, "seborrheic keratosis", "high", "head neck", "Abl/Abl135.jpg") +
                   meta_row(4, "melanoma", "low", "acral", "Fdl/Fdl011.jpg") +
                   meta_row(5, "basal cell carcinoma", "medium", "chest", "Bcl/Bcl001.jpg"));
    const auto meta = rel / "meta" / "meta.csv";
    const auto d = load_atlas(meta);
    REQUIRE(d.size() == 4);  // the acral melanoma dropped
    CHECK(d[0].id == "aal002");
    CHECK(d[0].dx == diagnosis::melanoma_in_situ);
    CHECK(d[0].level == difficulty::low);
    CHECK(d[1].image.filename() == "NEL025.JPG");
    CHECK(d[2].image.filename() == "abl135.png");
    CHECK(d.labels() == std::vector<int>{1, 0, 0, 1});
    CHECK(d[3].manifest_line == 6);

    atlas_options opt;
    opt.task = lesion_task::melanoma_vs_benign;
    CHECK(load_atlas(meta, opt).size() == 3);
    opt.task = lesion_task::bcc_melanoma_benign;
    CHECK(load_atlas(meta, opt).labels() == std::vector<int>{1, 2, 2, 0});
    opt = {};
    opt.exclude_acral = false;
    CHECK(load_atlas(meta, opt).size() == 5);

    // derm7pt's own train/valid/test split (rows of meta.csv; row 3 is the acral melanoma).
    write_text(rel / "meta" / "train_indexes.csv", "indexes\n0\n1\n");
    write_text(rel / "meta" / "valid_indexes.csv", "indexes\n3\n");
    write_text(rel / "meta" / "test_indexes.csv", "indexes\n2\n4\n");
    const auto split = load_derm7pt_split(meta, d);
    CHECK(split.train == std::vector<std::size_t>{0, 1});
    CHECK(split.validation.empty());
    CHECK(split.test == std::vector<std::size_t>{2, 3});
    CHECK(split.dropped == 1);
    write_text(rel / "meta" / "test_indexes.csv", "indexes\n2\n9\n");
    CHECK_THROWS_WITH(load_derm7pt_split(meta, d), Catch::Contains("test_indexes.csv:3") && Catch::Contains("9 out of range"));
    write_text(rel / "meta" / "test_indexes.csv", "indexes\n2\n0\n");
    CHECK_THROWS_WITH(load_derm7pt_split(meta, d), Catch::Contains("test_indexes.csv:3") && Catch::Contains("twice"));

    // A reference-style protocol label file joined with the Atlas metadata.
    write_text(dir / "protocol.csv", "image,level\nnel025,0\naal002,1\n");
    auto labels = read_label_csv(dir / "protocol.csv");
    CHECK(attach_metadata(labels, d) == 0);
    CHECK(labels[0].dx == diagnosis::clark_nevus);
    CHECK(labels[0].level == difficulty::medium);
    CHECK(labels[1].image.filename() == "Aal002.jpg");
    CHECK(labels[1].label == 1);
    write_text(dir / "protocol2.csv", "image,level\nnel025,0\nzzz999,1\n");
    auto orphan = read_label_csv(dir / "protocol2.csv");
    CHECK_THROWS_WITH(attach_metadata(orphan, d), Catch::Contains("protocol2.csv:3") && Catch::Contains("'zzz999'"));
    CHECK(attach_metadata(orphan, d, false) == 1);
}

TEST_CASE("retinopathy: trainLabels.csv with <id>.jpeg images", "[data][retinopathy]") {
    scratch_dir dir("retina");
    write_image(dir / "train" / "10_left.jpeg", 1);
    write_image(dir / "train" / "10_right.jpeg", 2);
    write_image(dir / "train" / "13_left.JPEG", 3);
    write_text(dir / "trainLabels.csv", "image,level\n10_left,0\n10_right,4\n13_left,2\n");
    const auto d = load_retinopathy(dir / "trainLabels.csv", dir / "train");
    REQUIRE(d.size() == 3);
    CHECK(d.labels() == std::vector<int>{0, 4, 2});
    CHECK(d[1].grade == 4);
    CHECK(d[2].image.filename() == "13_left.JPEG");
}

TEST_CASE("retinopathy: the full Kaggle label file (35,126 rows)", "[data][retinopathy]") {
    const auto d = load_retinopathy(dermtl::testing::fixture("retina.csv"));
    REQUIRE(d.size() == 35126);
    CHECK(d.class_counts() == std::vector<std::size_t>{25810, 2443, 5292, 873, 708});
}

TEST_CASE("folder tree: one folder per class", "[data][folder_tree]") {
    scratch_dir dir("tree");
    write_image(dir / "circle" / "a.png", 1);
    write_image(dir / "circle" / "b.JPG", 2);
    write_image(dir / "square" / "c.tiff", 3);
    write_text(dir / "square" / "notes.txt", "not an image");
    const auto d = load_folder_tree(dir.path());
    REQUIRE(d.size() == 3);
    CHECK(d.class_names == std::vector<std::string>{"circle", "square"});
    CHECK(d.labels() == std::vector<int>{0, 0, 1});
    CHECK(d.find("square/c").has_value());
}
