// Issue 25: stored files validated when they are read. Fold results (results_store::load,
// fold_result_from_json): every bad file is refused with a message naming the file and what is
// wrong. The content-hash cache: a damaged one is dropped with a warning naming it, and the hashes
// it held are computed again from the files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "dermtl/core/log.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/results.hpp"
#include "support/files.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
namespace fs = std::filesystem;

namespace {

// A valid two-class fold result of three samples.
protocol::fold_result two_class_fold() {
    protocol::fold_result r;
    r.fold = "Fold_1";
    r.ids = {"a", "b", "c"};
    r.predictions.labels = {0, 1, 1};
    r.predictions.scores.resize(3, 1);
    r.predictions.scores << -0.5, 0.25, 2.0;
    r.predictions.strata = {1, 2, 3};
    r.confidences = {0.2, 0.6, 0.9};
    r.auc = 1.0;
    r.chosen_c = 0.01;
    r.best_epoch = 2;
    r.seconds = 1.5;
    r.config = {{"seed", 1}};
    return r;
}

using testing::message_of;
using testing::write_text;

}  // namespace

TEST_CASE("a valid fold result reads back as it was written", "[protocol][results][stored_files]") {
    testing::scratch_dir dir("stored-ok");
    const protocol::results_store store(dir.path());
    const auto r = two_class_fold();
    store.save(r);
    const auto back = store.load("Fold_1");
    REQUIRE(back);
    CHECK(back->ids == r.ids);
    CHECK(back->predictions.labels == r.predictions.labels);
    CHECK(back->predictions.scores == r.predictions.scores);
    CHECK(back->predictions.strata == r.predictions.strata);
    CHECK(back->confidences == r.confidences);
    CHECK(!store.load("Fold_2"));
    // Three classes: one score column per class, labels 0..2, no confidences.
    auto three = r;
    three.fold = "Fold_2";
    three.predictions.labels = {0, 2, 1};
    three.predictions.scores = metrics::score_matrix::Identity(3, 3);
    three.confidences.clear();
    store.save(three);
    REQUIRE(store.load("Fold_2"));
    CHECK(store.load("Fold_2")->predictions.scores.cols() == 3);
}

TEST_CASE("a fold result that is not a valid one is refused, naming the file and the problem",
          "[protocol][results][stored_files][bad_input]") {
    testing::scratch_dir dir("stored-bad");
    const protocol::results_store store(dir.path());
    const fs::path file = dir / "Fold_1.json";
    const nlohmann::json good = protocol::to_json(two_class_fold());
    // Each case: how the good JSON is damaged, and what the message must say.
    struct damaged {
        std::string name;
        std::function<void(nlohmann::json&)> edit;
        std::string problem;
    };
    const std::vector<damaged> cases{
        {"an array", [](nlohmann::json& j) { j = nlohmann::json::array({1, 2}); }, "found an array of 2"},
        {"a missing field", [](nlohmann::json& j) { j.erase("strata"); }, "expected the field 'strata'"},
        {"null for a score", [](nlohmann::json& j) { j["scores"][1][0] = nullptr; }, "'scores' [1] [0]: expected a number, found null"},
        {"a string for a score", [](nlohmann::json& j) { j["scores"][2][0] = "0.5"; }, "'scores' [2] [0]: expected a number"},
        {"ragged score rows", [](nlohmann::json& j) { j["scores"][1] = {0.1, 0.2}; }, "'scores' [1]: expected 1 score(s)"},
        {"a score row missing", [](nlohmann::json& j) { j["scores"].erase(2); }, "'scores': expected 3 (one per id), found 2"},
        {"a label beyond the classes", [](nlohmann::json& j) { j["labels"][1] = 2; }, "'labels' [1] (2 classes"},
        {"a fractional label", [](nlohmann::json& j) { j["labels"][0] = 0.5; }, "'labels' [0] (2 classes, as its scores have 1 column(s)): expected an integer in [0, 1], found the number 0.5"},
        {"labels of another length", [](nlohmann::json& j) { j["labels"].push_back(0); }, "'labels': expected 3 (one per id), found 4"},
        {"a stratum out of range", [](nlohmann::json& j) { j["strata"][2] = 7; }, "'strata' [2] (a difficulty level): expected an integer in [0, 3], found 7"},
        {"a negative stratum", [](nlohmann::json& j) { j["strata"][0] = -1; }, "'strata' [0]"},
        {"strata of another length", [](nlohmann::json& j) { j["strata"].erase(0); }, "'strata': expected none or 3 (one per id), found 2"},
        {"a confidence above 1", [](nlohmann::json& j) { j["confidences"][1] = 1.5; }, "'confidences' [1]: expected a finite number in [0, 1], found 1.5"},
        {"a null confidence", [](nlohmann::json& j) { j["confidences"][0] = nullptr; }, "'confidences' [0]: expected a number, found null"},
        {"confidences of another length", [](nlohmann::json& j) { j["confidences"].erase(0); }, "'confidences': expected none or 3"},
        {"confidences for three classes",
         [](nlohmann::json& j) { j["scores"] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}; },
         "'confidences': expected none for 3 classes, found 3"},
        {"an AUC above 1", [](nlohmann::json& j) { j["auc"] = 1.25; }, "'auc': expected a finite number in [0, 1], found 1.25"},
        {"a null AUC", [](nlohmann::json& j) { j["auc"] = nullptr; }, "'auc': expected a number, found null"},
        {"a negative C", [](nlohmann::json& j) { j["chosen_c"] = -1; }, "'chosen_c'"},
        {"no sample", [](nlohmann::json& j) { j["ids"] = nlohmann::json::array(); }, "'ids': expected at least one test sample"},
        {"an id that is a number", [](nlohmann::json& j) { j["ids"][1] = 7; }, "'ids' [1]: expected a sample id, found the number 7"},
        {"a config that is not an object", [](nlohmann::json& j) { j["config"] = "x"; }, "'config': expected an object"},
        {"another fold's result", [](nlohmann::json& j) { j["fold"] = "Fold_2"; }, "expected the result of Fold_1 (its file name), found one of 'Fold_2'"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        nlohmann::json j = good;
        c.edit(j);
        write_text(file, j.dump());
        const auto msg = message_of([&] { (void)store.load("Fold_1"); });
        CHECK_THAT(msg, Catch::Contains(file.string()) && Catch::Contains(c.problem));
        CHECK_THROWS_AS(store.load("Fold_1"), io_error);
    }
    SECTION("an infinite number (JSON 1e999) where a finite one belongs") {
        std::string text = good.dump();
        const auto at = text.find("\"auc\":1.0");
        REQUIRE(at != std::string::npos);
        text.replace(at, 9, "\"auc\":1e999");
        write_text(file, text);
        CHECK_THAT(message_of([&] { (void)store.load("Fold_1"); }),
                   Catch::Contains(file.string()) && Catch::Contains("1e999"));
    }
    SECTION("text that is not JSON") {
        write_text(file, R"({"fold": "Fold_1", "format": 2, )");
        CHECK_THAT(message_of([&] { (void)store.load("Fold_1"); }),
                   Catch::Contains(file.string()) && Catch::Contains("is not a fold result"));
    }
    SECTION("a folder of a fold result's name") {
        fs::remove(file);
        fs::create_directories(file);
        CHECK_THAT(message_of([&] { (void)store.load("Fold_1"); }),
                   Catch::Contains(file.string()) && Catch::Contains("found a folder"));
    }
}

