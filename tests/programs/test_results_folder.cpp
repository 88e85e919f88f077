// Issue 25: what the tool reads back from a run folder is validated as it is read. A results
// folder (programs::load_results): a file named like a fold result that is not a valid one, a cell
// stored twice, a fold whose classes are not its cell's, or one the metrics refuse, is refused
// naming the file (both folders for a duplicate); everything else is listed as ignored.
// OUT/slurm/submission.json (print_slurm_status): every field checked, the file and field named.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "dermtl/core/log.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "programs/slurm.hpp"
#include "programs/tables.hpp"
#include "support/files.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
namespace fs = std::filesystem;

namespace {

protocol::cell_id make_cell(const std::string& labeling) {
    protocol::cell_id id;
    id.model = {"vgg_m_64_8", "VGG-M (scaled)"};
    id.backend = {"cpu", "CPU"};
    id.transfer = {"imagenet", "From ImageNet"};
    id.finetune = {"finetune", "with FT"};
    id.labeling = {labeling, labeling};
    return id;
}

// A two-class fold of eight samples whose stored AUC is its scores' (metrics::fold_auc).
protocol::fold_result fold_of(const protocol::cell_id& id, const std::string& name, double shift) {
    protocol::fold_result r;
    r.fold = name;
    r.predictions.scores.resize(8, 1);
    for (int i = 0; i < 8; ++i) {
        r.ids.push_back(name + "_" + std::to_string(i));
        r.predictions.labels.push_back(i % 2);
        r.predictions.strata.push_back(1 + i % 3);
        r.predictions.scores(i, 0) = (i % 2) * 1.0 + shift * ((i * 5) % 7) / 7.0;
        r.confidences.push_back(0.5);
    }
    r.auc = metrics::fold_auc(r.predictions);
    r.chosen_c = 1;
    r.config = {{"cell", id}};
    return r;
}

void store_cell(const fs::path& folder, const protocol::cell_id& id, const std::vector<std::string>& folds) {
    const protocol::results_store store(folder);
    double shift = 0.5;
    for (const auto& f : folds) store.save(fold_of(id, f, shift += 0.4));
}

using testing::message_of;
using testing::write_text;

}  // namespace

TEST_CASE("load_results reads the store's fold names and lists everything else as ignored",
          "[programs][results][stored_files]") {
    testing::scratch_dir dir("results-folder");
    const fs::path results = dir / "results";
    const auto mal = make_cell("malignant_vs_benign"), mel = make_cell("melanoma_vs_benign");
    store_cell(results / protocol::folder_name(mal), mal, {"Fold_1", "Fold_2", "Fold_10"});
    store_cell(results / protocol::folder_name(mel), mel, {"1x1", "1x2"});
    store_cell(results / "isic", make_cell("isic_binary"), {"official_split"});
    const fs::path mal_folder = results / protocol::folder_name(mal);
    write_text(mal_folder / "notes.json", R"({"note": "rerun with more epochs"})");
    write_text(mal_folder / "list.json", "[1, 2, 3]");
    write_text(mal_folder / "Fold_3.json.tmp.4242.0", "{");
    write_text(results / "README.txt", "my results");
    fs::create_directories(results / "empty-cell");

    const auto stored = programs::read_results_folder(results);
    REQUIRE(stored.results.size() == 3);
    const auto& m = stored.results[0].id == mal ? stored.results[0] : stored.results[1];
    REQUIRE(m.folds.size() == 3);
    CHECK(m.folds[2].fold == "Fold_10");  // fold order, not name order
    auto ignored = [&](const fs::path& p) {
        for (const auto& i : stored.ignored)
            if (i.path == p) return i.why;
        return std::string("(not listed)");
    };
    CHECK_THAT(ignored(mal_folder / "notes.json"), Catch::Contains("not named like a fold result"));
    CHECK_THAT(ignored(mal_folder / "list.json"), Catch::Contains("not named like a fold result"));
    CHECK_THAT(ignored(mal_folder / "Fold_3.json.tmp.4242.0"), Catch::Contains("temporary file"));
    CHECK_THAT(ignored(results / "README.txt"), Catch::Contains("not a cell's folder"));
    CHECK_THAT(ignored(results / "empty-cell"), Catch::Contains("holds no fold result"));
    CHECK(stored.ignored.size() == 5);

    // load_results says so, one line each.
    std::ostringstream log;
    {
        const log::scoped_sink sink(log);
        CHECK(programs::load_results(results).size() == 3);
    }
    CHECK_THAT(log.str(), Catch::Contains("ignored '" + (mal_folder / "notes.json").string() + "'") &&
                              Catch::Contains("ignored '" + (results / "README.txt").string() + "'"));
}

