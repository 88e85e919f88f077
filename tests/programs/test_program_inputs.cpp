// The programs' inputs: `inspect`'s summary (class counts overall and per fold, the ids without an
// image), the label file formats it takes, and the data and run options' errors, each naming the
// option or the file and what was expected.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "support/oracle.hpp"

#include "dermtl/data/folds.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "programs/datasets.hpp"
#include "programs/inspect.hpp"
#include "programs/option_checks.hpp"
#include "programs/study.hpp"

using namespace dermtl;

TEST_CASE("inspect: class counts overall and per fold, and the ids without an image", "[programs][inspect]") {
    testing::scratch_dir dir("programs-inspect");
    const auto fixtures = testing::tests_dir() / "data" / "fixtures";
    const data::dataset d = data::read_label_csv(fixtures / "protocol1.csv");
    const data::fold_set folds = data::read_fold_yaml(fixtures / "protocol1.yml", d);
    std::filesystem::create_directories(dir / "images");
    for (std::size_t i = 0; i + 1 < d.size(); ++i) std::ofstream(dir / "images" / (d[i].id + ".jpg")) << "x";
    const auto out = programs::inspect(d, &folds, dir.path() / "images");
    const auto counts = d.class_counts();
    INFO(out.text);
    CHECK_THAT(out.text, Catch::Contains(std::to_string(d.size()) + " (0 " + std::to_string(counts[0]) + ", 1 " +
                                         std::to_string(counts[1])));
    CHECK_THAT(out.text, Catch::Contains("10 folds"));
    CHECK_THAT(out.text, Catch::Contains("Fold_1: train " + std::to_string(folds[0].train.size())));
    REQUIRE(out.missing_images.size() == 1);
    CHECK(out.missing_images[0] == d.samples.back().id);
    CHECK_THAT(out.text, Catch::Contains("without one: " + d.samples.back().id));
}

// Issue 16: `dermtl inspect --labels` read only image,level and failed on the real ISIC 2016
// ground truth ("header has no column 'image'; found 'img_id,Label'").
TEST_CASE("inspect --labels: any known format, said which it was taken for", "[programs][inspect][label_format]") {
    testing::scratch_dir dir("programs-inspect-labels");
    const auto fixtures = testing::tests_dir() / "data" / "fixtures";
    const auto isic = programs::read_label_file(fixtures / "ISBI2016_ISIC_Part3_Training_GroundTruth.csv");
    CHECK(isic.format == data::label_format::isic2016);
    REQUIRE(isic.dataset);
    CHECK(isic.dataset->class_counts() == std::vector<std::size_t>{727, 173});
    CHECK_THAT(isic.text, Catch::Contains("ISBI2016_ISIC_Part3_Training_GroundTruth.csv': ISIC 2016 Part 3 ground truth"));
    CHECK_THAT(programs::inspect(*isic.dataset, nullptr).text, Catch::Contains("900 (benign 727, malignant 173)"));

    const auto reference = programs::read_label_file(fixtures / "protocol1.csv");
    CHECK(reference.format == data::label_format::reference);
    CHECK_THAT(reference.text, Catch::Contains("the reference implementation's label CSV (header image,level)"));
    const auto retina = programs::read_label_file(fixtures / "retina.csv");
    CHECK(retina.format == data::label_format::retinopathy);
    REQUIRE(retina.dataset);
    CHECK(retina.dataset->class_names[4] == "proliferative DR");

    std::ofstream(dir / "gt2017.csv") << "image_id,melanoma,seborrheic_keratosis\nISIC_0000000,0.0,0.0\nISIC_0000001,1.0,0.0\n";
    const auto isic2017 = programs::read_label_file(dir / "gt2017.csv");
    CHECK(isic2017.format == data::label_format::isic2017);
    REQUIRE(isic2017.dataset);
    CHECK(isic2017.dataset->class_counts() == std::vector<std::size_t>{1, 1, 0});

    std::filesystem::create_directories(dir / "meta");
    std::ofstream(dir / "meta" / "meta.csv")
        << "case_num,diagnosis,seven_point_score,pigment_network,streaks,pigmentation,regression_structures,"
           "dots_and_globules,blue_whitish_veil,vascular_structures,level_of_diagnostic_difficulty,elevation,location,"
           "sex,management,clinic,derm,case_id,notes\n"
           "1,basal cell carcinoma,4,absent,absent,absent,absent,absent,absent,arborizing,medium,nodular,abdomen,female,"
           "excision,NEL/Nel026.jpg,NEL/Nel025.jpg,,\n"
           "2,clark nevus,1,typical,absent,absent,absent,absent,absent,absent,low,flat,back,male,clinical follow up,"
           "NEL/Nel027.jpg,NEL/Nel028.jpg,,\n";
    const auto atlas = programs::read_label_file(dir / "meta" / "meta.csv");
    CHECK(atlas.format == data::label_format::derm7pt);
    REQUIRE(atlas.dataset);
    CHECK(atlas.dataset->size() == 2);

    std::ofstream(dir / "HAM10000_metadata.csv") << "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
                                                     "HAM_0000118,ISIC_0027419,bkl,histo,80.0,male,scalp\n"
                                                     "HAM_0000118,ISIC_0025030,bkl,histo,80.0,male,scalp\n"
                                                     "HAM_0001466,ISIC_0031633,mel,histo,75.0,male,ear\n";
    const auto ham = programs::read_label_file(dir / "HAM10000_metadata.csv");
    CHECK(ham.format == data::label_format::ham10000);
    CHECK(!ham.dataset);
    CHECK_THAT(ham.text, Catch::Contains("HAM10000-style manifest") && Catch::Contains("3 images of 2 lesions") &&
                             Catch::Contains("dx: bkl 2; mel 1;"));

    std::ofstream(dir / "other.csv") << "patient,score\np1,0.3\n";
    CHECK_THROWS_WITH(programs::read_label_file(dir / "other.csv"),
                      Catch::Contains("other.csv: not a label file dermtl knows") &&
                          Catch::Contains("HAM10000-style manifest"));
}