TEST_CASE("a damaged content-hash cache is dropped with a warning naming it, and the hashes recomputed",
          "[protocol][fingerprint][stored_files][bad_input]") {
    testing::scratch_dir dir("stored-hashes");
    const fs::path image = dir / "image.bin";
    write_text(image, "the bytes of an image");
    const std::string truth = protocol::content_hashes().of(image);  // no cache: hashed from the bytes
    const fs::path cache = dir / "content-hashes.json";
    {
        protocol::content_hashes h(cache);
        CHECK(h.of(image) == truth);
        h.save();
    }
    const nlohmann::json saved = nlohmann::json::parse(std::ifstream(cache));
    REQUIRE(saved.at("hashes").size() == 1);
    const std::string key = saved.at("hashes").begin().key();
    // A valid cache is read without a word, and used.
    {
        std::ostringstream log;
        const log::scoped_sink sink(log);
        protocol::content_hashes h(cache);
        CHECK(h.of(image) == truth);
        CHECK(log.str().empty());
    }
    struct damaged {
        std::string name, text, problem;
    };
    nlohmann::json tampered = saved;
    tampered["hashes"][key] = "0123456789abcdef";  // a well-formed hash that is not the file's
    nlohmann::json bad_hex = saved;
    bad_hex["hashes"][key] = "not a hash";
    nlohmann::json bad_key = saved;
    bad_key["hashes"]["relative/path"] = truth;
    nlohmann::json legacy_bad = nlohmann::json::object({{key, 42}});
    const std::vector<damaged> cases{
        {"not JSON", "{\"format\": ", "parse error"},
        {"an array", "[1, 2]", "expected a JSON object"},
        {"a tampered hash", tampered.dump(), "is not that of its entries"},
        {"a hash that is not hex", bad_hex.dump(), "expected 16 hex digits"},
        {"a key of the wrong form", bad_key.dump(), "expected '<absolute path>|<size>|<mtime>'"},
        {"an old-format entry that is not a hash", legacy_bad.dump(), "expected 16 hex digits, found 42"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        write_text(cache, c.text);
        std::ostringstream log;
        const log::scoped_sink sink(log);
        protocol::content_hashes h(cache);
        CHECK_THAT(log.str(), Catch::Contains("warning") && Catch::Contains(cache.string()) && Catch::Contains(c.problem));
        CHECK(h.of(image) == truth);  // never the damaged cache's value
        h.save();                     // rewritten whole
        std::ostringstream quiet;
        const log::scoped_sink again(quiet);
        protocol::content_hashes reread(cache);
        CHECK(quiet.str().empty());
        CHECK(reread.of(image) == truth);
    }
    // A cache written before the checksum existed (the hashes alone) is still read when it is valid.
    write_text(cache, nlohmann::json::object({{key, truth}}).dump());
    std::ostringstream log;
    const log::scoped_sink sink(log);
    CHECK(protocol::content_hashes(cache).of(image) == truth);
    CHECK(log.str().empty());
}
