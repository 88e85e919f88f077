// The generic manifest loader (HAM10000 and a user's own CSV), folder trees named by diagnosis,
// and ISIC 2017's official layout. Every file is written by the test in the real format.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "data_test_files.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/data/manifest.hpp"
#include "ham10000_files.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using Catch::Contains;
using dermtl::testing::scratch_dir;
using dermtl::testing::write_image;
using dermtl::testing::write_text;

TEST_CASE("manifest: HAM10000_metadata.csv with images in its two part folders", "[data][manifest][ham10000]") {
    scratch_dir dir("ham");
    const auto ham = testing::write_ham10000(dir.path());
    const auto d = load_manifest(dir / "HAM10000_metadata.csv", dir.path(), ham10000_manifest());
    REQUIRE(d.size() == ham.images.size());
    CHECK(d.name == "ham10000");
    CHECK(d.class_names.empty());  // labelled by relabel()
    CHECK(d.has_diagnoses());
    std::map<diagnosis, std::size_t> expected;
    for (const auto& im : ham.images) ++expected[im.dx];
    CHECK(d.diagnosis_counts() == expected);
    for (std::size_t i = 0; i < d.size(); ++i) {
        INFO(d[i].id);
        CHECK(d[i].id == ham.images[i].image_id);
        CHECK(d[i].group == ham.images[i].lesion_id);
        CHECK(d[i].dx == ham.images[i].dx);
        CHECK(d[i].label == -1);
        CHECK(d[i].manifest_line == i + 2);
        CHECK(d[i].image.filename() == ham.images[i].image_id + ".jpg");
        CHECK(d[i].image.parent_path().filename() == (i % 2 ? "HAM10000_images_part_2" : "HAM10000_images_part_1"));
        CHECK(d[i].location == ham.images[i].localization);
    }
    // Every design applies to HAM10000.
    const auto mvb = relabel(d, lesion_task::malignant_vs_benign);
    CHECK(mvb.size() == d.size());
    const auto melb = relabel(d, lesion_task::melanoma_vs_benign);
    CHECK(melb.size() == d.size() - expected[diagnosis::basal_cell_carcinoma] - expected[diagnosis::actinic_keratosis]);
    const auto three = relabel(d, lesion_task::bcc_melanoma_benign);
    CHECK(three.class_counts() == std::vector<std::size_t>{expected[diagnosis::basal_cell_carcinoma],
                                                           expected[diagnosis::melanoma],
                                                           d.size() - expected[diagnosis::basal_cell_carcinoma] -
                                                               expected[diagnosis::melanoma] -
                                                               expected[diagnosis::actinic_keratosis]});
    CHECK(mvb.class_counts()[1] == expected[diagnosis::melanoma] + expected[diagnosis::basal_cell_carcinoma] +
                                       expected[diagnosis::actinic_keratosis]);
    // Metadata only.
    const auto meta = load_manifest(dir / "HAM10000_metadata.csv", {}, ham10000_manifest());
    CHECK(meta.size() == d.size());
    CHECK(meta[0].image.empty());
}

