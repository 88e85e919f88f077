// load_results: every cell stored under a results folder, read back by its stored cell_id.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "programs/tables.hpp"

namespace dermtl::programs {

namespace {

// What `--results` names: OUT/work/results itself, or the run folder OUT (as docs/reproducing.md
// writes it), or its OUT/work.
std::filesystem::path results_folder_of(const std::filesystem::path& given) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& candidate : {given / "work" / "results", given / "results"})
        if (fs::is_directory(candidate, ec)) return candidate;
    return given;
}

// A fold result is a JSON object naming its fold and format; anything else in a results folder
// (a user's notes.json, a JSON array) is not one and is left alone. A file that does not parse is
// still handed to the store, which names it.
bool looks_like_fold_result(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    const auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return true;
    return j.is_object() && (j.contains("format") || j.contains("fold"));
}

// Fold files in fold order: a trailing number compares as a number, so Fold_2 comes before
// Fold_10 (a plain sort puts Fold_10 second, which pairs Fold_1 with Fold_10 as a 5x2cv
// replication and wrecks the significance tests), and "1x2" after "1x1".
bool fold_file_before(const std::filesystem::path& a, const std::filesystem::path& b) {
    auto split = [](const std::string& s) {
        std::size_t k = s.size();
        while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9') --k;
        const std::string digits = s.substr(k);
        std::string number = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
        return std::tuple{s.substr(0, k), number.size(), number, s};
    };
    return split(a.stem().string()) < split(b.stem().string());
}

}  // namespace

std::vector<protocol::experiment_result> load_results(const std::filesystem::path& given) {
    const auto results_dir = results_folder_of(given);
    const std::string expected = "expected a results folder: OUT/work/results (one folder per experiment, each with "
                                 "Fold_*.json), or the run folder OUT that holds it";
    std::error_code ec;
    if (!std::filesystem::is_directory(results_dir, ec))
        throw io_error("load_results: " + expected + "; found " +
                       (std::filesystem::exists(results_dir, ec) ? "a file" : "nothing") + " at '" +
                       results_dir.string() + "'");
    std::vector<std::filesystem::path> cells;
    for (const auto& e : std::filesystem::directory_iterator(results_dir))
        if (e.is_directory(ec)) cells.push_back(e.path());
    std::sort(cells.begin(), cells.end());
    std::vector<protocol::experiment_result> out;
    for (const auto& folder : cells) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(folder))
            if (e.path().extension() == ".json" && e.is_regular_file(ec) && looks_like_fold_result(e.path()))
                files.push_back(e.path());
        std::sort(files.begin(), files.end(), fold_file_before);
        if (files.empty()) continue;
        const protocol::results_store store(folder);
        protocol::experiment_result r;
        bool identified = false;
        std::vector<double> aucs;
        for (const auto& f : files) {
            auto fold = store.load(f.stem().string());
            if (!fold) continue;
            if (!fold->config.contains("cell"))
                throw io_error("load_results: '" + f.string() + "': expected the cell that produced it (config.cell), "
                               "found none");
            protocol::cell_id id;
            try {
                id = fold->config.at("cell").get<protocol::cell_id>();
            } catch (const error& e) {
                throw io_error("load_results: '" + f.string() + "': " + e.what());
            } catch (const nlohmann::json::exception& e) {
                throw io_error("load_results: '" + f.string() + "': config.cell: " + e.what());
            }
            if (!identified) r.id = id, identified = true;
            else if (!(id == r.id))
                throw io_error("load_results: '" + f.string() + "' was made by the cell '" + id.str() + "', but '" +
                               folder.string() + "' holds '" + r.id.str() + "'; move it to its own folder");
            // The stored metric must be the one its stored scores give (a table uses the scores).
            const double from_scores = metrics::fold_auc(fold->predictions);
            if (!(std::abs(from_scores - fold->auc) <= 1e-9))
                throw io_error("load_results: '" + f.string() + "': the stored auc " + std::to_string(fold->auc) +
                               " is not the AUC of its stored scores (" + std::to_string(from_scores) +
                               "); the file was edited or damaged: delete it to recompute that fold");
            aucs.push_back(fold->auc);
            r.folds.push_back(std::move(*fold));
        }
        if (!identified) continue;
        r.auc = metrics::summarize_folds(aucs);
        out.push_back(std::move(r));
    }
    if (out.empty())
        throw io_error("load_results: '" + results_dir.string() + "' holds no fold results; " + expected +
                       " (run a grid first)");
    return out;
}

}  // namespace dermtl::programs
