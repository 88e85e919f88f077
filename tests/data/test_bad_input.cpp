#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "data_test_files.hpp"
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "dermtl/io/image_files.hpp"
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

// Issue 13, item 5: label, fold and metadata files. Each case writes the bad file here and checks
// the exception type and that the message names the file (and line or field where one applies).

namespace {
// A scratch file with bytes that write_text's std::string would also carry, NULs included.
void write_bytes(const std::filesystem::path& p, std::string_view bytes) { write_text(p, std::string(bytes)); }

// UTF-16 little-endian of an ASCII text, with or without the byte-order mark.
std::string utf16le(const std::string& ascii, bool bom) {
    std::string out = bom ? std::string("\xFF\xFE", 2) : std::string();
    for (char c : ascii) out += c, out += '\0';
    return out;
}

const char* const short_meta_header = "diagnosis,level_of_diagnostic_difficulty,location,derm\n";
}  // namespace

TEST_CASE("bad input: a headerless ISIC 2016 file whose first row has a typo", "[data][bad_input][header]") {
    scratch_dir dir("bad");
    write_text(dir / "gt.csv", "ISIC_0000000,beningn\nISIC_0000001,malignant\nISIC_0000002,benign\n");
    CHECK_THROWS_AS(load_isic2016(dir / "gt.csv"), io_error);
    CHECK_THROWS_WITH(load_isic2016(dir / "gt.csv"), Contains("gt.csv:1") && Contains("'beningn'"));
    // A real header still is one, with or without the numeric variant's values.
    write_text(dir / "h.csv", "image_id,label\nISIC_0000000,benign\nISIC_0000001,1.0\n");
    const auto d = load_isic2016(dir / "h.csv");
    CHECK(d.size() == 2);
    CHECK(d[0].manifest_line == 2);
    // A first row with a typo in a 0/1 file is a data row too.
    write_text(dir / "t.csv", "ISIC_0000003,O.0\nISIC_0000004,1.0\n");
    CHECK_THROWS_WITH(load_isic2016(dir / "t.csv"), Contains("t.csv:1") && Contains("'O.0'"));
}

TEST_CASE("bad input: a column named twice", "[data][bad_input][columns]") {
    scratch_dir dir("bad");
    atlas_options metadata_only;
    metadata_only.resolve_images = false;
    write_text(dir / "meta" / "meta.csv", "diagnosis,level_of_diagnostic_difficulty,location,derm,Diagnosis\n"
                                          "melanoma,low,back,a.jpg,clark nevus\n");
    CHECK_THROWS_AS(load_atlas(dir / "meta" / "meta.csv", metadata_only), io_error);
    CHECK_THROWS_WITH(load_atlas(dir / "meta" / "meta.csv", metadata_only),
                      Contains("meta.csv:1") && Contains("'diagnosis' twice") && Contains("columns 1 and 5"));
    write_text(dir / "labels.csv", "image,level,level\na,0,1\n");
    CHECK_THROWS_WITH(read_label_csv(dir / "labels.csv"), Contains("labels.csv:1") && Contains("'level' twice"));
}

TEST_CASE("bad input: a label far beyond the number of classes", "[data][bad_input][labels]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na,0\nb,1\nc,1000000\n");
    CHECK_THROWS_AS(read_label_csv(dir / "labels.csv"), io_error);
    CHECK_THROWS_WITH(read_label_csv(dir / "labels.csv"),
                      Contains("labels.csv:4") && Contains("1000000") && Contains("[0, 999]"));
    write_text(dir / "neg.csv", "image,level\na,0\nb,-1\n");
    CHECK_THROWS_WITH(read_label_csv(dir / "neg.csv"), Contains("neg.csv:3") && Contains("-1 out of range"));
    // The largest inferred task still loads.
    write_text(dir / "big.csv", "image,level\na,0\nb,999\n");
    CHECK(read_label_csv(dir / "big.csv").num_classes() == 1000);
}