TEST_CASE("manifest: a user's CSV with paths, difficulty, group and fold columns", "[data][manifest]") {
    scratch_dir dir("manifest");
    write_image(dir / "img" / "clinic_a" / "p1.png", 1);
    write_image(dir / "img" / "clinic_b" / "p1.JPG", 2);  // same name in another folder
    write_image(dir / "img" / "p3.tif", 3);
    write_image(dir / "elsewhere" / "p4.jpeg", 4);
    const std::string absolute = (dir / "elsewhere" / "p4.jpeg").string();
    write_text(dir / "cases.csv",
               "File,Dx,Level,Patient,Split,Site\n"
               "clinic_a/p1.png,Melanoma,high,pat1,1,back\n"
               "clinic_b\\p1.jpg,NV,low,pat1,1,Arm\n"
               "p3,basal cell carcinoma,,,2,\n"
               "\"" + absolute + "\",bkl,medium,pat4,2,leg\n");
    manifest_options o;
    o.image_column = "file";
    o.diagnosis_column = "dx";
    o.difficulty_column = "level";
    o.group_column = "patient";
    o.fold_column = "split";
    o.location_column = "site";
    o.name = "clinic";
    const auto d = load_manifest(dir / "cases.csv", dir / "img", o);
    REQUIRE(d.size() == 4);
    CHECK(d[0].id == "clinic_a/p1");
    CHECK(d[1].id == "clinic_b/p1");
    CHECK(d[0].image == dir / "img" / "clinic_a" / "p1.png");
    CHECK(d[1].image.filename() == "p1.JPG");
    CHECK(d[2].image.filename() == "p3.tif");
    CHECK(d[3].image == absolute);
    CHECK(d[0].dx == diagnosis::melanoma);
    CHECK(d[1].dx == diagnosis::nevus);
    CHECK(d[3].dx == diagnosis::benign_keratosis);
    CHECK(d[0].level == difficulty::high);
    CHECK(d[2].level == difficulty::unknown);
    CHECK(d[0].group == "pat1");
    CHECK(d[2].group.empty());
    CHECK(d[3].fold_value == "2");
    CHECK(d[1].location == "arm");
    CHECK(d[0].dataset == "clinic");
    CHECK(d[3].manifest_line == 5);
    CHECK(d.find("CLINIC_B/p1.png").has_value());
    // A bare name found in two subfolders is not guessed.
    write_text(dir / "bare.csv", "image,diagnosis\np1,mel\n");
    CHECK_THROWS_WITH(load_manifest(dir / "bare.csv", dir / "img"),
                      Contains("bare.csv: 1 of 1 images") && Contains("line 2 'p1'") && Contains("two subfolders"));

    SECTION("a user's diagnosis map") {
        write_text(dir / "odd.csv", "image,diagnosis\np3,SCC in situ\n");
        CHECK_THROWS_WITH(load_manifest(dir / "odd.csv", dir / "img"),
                          Contains("odd.csv:2") && Contains("column 'diagnosis'") && Contains("'SCC in situ'") &&
                              Contains("dermtl's vocabulary") && Contains("--diagnosis-map"));
        write_text(dir / "map.csv", "value,diagnosis\nscc in situ,actinic keratosis\n");
        manifest_options mapped;
        mapped.map.read_overrides(dir / "map.csv");
        CHECK(load_manifest(dir / "odd.csv", dir / "img", mapped)[0].dx == diagnosis::actinic_keratosis);
    }
}