TEST_CASE("a file named like a fold result that is not a valid one is refused, naming it",
          "[programs][results][stored_files][bad_input]") {
    testing::scratch_dir dir("results-folder-bad");
    const fs::path results = dir / "results";
    const auto mal = make_cell("malignant_vs_benign");
    const fs::path folder = results / protocol::folder_name(mal);
    store_cell(folder, mal, {"Fold_1", "Fold_2"});
    const auto good = programs::load_results(results);
    REQUIRE(good.size() == 1);
    REQUIRE(good[0].folds.size() == 2);

    const nlohmann::json fold2 = protocol::to_json(fold_of(mal, "Fold_2", 0.9));
    auto refused = [&](const std::string& name, const std::string& text, const std::string& problem) {
        INFO(name);
        const fs::path file = folder / name;
        write_text(file, text);
        const auto msg = message_of([&] { (void)programs::load_results(results); });
        CHECK_THAT(msg, Catch::Contains(file.string()) && Catch::Contains(problem));
        fs::remove(file);
    };
    // Today's silent skip: a JSON array or a folder under a fold's name.
    refused("Fold_3.json", "[1, 2, 3]", "found an array of 3");
    refused("Fold_3.json", "{\"note\": 1}", "incompatible dermtl version");
    refused("2x1.json", "not json", "is not a fold result");
    refused("official_split.json", "{}", "incompatible dermtl version");
    {
        nlohmann::json j = fold2;
        j["confidences"][3] = 2.0;
        refused("Fold_2.json", j.dump(), "'confidences' [3]: expected a finite number in [0, 1], found 2.0");
    }
    {
        nlohmann::json j = fold2;
        j["strata"].erase(0);
        refused("Fold_2.json", j.dump(), "'strata': expected none or 8 (one per id), found 7");
    }
    {
        nlohmann::json j = fold2;
        j["scores"][0][0] = nullptr;
        refused("Fold_2.json", j.dump(), "'scores' [0] [0]: expected a number, found null");
    }
    {  // a copy of Fold_2 under Fold_3's name would count Fold_2 twice
        refused("Fold_3.json", fold2.dump(), "expected the result of Fold_3 (its file name), found one of 'Fold_2'");
    }
    {  // an error of the metrics names the file too: a fold with a single class has no AUC
        nlohmann::json j = fold2;
        j["labels"] = std::vector<int>(8, 1);
        j["auc"] = 0.5;
        refused("Fold_2.json", j.dump(), "Fold_2");
    }
    fs::create_directories(folder / "Fold_4.json");
    CHECK_THAT(message_of([&] { (void)programs::load_results(results); }),
               Catch::Contains((folder / "Fold_4.json").string()) && Catch::Contains("found a folder"));
    fs::remove(folder / "Fold_4.json");
    store_cell(folder, mal, {"Fold_2"});  // put the good one back
    CHECK(programs::load_results(results).size() == 1);
}

TEST_CASE("a cell stored in two folders is refused, naming both", "[programs][results][stored_files][bad_input]") {
    testing::scratch_dir dir("results-folder-twice");
    const fs::path results = dir / "results";
    const auto mal = make_cell("malignant_vs_benign");
    const fs::path folder = results / protocol::folder_name(mal);
    store_cell(folder, mal, {"Fold_1", "Fold_2"});
    fs::copy(folder, results / "copy-of-it");
    const auto msg = message_of([&] { (void)programs::load_results(results); });
    CHECK_THAT(msg, Catch::Contains(folder.string()) && Catch::Contains((results / "copy-of-it").string()) &&
                        Catch::Contains("both hold results of the cell '" + mal.str() + "'"));
    CHECK_THROWS_AS(programs::load_results(results), io_error);
}