TEST_CASE("bad input: a file that yields no cases", "[data][bad_input][empty]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\n");
    CHECK_THROWS_AS(read_label_csv(dir / "labels.csv"), io_error);
    CHECK_THROWS_WITH(read_label_csv(dir / "labels.csv"), Contains("labels.csv") && Contains("no cases"));
    write_text(dir / "trainLabels.csv", "image,level\n\n");
    CHECK_THROWS_WITH(load_retinopathy(dir / "trainLabels.csv"), Contains("trainLabels.csv") && Contains("no cases"));
    write_text(dir / "gt.csv", "img_id,Label\n");
    CHECK_THROWS_WITH(load_isic2016(dir / "gt.csv"), Contains("gt.csv") && Contains("no cases"));
    write_text(dir / "gt17.csv", "image_id,melanoma,seborrheic_keratosis\n");
    CHECK_THROWS_WITH(load_isic2017(dir / "gt17.csv"), Contains("gt17.csv") && Contains("no cases"));
    atlas_options metadata_only;
    metadata_only.resolve_images = false;
    write_text(dir / "meta" / "meta.csv", std::string(short_meta_header) + "melanoma,low,acral,a.jpg\nclark nevus,low,acral,b.jpg\n");
    CHECK_THROWS_WITH(load_atlas(dir / "meta" / "meta.csv", metadata_only),
                      Contains("meta.csv") && Contains("no cases") && Contains("2 acral"));
    write_text(dir / "meta" / "meta.csv", short_meta_header);
    CHECK_THROWS_WITH(load_atlas(dir / "meta" / "meta.csv", metadata_only), Contains("meta.csv") && Contains("no cases"));
}

TEST_CASE("bad input: empty and one-class folds are rejected when loaded", "[data][bad_input][folds]") {
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na1,0\na2,1\na3,0\na4,1\n");
    const auto d = read_label_csv(dir / "labels.csv");
    write_text(dir / "empty.yml", "Fold_1:\n  - [a1, a2]\n  - [a3, a4]\nFold_2:\n  - []\n  - []\n");
    CHECK_THROWS_AS(read_fold_yaml(dir / "empty.yml", d), io_error);
    CHECK_THROWS_WITH(read_fold_yaml(dir / "empty.yml", d),
                      Contains("empty.yml:5") && Contains("Fold_2 train lists no images"));
    write_text(dir / "one.yml", "Fold_1:\n  - [a1, a3]\n  - [a2, a4]\n");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "one.yml", d),
                      Contains("one.yml") && Contains("Fold_1 train holds one class only (0, 2 images)"));
    write_text(dir / "test1.yml", "Fold_1:\n  - [a1, a2, a3]\n  - [a4]\n");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "test1.yml", d), Contains("test1.yml") && Contains("Fold_1 test holds one class"));
    CHECK_THROWS_WITH(check_fold(fold{"Fold_9", {0, 1}, {}}, d, "mine"), Contains("mine") && Contains("Fold_9 test lists no images"));
    write_text(dir / "twice.yml", "Fold_1:\n  - [a1, a2]\n  - [a3, a4]\nFold_1:\n  - [a3, a4]\n  - [a1, a2]\n");
    CHECK_THROWS_AS(read_fold_yaml(dir / "twice.yml", d), io_error);
    // A one-class dataset cannot be split into usable folds either.
    write_text(dir / "all0.csv", "image,level\na1,0\na2,0\na3,0\na4,0\n");
    label_csv_options two;
    two.num_classes = 2;
    CHECK_THROWS_WITH(make_5x2_folds(read_label_csv(dir / "all0.csv", two), 1), Contains("make_5x2_folds") &&
                                                                                    Contains("one class"));
}

TEST_CASE("bad input: ISIC 2016 training and test sharing an id", "[data][bad_input][overlap]") {
    scratch_dir dir("bad");
    write_image(dir / isic2016_training_folder / "ISIC_0000000.jpg", 0);
    write_image(dir / isic2016_training_folder / "ISIC_0000001.jpg", 1);
    write_image(dir / isic2016_test_folder / "ISIC_0000001.jpg", 1);
    write_image(dir / isic2016_test_folder / "ISIC_0000002.jpg", 2);
    write_text(dir / isic2016_training_ground_truth, "ISIC_0000000,benign\nISIC_0000001,malignant\n");
    write_text(dir / isic2016_test_ground_truth, "ISIC_0000002,0.0\nISIC_0000001,1.0\n");
    CHECK_THROWS_AS(load_isic2016_challenge(dir.path()), io_error);
    CHECK_THROWS_WITH(load_isic2016_challenge(dir.path()),
                      Contains(std::string(isic2016_test_ground_truth) + ":2") &&
                          Contains(std::string(isic2016_training_ground_truth) + ":2") && Contains("'ISIC_0000001'") &&
                          Contains("overlap"));
}

