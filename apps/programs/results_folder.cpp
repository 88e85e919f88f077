// load_results: every cell stored under a results folder, read back by its stored cell_id.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "programs/tables.hpp"

namespace dermtl::programs {

std::vector<protocol::experiment_result> load_results(const std::filesystem::path& results_dir) {
    if (!std::filesystem::is_directory(results_dir))
        throw io_error("load_results: expected a results folder (WORK/results, with one folder per experiment), "
                       "found nothing at '" + results_dir.string() + "'");
    std::vector<std::filesystem::path> cells;
    for (const auto& e : std::filesystem::directory_iterator(results_dir))
        if (e.is_directory()) cells.push_back(e.path());
    std::sort(cells.begin(), cells.end());
    std::vector<protocol::experiment_result> out;
    for (const auto& folder : cells) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(folder))
            if (e.path().extension() == ".json") files.push_back(e.path());
        std::sort(files.begin(), files.end());
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
        throw io_error("load_results: '" + results_dir.string() + "' holds no fold results yet; run a grid first");
    return out;
}

}  // namespace dermtl::programs