TEST_CASE("a fold whose classes are not its cell's is refused when the catalog knows the cell",
          "[programs][results][stored_files][bad_input]") {
    testing::scratch_dir dir("results-folder-classes");
    const fs::path results = dir / "results";
    const auto three = make_cell("melanoma_carcinoma_benign");
    store_cell(results / protocol::folder_name(three), three, {"Fold_1"});  // two classes stored
    protocol::registry catalog;
    protocol::cell_facts facts;
    facts.classes = 3;
    catalog.add({three, facts, {}, {}});
    CHECK(programs::load_results(results).size() == 1);  // without a catalog: the classes are unknown
    const auto msg = message_of([&] { (void)programs::load_results(results, &catalog); });
    CHECK_THAT(msg, Catch::Contains((results / protocol::folder_name(three) / "Fold_1.json").string()) &&
                        Catch::Contains("has 3 classes, its stored scores 1 column(s) (2 classes)"));
}

TEST_CASE("submission.json is validated when `dermtl slurm status` reads it", "[programs][slurm][stored_files][bad_input]") {
    testing::scratch_dir dir("submission-record");
    const fs::path file = dir / "slurm" / "submission.json";
    fs::create_directories(file.parent_path());
    const nlohmann::json good = {
        {"configuration", {{"seed", 1}}},
        {"arrays", {{{"part", "independent"}, {"script", "/x/independent.sbatch"}, {"tasks", 2}, {"job", nullptr}}}},
        {"items",
         {{{"name", "cell"}, {"done_file", "results/cell/Fold_1.json"}, {"part", "independent"}, {"task", 1}},
          {{"name", "cell"}, {"done_file", "results/cell/Fold_2.json"}, {"part", "independent"}, {"task", 0}}}}};
    write_text(file, good.dump());
    fs::create_directories(dir / "work" / "results" / "cell");
    write_text(dir / "work" / "results" / "cell" / "Fold_2.json", "{}");
    std::ostringstream out;
    CHECK(programs::print_slurm_status(dir.path(), out) == 1);
    CHECK_THAT(out.str(), Catch::Contains("not submitted") && Catch::Contains("1 done"));

    auto refused = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit, const std::string& problem) {
        INFO(name);
        nlohmann::json j = good;
        edit(j);
        write_text(file, j.dump());
        std::ostringstream ignored;
        const auto msg = message_of([&] { (void)programs::print_slurm_status(dir.path(), ignored); });
        CHECK_THAT(msg, Catch::Contains(file.string()) && Catch::Contains(problem));
    };
    refused("an array", [](nlohmann::json& j) { j = nlohmann::json::array(); }, "the record: expected an object");
    refused("no items", [](nlohmann::json& j) { j.erase("items"); }, "the record.items: expected the field");
    refused("no tasks", [](nlohmann::json& j) { j["arrays"][0]["tasks"] = 0; }, "arrays[0].tasks: expected a number of tasks, at least 1");
    refused("a job that is not an id", [](nlohmann::json& j) { j["arrays"][0]["job"] = "abc"; }, "arrays[0].job");
    refused("an unknown part", [](nlohmann::json& j) { j["arrays"][0]["part"] = "other"; }, "arrays[0].part");
    refused("a task beyond its array", [](nlohmann::json& j) { j["items"][0]["task"] = 2; }, "items[0].task: expected a task below its array's 2");
    refused("a part without an array", [](nlohmann::json& j) { j["items"][1]["part"] = "dependent"; }, "items[1].part");
    refused("a done file outside the run folder", [](nlohmann::json& j) { j["items"][0]["done_file"] = "../../etc/passwd"; },
            "items[0].done_file: expected a path relative to OUT/work, without '..'");
    refused("an absolute done file", [](nlohmann::json& j) { j["items"][1]["done_file"] = "/etc/passwd"; }, "items[1].done_file");
    write_text(file, "{\"configuration\": ");
    CHECK_THAT(message_of([&] {
                   std::ostringstream ignored;
                   (void)programs::print_slurm_status(dir.path(), ignored);
               }),
               Catch::Contains(file.string()) && Catch::Contains("not a submission record"));
}