TEST_CASE("bad input: CR-only line ends are line ends", "[data][bad_input][encoding]") {
    scratch_dir dir("bad");
    write_text(dir / "mac.csv", "image,level\ra1,0\ra2,1\ra3,0\r");
    const auto d = read_label_csv(dir / "mac.csv");
    REQUIRE(d.size() == 3);
    CHECK(d[2].id == "a3");
    CHECK(d[2].manifest_line == 4);
    write_text(dir / "bad.csv", "image,level\ra1,0\ra2,x\r");
    CHECK_THROWS_WITH(read_label_csv(dir / "bad.csv"), Contains("bad.csv:3") && Contains("'x'"));
    write_text(dir / "gt.csv", "ISIC_0000000,benign\rISIC_0000001,malignant\r\nISIC_0000002,benign");
    CHECK(load_isic2016(dir / "gt.csv").size() == 3);
    write_text(dir / "folds.yml", "Fold_1:\r  - [a1, a2]\r  - [a3, zz]\r");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "folds.yml", d), Contains("folds.yml:3") && Contains("'zz'"));
}

TEST_CASE("bad input: UTF-16 and binary files are named", "[data][bad_input][encoding]") {
    scratch_dir dir("bad");
    write_bytes(dir / "bom.csv", utf16le("image,level\r\na,0\r\n", true));
    CHECK_THROWS_AS(read_label_csv(dir / "bom.csv"), io_error);
    CHECK_THROWS_WITH(read_label_csv(dir / "bom.csv"), Contains("bom.csv") && Contains("UTF-16") && Contains("UTF-8"));
    write_bytes(dir / "be.csv", std::string("\xFE\xFF\0i\0m", 6));
    CHECK_THROWS_WITH(load_isic2016(dir / "be.csv"), Contains("be.csv") && Contains("UTF-16"));
    write_bytes(dir / "nobom.csv", utf16le("ISIC_0000000,benign\n", false));
    CHECK_THROWS_WITH(load_isic2016(dir / "nobom.csv"), Contains("nobom.csv") && Contains("UTF-16"));
    write_bytes(dir / "folds.yml", utf16le("Fold_1:\n  - [a]\n  - [b]\n", true));
    write_text(dir / "labels.csv", "image,level\na,0\nb,1\n");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "folds.yml", read_label_csv(dir / "labels.csv")),
                      Contains("folds.yml") && Contains("UTF-16"));
    std::string binary = "image,level\na,0\n";
    binary += std::string(1, '\0') + std::string(200, 'x');
    write_bytes(dir / "bin.csv", binary);
    CHECK_THROWS_WITH(read_label_csv(dir / "bin.csv"), Contains("bin.csv") && Contains("NUL byte at offset 16"));
}

TEST_CASE("bad input: a long value is cut in the message", "[data][bad_input][long]") {
    scratch_dir dir("bad");
    const std::string huge(2'000'000, 'q');
    write_text(dir / "labels.csv", "image,level\na," + huge + "\n");
    try {
        read_label_csv(dir / "labels.csv");
        FAIL("expected an io_error");
    } catch (const io_error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("labels.csv:2") && Contains("...' (2000000 characters)"));
        CHECK(m.size() < 400);
    }
    write_text(dir / "gt.csv", "ISIC_0000000,benign\n" + huge + ",benign,x\n");
    try {
        load_isic2016(dir / "gt.csv");
        FAIL("expected an io_error");
    } catch (const io_error& e) {
        CHECK_THAT(std::string(e.what()), Contains("gt.csv:2") && Contains("characters)"));
        CHECK(std::string(e.what()).size() < 400);
    }
    write_text(dir / "meta" / "meta.csv", std::string(short_meta_header) + huge + ",low,back,a.jpg\n");
    atlas_options metadata_only;
    metadata_only.resolve_images = false;
    try {
        load_atlas(dir / "meta" / "meta.csv", metadata_only);
        FAIL("expected an io_error");
    } catch (const io_error& e) {
        CHECK_THAT(std::string(e.what()), Contains("meta.csv:2") && Contains("unknown diagnosis"));
        CHECK(std::string(e.what()).size() < 1000);  // the vocabulary is listed, the value is cut
    }
}

