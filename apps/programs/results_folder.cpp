// load_results: every cell stored under a results folder, read back by its stored cell_id.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/log.hpp"
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

// The names the results store gives fold results (results_store::save: <fold name>.json): Fold_N
// (data/folds.hpp, data/reference_folds.hpp), IxJ of the reference runs (data/reference_runs.hpp:
// 1x1 .. 5x2) and official_split (programs/datasets.cpp). A file of such a name is read as a fold
// result and must be one; anything else in a cell folder is listed as ignored.
bool named_like_fold_result(const std::string& stem) {
    auto digits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const std::string_view s = stem;
    if (s == "official_split") return true;
    if (s.starts_with("Fold_")) return digits(s.substr(5));
    const auto x = s.find('x');
    return x != std::string_view::npos && digits(s.substr(0, x)) && digits(s.substr(x + 1));
}

std::string fold_names() { return "Fold_N.json, IxJ.json (the reference runs) or official_split.json"; }

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

stored_results read_results_folder(const std::filesystem::path& given, const protocol::registry* catalog) {
    namespace fs = std::filesystem;
    const auto results_dir = results_folder_of(given);
    const std::string expected = "expected a results folder: OUT/work/results (one folder per experiment, each with "
                                 "Fold_*.json), or the run folder OUT that holds it";
    std::error_code ec;
    if (!fs::is_directory(results_dir, ec))
        throw io_error("load_results: " + expected + "; found " + (fs::exists(results_dir, ec) ? "a file" : "nothing") +
                       " at '" + results_dir.string() + "'");
    stored_results out;
    std::vector<fs::path> cells;
    for (const auto& e : fs::directory_iterator(results_dir)) {
        if (e.is_directory(ec)) cells.push_back(e.path());
        else out.ignored.push_back({e.path(), "not a cell's folder (a results folder holds one folder per cell)"});
    }
    std::sort(cells.begin(), cells.end());
    std::map<std::string, fs::path> folder_of;  // cell_id::str() -> the folder that holds it
    for (const auto& folder : cells) {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(folder)) {
            const auto name = e.path().filename().string();
            if (e.path().extension() == ".json" && named_like_fold_result(e.path().stem().string()))
                files.push_back(e.path());  // read even when it is a folder: the store refuses it, naming it
            else if (name.find(".json.tmp.") != std::string::npos)
                out.ignored.push_back({e.path(), "a temporary file of an interrupted write"});
            else
                out.ignored.push_back({e.path(), "not named like a fold result (" + fold_names() + ")"});
        }
        std::sort(files.begin(), files.end(), fold_file_before);
        if (files.empty()) {
            out.ignored.push_back({folder, "holds no fold result (" + fold_names() + ")"});
            continue;
        }
        const protocol::results_store store(folder);
        protocol::experiment_result r;
        std::vector<double> aucs;
        for (const auto& f : files) {
            // Every error names the file, those of the metrics too.
            try {
                auto fold = store.load(f.stem().string());
                if (!fold) throw io_error("load_results: '" + f.string() + "' disappeared while it was read");
                if (!fold->config.contains("cell"))
                    throw io_error("load_results: '" + f.string() +
                                   "': expected the cell that produced it (config.cell), found none");
                protocol::cell_id id;
                try {
                    id = fold->config.at("cell").get<protocol::cell_id>();
                } catch (const nlohmann::json::exception& e) {
                    throw io_error("config.cell: " + std::string(e.what()));
                }
                if (r.folds.empty()) r.id = id;
                else if (!(id == r.id))
                    throw io_error("load_results: '" + f.string() + "' was made by the cell '" + id.str() + "', but '" +
                                   folder.string() + "' holds '" + r.id.str() + "'; move it to its own folder");
                const auto cols = std::size_t(fold->predictions.scores.cols());
                const std::size_t classes = cols == 1 ? 2 : cols;
                if (const auto* entry = catalog ? catalog->find(id) : nullptr; entry && entry->facts.classes != classes)
                    throw io_error("load_results: '" + f.string() + "': the cell '" + id.str() + "' has " +
                                   std::to_string(entry->facts.classes) + " classes, its stored scores " +
                                   std::to_string(cols) + " column(s) (" + std::to_string(classes) + " classes)");
                // The stored metric must be the one its stored scores give (a table uses the scores).
                const double from_scores = metrics::fold_auc(fold->predictions);
                if (!(std::abs(from_scores - fold->auc) <= 1e-9))
                    throw io_error("load_results: '" + f.string() + "': the stored auc " + std::to_string(fold->auc) +
                                   " is not the AUC of its stored scores (" + std::to_string(from_scores) +
                                   "); the file was edited or damaged: delete it to recompute that fold");
                aucs.push_back(fold->auc);
                r.folds.push_back(std::move(*fold));
            } catch (const error& e) {
                const std::string what = e.what();
                if (what.find(f.string()) != std::string::npos) throw;
                throw io_error("load_results: '" + f.string() + "': " + what);
            }
        }
        // Two folders of one cell would give it two rows (or mix their folds): neither is chosen.
        if (const auto [it, added] = folder_of.emplace(r.id.str(), folder); !added)
            throw io_error("load_results: '" + it->second.string() + "' and '" + folder.string() +
                           "' both hold results of the cell '" + r.id.str() +
                           "' (a copied folder?); keep one of them, move the other out of '" + results_dir.string() +
                           "'");
        r.auc = metrics::summarize_folds(aucs);
        out.results.push_back(std::move(r));
    }
    if (out.results.empty())
        throw io_error("load_results: '" + results_dir.string() + "' holds no fold results; " + expected +
                       " (run a grid first)");
    return out;
}

std::vector<protocol::experiment_result> load_results(const std::filesystem::path& results_dir,
                                                      const protocol::registry* catalog) {
    auto stored = read_results_folder(results_dir, catalog);
    for (const auto& i : stored.ignored) log::info("load_results: ignored '" + i.path.string() + "': " + i.why);
    return std::move(stored.results);
}

}  // namespace dermtl::programs