TEST_CASE("manifest: bad input names the file, line, column and value", "[data][manifest][bad_input]") {
    scratch_dir dir("manifest-bad");
    for (int i = 0; i < 3; ++i) write_image(dir / "img" / ("ISIC_000000" + std::to_string(i) + ".jpg"), i);
    const auto csv = dir / "m.csv";

    write_text(csv, "lesion_id,image_id,dx\nL1,ISIC_0000000,mel\n");
    CHECK_THROWS_AS(load_manifest(csv, dir / "img"), io_error);
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("m.csv:1") && Contains("no column 'image'") &&
                                                           Contains("image_column") && Contains("'lesion_id,image_id,dx'"));
    auto o = ham10000_manifest();
    o.difficulty_column = "difficulty";
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img", o),
                      Contains("m.csv:1") && Contains("'difficulty'") && Contains("difficulty_column"));
    o = ham10000_manifest();
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img", o), Contains("'localization'") && Contains("location_column"));
    o.location_column.clear();
    CHECK(load_manifest(csv, dir / "img", o).size() == 1);

    // Unknown diagnosis: file:line, column, value, vocabulary and the option to map it.
    write_text(csv, "image,diagnosis\nISIC_0000000,mel\nISIC_0000001,scc\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("m.csv:3, column 'diagnosis'") && Contains("'scc'") &&
                                                           Contains("basal cell carcinoma") && Contains("--diagnosis-map"));
    // Missing images: counted and the first few listed, after the whole file.
    std::string rows = "image,diagnosis\nISIC_0000000,mel\n";
    for (int i = 0; i < 8; ++i) rows += "ISIC_100000" + std::to_string(i) + ",nv\n";
    rows += "ISIC_0000001,bcc\n";
    write_text(csv, rows);
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"),
                      Contains("m.csv: 8 of 10 images") && Contains("column 'image'") && Contains("line 3 'ISIC_1000000'") &&
                          Contains("line 7 'ISIC_1000004'") && !Contains("ISIC_1000005") && Contains("(3 more)"));
    write_text(csv, "image,diagnosis\n" + (dir / "none.jpg").string() + ",mel\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("1 of 1 images") && Contains("none.jpg"));
    // Duplicates, as the other loaders report them.
    write_text(csv, "image,diagnosis\nISIC_0000000,mel\nISIC_0000001,nv\nisic_0000000.JPG,mel\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"),
                      Contains("m.csv:4") && Contains("duplicate id") && Contains("m.csv:2"));
    write_text(csv, "image,diagnosis\nISIC_0000000,mel,x\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("m.csv:2") && Contains("expected 2 columns"));
    write_text(csv, "image,diagnosis\n,mel\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("m.csv:2, column 'image'") && Contains("blank image"));
    write_text(csv, "image,diagnosis,level\nISIC_0000000,mel,hard\n");
    manifest_options levels;
    levels.difficulty_column = "level";
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img", levels), Contains("m.csv:2, column 'level'") && Contains("'hard'"));
    write_text(csv, "image,diagnosis\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("m.csv") && Contains("no cases"));
    write_text(csv, "image,diagnosis,Image\nISIC_0000000,mel,x\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "img"), Contains("m.csv:1") && Contains("twice"));
    write_text(csv, "image,diagnosis\nISIC_0000000,mel\n");
    CHECK_THROWS_WITH(load_manifest(csv, dir / "nowhere"), Contains("nowhere") && Contains("not found"));
}

TEST_CASE("folder tree: folders named by diagnosis carry diagnoses", "[data][folder_tree]") {
    scratch_dir dir("dxtree");
    write_image(dir / "melanoma" / "a.png", 1);
    write_image(dir / "nevus" / "b.jpg", 2);
    write_image(dir / "bcc" / "c.jpg", 3);
    write_image(dir / "Basal Cell Carcinoma" / "d.jpg", 4);
    const auto d = load_folder_tree(dir.path());
    REQUIRE(d.size() == 4);
    CHECK(d.has_diagnoses());
    CHECK(d.class_names == std::vector<std::string>{"Basal Cell Carcinoma", "bcc", "melanoma", "nevus"});
    CHECK(d.labels() == std::vector<int>{0, 1, 2, 3});  // folder order, as for any tree
    CHECK(d[0].dx == diagnosis::basal_cell_carcinoma);
    CHECK(d[1].dx == diagnosis::basal_cell_carcinoma);
    CHECK(d[2].dx == diagnosis::melanoma);
    CHECK(d[3].dx == diagnosis::nevus);
    CHECK(relabel(d, lesion_task::bcc_melanoma_benign).labels() == std::vector<int>{0, 0, 1, 2});

    // One folder outside the map: a plain tree, labels by folder, no diagnoses.
    write_image(dir / "other" / "e.jpg", 5);
    const auto plain = load_folder_tree(dir.path());
    CHECK_FALSE(plain.has_diagnoses());
    CHECK(plain[0].dx == diagnosis::not_applicable);
    CHECK(plain.labels() == std::vector<int>{0, 1, 2, 3, 4});
    // ... unless the user's map knows it.
    auto m = diagnosis_map::defaults();
    m.set("other", diagnosis::miscellaneous);
    const auto mapped = load_folder_tree(dir.path(), m, "clinic");
    CHECK(mapped.has_diagnoses());
    CHECK(mapped[4].dx == diagnosis::miscellaneous);
    CHECK(mapped.name == "clinic");
}

namespace {
void write_isic2017_part(const std::filesystem::path& root, const char* folder, const char* ground_truth,
                         const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string text = "image_id,melanoma,seborrheic_keratosis\n";
    int seed = 0;
    for (const auto& [id, values] : rows) {
        write_image(root / folder / (id + ".jpg"), seed++);
        write_image(root / folder / (id + "_superpixels.png"), seed++);  // as the official zips hold them
        text += id + "," + values + "\n";
    }
    write_text(root / ground_truth, text);
}
}  // namespace

TEST_CASE("isic2017: the official training, validation and test layout", "[data][isic2017]") {
    scratch_dir dir("isic2017c");
    write_isic2017_part(dir.path(), isic2017_training_folder, isic2017_training_ground_truth,
                        {{"ISIC_0000000", "0.0,0.0"}, {"ISIC_0000001", "1.0,0.0"}, {"ISIC_0000002", "0.0,1.0"}});
    write_isic2017_part(dir.path(), isic2017_validation_folder, isic2017_validation_ground_truth,
                        {{"ISIC_0001769", "0.0,0.0"}, {"ISIC_0001852", "1.0,0.0"}});
    write_isic2017_part(dir.path(), isic2017_test_folder, isic2017_test_ground_truth,
                        {{"ISIC_0012086", "0.0,1.0"}, {"ISIC_0012092", "1.0,0.0"}});
    CHECK(std::string(isic2017_test_ground_truth) == "ISIC-2017_Test_v2_Part3_GroundTruth.csv");

    const auto split = load_isic2017_challenge(dir.path(), isic2017_validation::validation_split);
    REQUIRE(split.training.size() == 3);
    REQUIRE(split.validation.size() == 2);
    REQUIRE(split.test.size() == 2);
    CHECK(split.training.labels() == std::vector<int>{0, 1, 2});
    CHECK(split.validation[1].dx == diagnosis::melanoma);
    CHECK(split.test[0].dx == diagnosis::seborrheic_keratosis);
    CHECK(split.test[0].image.filename() == "ISIC_0012086.jpg");

    const auto merged = load_isic2017_challenge(dir.path());  // default: merged into training
    REQUIRE(merged.training.size() == 5);
    CHECK(merged.validation.size() == 0);
    CHECK(merged.training[3].id == "ISIC_0001769");
    CHECK(merged.training[3].manifest.filename() == isic2017_validation_ground_truth);
    CHECK(merged.training[3].manifest_line == 2);
    CHECK(merged.training.find("ISIC_0001852").value() == 4);
    CHECK(merged.test.size() == 2);

    // An id in two parts names both files and lines.
    write_isic2017_part(dir.path(), isic2017_test_folder, isic2017_test_ground_truth,
                        {{"ISIC_0012086", "0.0,1.0"}, {"ISIC_0001852", "1.0,0.0"}});
    CHECK_THROWS_AS(load_isic2017_challenge(dir.path()), io_error);
    CHECK_THROWS_WITH(load_isic2017_challenge(dir.path()),
                      Contains(std::string(isic2017_test_ground_truth) + ":3") &&
                          Contains(std::string(isic2017_validation_ground_truth) + ":3") && Contains("'ISIC_0001852'") &&
                          Contains("validation/test overlap"));
    write_isic2017_part(dir.path(), isic2017_test_folder, isic2017_test_ground_truth,
                        {{"ISIC_0000002", "0.0,1.0"}});
    CHECK_THROWS_WITH(load_isic2017_challenge(dir.path()),
                      Contains(std::string(isic2017_test_ground_truth) + ":2") &&
                          Contains(std::string(isic2017_training_ground_truth) + ":4") && Contains("training/test overlap"));
    std::filesystem::remove(dir / isic2017_validation_ground_truth);
    CHECK_THROWS_WITH(load_isic2017_challenge(dir.path()),
                      Contains(isic2017_validation_ground_truth) && Contains("not found"));
}