TEST_CASE("bad input: library errors name the file", "[data][bad_input][context]") {
    namespace fs = std::filesystem;
    scratch_dir dir("bad");
    write_text(dir / "labels.csv", "image,level\na1,0\na2,1\na3,0\na4,1\n");
    const auto d = read_label_csv(dir / "labels.csv");
    // yaml-cpp's "bad conversion": a list where an id belongs, a map as a key.
    write_text(dir / "nested.yml", "Fold_1:\n  - [a1, [a2, a3]]\n  - [a4]\n");
    CHECK_THROWS_AS(read_fold_yaml(dir / "nested.yml", d), io_error);
    CHECK_THROWS_WITH(read_fold_yaml(dir / "nested.yml", d),
                      Contains("nested.yml:2") && Contains("Fold_1 train id") && Contains("found a list"));
    write_text(dir / "mapkey.yml", "? {a: 1}\n: [[a1], [a2]]\n");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "mapkey.yml", d), Contains("mapkey.yml:1") && Contains("fold key"));
    // A folder given as a file (std::basic_filebuf::underflow), a symbolic-link loop.
    fs::create_directories(dir / "folder.csv");
    CHECK_THROWS_AS(read_label_csv(dir / "folder.csv"), io_error);
    CHECK_THROWS_WITH(read_label_csv(dir / "folder.csv"), Contains("folder.csv") && Contains("is a folder"));
    CHECK_THROWS_WITH(read_fold_yaml(dir / "folder.csv", d), Contains("folder.csv") && Contains("is a folder"));
    fs::create_symlink(dir / "loop_b.csv", dir / "loop_a.csv");
    fs::create_symlink(dir / "loop_a.csv", dir / "loop_b.csv");
    CHECK_THROWS_AS(read_label_csv(dir / "loop_a.csv"), io_error);
    CHECK_THROWS_WITH(read_label_csv(dir / "loop_a.csv"), Contains("loop_a.csv") && Contains("symbolic links"));
}

TEST_CASE("bad input: a symbolic-link loop in an image folder is skipped unless referenced", "[data][bad_input][context]") {
    namespace fs = std::filesystem;
    scratch_dir dir("bad");
    write_image(dir / "img" / "ISIC_0000000.jpg", 0);
    write_image(dir / "img" / "ISIC_0000001.jpg", 1);
    write_image(dir / "img" / "sub" / "ISIC_0000002.jpg", 2);
    fs::create_symlink(dir / "img" / "ISIC_0000008.jpg", dir / "img" / "ISIC_0000009.jpg");
    fs::create_symlink(dir / "img" / "ISIC_0000009.jpg", dir / "img" / "ISIC_0000008.jpg");
    fs::create_symlink(dir / "img" / "sub" / "gone.jpg", dir / "img" / "sub" / "dangling.jpg");
    fs::create_symlink(dir / "img", dir / "img" / "sub" / "back");  // a folder link back up
    write_text(dir / "gt.csv", "ISIC_0000000,benign\nISIC_0000001,malignant\n");
    const io::image_index index(dir / "img", true);
    CHECK(index.find("ISIC_0000000"));
    CHECK(index.find("ISIC_0000002"));
    CHECK_FALSE(index.find("ISIC_0000009"));
    CHECK_FALSE(index.find("dangling"));
    CHECK(load_isic2016(dir / "gt.csv", dir / "img").size() == 2);
    write_text(dir / "gt2.csv", "ISIC_0000000,benign\nISIC_0000009,malignant\n");
    CHECK_THROWS_WITH(load_isic2016(dir / "gt2.csv", dir / "img"),
                      Contains("gt2.csv:2") && Contains("'ISIC_0000009'") && Contains("no image file"));
    // The folder-per-class tree skips them too.
    write_image(dir / "tree" / "benign" / "b1.png", 2);
    write_image(dir / "tree" / "malignant" / "m1.png", 3);
    fs::create_symlink(dir / "tree" / "malignant" / "l2.png", dir / "tree" / "malignant" / "l1.png");
    fs::create_symlink(dir / "tree" / "malignant" / "l1.png", dir / "tree" / "malignant" / "l2.png");
    fs::create_symlink(dir / "tree" / "loopdir2", dir / "tree" / "loopdir1");
    fs::create_symlink(dir / "tree" / "loopdir1", dir / "tree" / "loopdir2");
    const auto tree = load_folder_tree(dir / "tree");
    CHECK(tree.size() == 2);
    CHECK(tree.num_classes() == 2);
}
