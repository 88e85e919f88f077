// Issue 17: the reference code's own runs `ixj` (data/reference_runs.hpp), checked run for run
// against the reference's fold selection re-enacted in Python on the real fold files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data_test_files.hpp"

#include "dermtl/data/partitions.hpp"
#include "dermtl/data/reference_runs.hpp"

using namespace dermtl;
using namespace dermtl::data;

namespace {
std::vector<std::string> sorted_ids(const dataset& d, const std::vector<std::size_t>& indices) {
    std::vector<std::string> out;
    for (auto i : indices) out.push_back(d[i].id);
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

TEST_CASE("reference_runs: the reference's ten runs ixj on its fold files", "[data][reference][reference_runs][oracle]") {
    testing::scratch_dir dir("reference-runs");
    for (const char* protocol : {"protocol1", "protocol2", "protocol3"}) {
        CAPTURE(protocol);
        const auto yml = testing::fixture(std::string(protocol) + ".yml");
        const auto d = read_label_csv(testing::fixture(std::string(protocol) + ".csv"));
        const auto runs = read_fold_yaml(yml, d, fold_mapping::reference_runs);
        const auto answers_file = dir / (std::string(protocol) + ".json");
        testing::run_oracle("reference_runs.py", {yml.string(), answers_file.string()});
        nlohmann::json answers;
        std::ifstream(answers_file) >> answers;
        const auto& want = answers.at("runs");
        REQUIRE(runs.size() == 10);
        REQUIRE(want.size() == 10);
        const std::vector<std::string> names{"1x1", "1x2", "2x1", "2x2", "3x1", "3x2", "4x1", "4x2", "5x1", "5x2"};
        for (std::size_t k = 0; k < 10; ++k) {
            CAPTURE(k);
            CHECK(runs[k].name == names[k]);
            CHECK(want[k].at("name") == names[k]);
            CHECK(sorted_ids(d, runs[k].train) == want[k].at("train").get<std::vector<std::string>>());
            CHECK(sorted_ids(d, runs[k].test) == want[k].at("test").get<std::vector<std::string>>());
        }
        // The four duplicated pairs, in the oracle's and in analyze_partitions' words.
        const std::vector<std::pair<std::string, std::string>> same{{"1x2", "2x1"}, {"1x1", "2x2"}, {"3x2", "4x1"}, {"3x1", "4x2"}};
        CHECK(answers.at("same_split").get<std::vector<std::pair<std::string, std::string>>>() == same);
        const auto file_folds = read_fold_yaml(yml, d);
        CHECK(analyze_partitions(file_folds).reference.same_split == same);
        for (const auto& [a, b] : same) {
            const auto ia = std::size_t(std::find(names.begin(), names.end(), a) - names.begin());
            const auto ib = std::size_t(std::find(names.begin(), names.end(), b) - names.begin());
            CHECK(sorted_ids(d, runs[ia].train) == sorted_ids(d, runs[ib].train));
            CHECK(sorted_ids(d, runs[ia].test) == sorted_ids(d, runs[ib].test));
        }
        // Run i x 1 is Fold_i as written; the default mapping keeps the file's folds.
        for (std::size_t i = 0; i < 5; ++i) {
            CHECK(runs[2 * i].train == file_folds[i].train);
            CHECK(runs[2 * i + 1].train == file_folds[i].test);
        }
        CHECK(read_fold_yaml(yml, d, fold_mapping::folds).size() == 10);
        CHECK(read_fold_yaml(yml, d, fold_mapping::folds)[9].name == "Fold_10");
        // As a 5x2 design the runs are refused, and the analysis of the runs says why.
        const auto design = five_by_two_design_of(runs, &d);
        CHECK_FALSE(design.valid());
        CHECK_THAT(design.reason(), Catch::Contains("replication 2 (2x1, 2x2) repeats the partition of replication 1 "
                                                    "(1x1, 1x2)") &&
                                        Catch::Contains("replication 4 (4x1, 4x2) repeats the partition of replication 3 "
                                                        "(3x1, 3x2)"));
        CHECK_THAT(design.reason(), !Catch::Contains("replication 5"));
        CHECK(five_by_two_design_of(file_folds, &d).valid());
        const auto a = analyze_partitions(runs, &d);
        CHECK(a.distinct_partitions == 3);
        CHECK_FALSE(a.valid_5x2);
    }
}

TEST_CASE("reference_runs: fewer than five folds is a clear error", "[data][reference_runs]") {
    const auto d = read_label_csv(testing::fixture("protocol1.csv"));
    auto folds = read_fold_yaml(testing::fixture("protocol1.yml"), d);
    folds.resize(4);
    CHECK_THROWS_AS(reference_runs(folds), config_error);
    CHECK_THROWS_WITH(reference_runs(folds), Catch::Contains("data::reference_runs") &&
                                                 Catch::Contains("expected at least 5 folds") &&
                                                 Catch::Contains("found 4"));
    CHECK_THROWS_WITH(apply_fold_mapping({}, fold_mapping::reference_runs), Catch::Contains("found 0"));
    CHECK(apply_fold_mapping(folds, fold_mapping::folds).size() == 4);
    // Through the reader: the YAML file is named.
    testing::scratch_dir dir("reference-runs-few");
    testing::write_text(dir / "labels.csv", "image,level\na,0\nb,1\nc,0\nd,1\n");
    testing::write_text(dir / "folds.yml", "Fold_1:\n  - [a.tiff, b]\n  - [c.tiff, d]\n");
    const auto small = read_label_csv(dir / "labels.csv");
    CHECK_THROWS_WITH(read_fold_yaml(dir / "folds.yml", small, fold_mapping::reference_runs),
                      Catch::Contains("folds.yml") && Catch::Contains("expected at least 5 folds") &&
                          Catch::Contains("found 1"));
}