TEST_CASE("data options: clear errors for missing or wrong paths", "[programs][errors]") {
    testing::scratch_dir dir("programs-study");
    programs::data_paths p;
    programs::run_settings s;
    s.out = dir.path();
    CHECK_THROWS_WITH(programs::load_study(p, s, programs::atlas_dataset()),
                      Catch::Contains("--atlas") && Catch::Contains("--synthetic"));
    p.atlas = dir / "missing" / "meta.csv";
    CHECK_THROWS_WITH(programs::load_study(p, s, programs::atlas_dataset()),
                      Catch::Contains("--atlas") && Catch::Contains("missing/meta.csv"));
    // A file of another dataset: the Retinopathy labels given as the Atlas' metadata.
    p.atlas = testing::tests_dir() / "data" / "fixtures" / "protocol1.csv";
    CHECK_THROWS_WITH(programs::load_study(p, s, programs::atlas_dataset()), Catch::Contains("protocol1.csv"));
    CHECK_THROWS_WITH(programs::load_study({}, s, programs::isic2016_dataset()), Catch::Contains("--isic2016"));
    CHECK(programs::fold_repetitions("5x2") == 5);
    CHECK(programs::fold_repetitions("2") == 1);
    CHECK(programs::fold_repetitions("3x2") == 3);
    CHECK_THROWS_WITH(programs::fold_repetitions("10"), Catch::Contains("expected 5x2, 2 or Rx2"));
}

namespace {
// Parses `args` with the run options; returns CLI11's message ("" when accepted).
std::string parse_run_options(std::vector<std::string> args, programs::run_settings& s) {
    CLI::App app;
    programs::add_run_options(app, s);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    try {
        app.parse(reversed);
        return {};
    } catch (const CLI::ParseError& e) {
        return e.what();
    }
}
}  // namespace

TEST_CASE("run options: numbers are range-checked while parsing, naming the option", "[programs][options]") {
    using Catch::Contains;
    programs::run_settings s;
    CHECK(parse_run_options({"--epochs", "-3"}, s) == "--epochs: expected a whole number from 1 to 10000, found '-3' (negative)");
    CHECK(s.epochs == 60);  // untouched, not 2^64-3
    for (const auto& [option, bad] : std::vector<std::pair<std::string, std::string>>{
             {"--epochs", "0"}, {"--epochs", "10001"}, {"--epochs", "+5"}, {"--epochs", "0x10"}, {"--epochs", "1e3"},
             {"--epochs", "99999999999999999999999"}, {"--batch-size", "0"}, {"--batch-size", "4097"},
             {"--lr", "0"}, {"--lr", "10.5"}, {"--lr", "nan"}, {"--lr", "-inf"}, {"--lr", ""}, {"--momentum", "1"},
             {"--momentum", "-0.01"}, {"--l2", "1"}, {"--seed", "-1"}, {"--seed", "18446744073709551616"},
             {"--max-folds", "-1"}, {"--folds", "0x2"}, {"--folds", "1001x2"}, {"--folds", "5x3"}}) {
        INFO(option << " " << bad);
        CHECK_THAT(parse_run_options({option, bad}, s), Contains(option + ": expected"));
    }
    // Accepted values arrive as written, in decimal (CLI11 alone would read "010" as octal 8).
    REQUIRE(parse_run_options({"--epochs", "010", "--batch-size", "4096", "--lr", "10", "--momentum", "0",
                               "--l2", "0.999", "--seed", "18446744073709551615", "--max-folds", "0", "--folds", "1000x2"},
                              s) == "");
    CHECK(s.epochs == 10);
    CHECK(s.batch_size == 4096);
    CHECK(s.learning_rate == 10.0f);
    CHECK(s.seed == 18446744073709551615ull);
    CHECK(programs::fold_repetitions(s.folds) == 1000);
    // A long argument is cut in the message.
    const std::string message = parse_run_options({"--lr", std::string(100000, '7') + "x"}, s);
    CHECK_THAT(message, Contains("--lr: expected") && Contains("(100001 characters)"));
    CHECK(message.size() < 200);
}
