#pragma once
// The paper's tables, assembled from experiment results (protocol::experiment_result), so every
// front end -- the demo, the table programs in examples/, `dermtl report` -- lays them out the
// same way. Results are matched by their registry names (model/backend/transfer/finetune/labeling),
// so a table can be rebuilt from a results folder alone (load_results below).
//
//   Table 1: rows = designs, columns = transfer x fine-tuning (two-level header), AUC.
//   Table 2: ISIC 2016 measures of one ISIC-binary cell beside the published places.
//   Table 3: rows = architectures, columns = designs (ImageNet + FT), AUC.
//   Table 4: rows = binary designs, columns = the Atlas' difficulty strata + All.
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dermtl/data/diagnosis.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/programs/paper_values.hpp"
#include "dermtl/protocol/finetune.hpp"
#include "dermtl/protocol/labeling.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::programs {

// The five parts of a registry name.
struct cell_name {
    std::string model, backend, transfer, finetune, labeling;

    static cell_name parse(const std::string& name) {
        std::vector<std::string> parts(1);
        for (char c : name) {
            if (c == '/') parts.emplace_back();
            else parts.back().push_back(c);
        }
        if (parts.size() != 5)
            throw config_error("expected an experiment name model/backend/transfer/finetune/labeling, found '" + name + "'");
        return {parts[0], parts[1], parts[2], parts[3], parts[4]};
    }
};

// Titles of the policies, by registry name (the paper's headers).
inline std::string transfer_title(const std::string& n) {
    using namespace protocol::transfer;
    for (auto [name, title] : {std::pair{none::name, none::title}, {from_retinopathy::name, from_retinopathy::title},
                               {from_imagenet::name, from_imagenet::title}, {double_transfer::name, double_transfer::title}})
        if (n == name) return std::string(title);
    return n;
}
inline std::string finetune_title(const std::string& n) {
    using namespace protocol::finetune;
    if (n == frozen::name) return std::string(frozen::title);
    if (n == full::name) return std::string(full::title);
    return n;
}
inline std::string labeling_title(const std::string& n) {
    using namespace protocol::labeling;
    for (auto [name, title] : {std::pair{malignant_vs_benign::name, malignant_vs_benign::title},
                               {melanoma_vs_benign::name, melanoma_vs_benign::title},
                               {melanoma_carcinoma_benign::name, melanoma_carcinoma_benign::title},
                               {isic_binary::name, isic_binary::title}})
        if (n == name) return std::string(title);
    return n;
}

// Every cell stored under a results folder (work_dir/results/<cell>/<fold>.json), named by the
// experiment recorded in its folds' config, in folder-name order.
inline std::vector<protocol::experiment_result> load_results(const std::filesystem::path& results_dir) {
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
        std::vector<double> aucs;
        for (const auto& f : files) {
            auto fold = store.load(f.stem().string());
            if (!fold) continue;
            if (r.name.empty()) r.name = fold->config.value("experiment", std::string());
            aucs.push_back(fold->auc);
            r.folds.push_back(std::move(*fold));
        }
        if (r.name.empty())
            throw io_error("load_results: '" + folder.string() + "': expected fold results naming their experiment "
                           "(config.experiment), found none");
        r.auc = metrics::summarize_folds(aucs);
        out.push_back(std::move(r));
    }
    if (out.empty())
        throw io_error("load_results: '" + results_dir.string() + "' holds no fold results yet; run a grid first");
    return out;
}

namespace tables_detail {

inline const protocol::experiment_result* find(const std::vector<protocol::experiment_result>& results,
                                               const std::string& model, const std::string& transfer,
                                               const std::string& finetune, const std::string& labeling) {
    for (const auto& r : results) {
        const auto n = cell_name::parse(r.name);
        if (n.model == model && n.transfer == transfer && n.finetune == finetune && n.labeling == labeling &&
            !r.folds.empty())
            return &r;
    }
    return nullptr;
}

}  // namespace tables_detail

// Table 1 for one model: every (transfer, fine-tuning) pair present in `results`, in the paper's
// order, as columns; the three designs as rows; the ROC curves of the first binary design.
// with_references: show the paper's published values beside ours (real data only).
inline report::table table1(const std::vector<protocol::experiment_result>& results, const std::string& model,
                            bool with_references) {
    report::table t;
    t.id = "table1";
    t.title = "Table 1. Main results (AUC in %; FT: fine tuning), " + model;
    t.value_label = "AUC";
    t.caption = std::string(with_references ? "In parentheses: the paper's published value. " : "") +
                "Three classes: the mean of the one-vs-one AUCs. Double Transfer / no FT is valid but was not in the paper.";
    std::vector<std::pair<std::string, std::string>> columns;
    for (const auto& [transfer, finetune] : paper::table1_column_order)
        for (const auto& labeling : paper::table1_designs)
            if (tables_detail::find(results, model, transfer, finetune, labeling)) {
                columns.emplace_back(transfer, finetune);
                break;
            }
    if (columns.empty())
        throw config_error("table1: no Table 1 result for model '" + model + "' among " + std::to_string(results.size()) +
                           " experiment(s)");
    for (const auto& [transfer, finetune] : columns) t.add_column(transfer_title(transfer), finetune_title(finetune));
    for (const auto& labeling : paper::table1_designs) {
        const auto row = t.add_row(labeling_title(labeling));
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto* r = tables_detail::find(results, model, columns[c].first, columns[c].second, labeling);
            const auto ref = with_references ? paper::table1_value(columns[c].first, columns[c].second, labeling)
                                             : std::nullopt;
            if (r)
                t.set(row, c, metrics::cross_validated_auc(r->predictions()), ref);
            else if (ref)
                t.set_reference(row, c, *ref);
        }
    }
    const std::string first = paper::table1_designs.front();
    t.roc_title = labeling_title(first) + ", pooled test folds";
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (const auto* r = tables_detail::find(results, model, columns[c].first, columns[c].second, first))
            t.add_roc(c, r->predictions());
    return t;
}

// Table 3: the architectures (rows, e.g. {"vgg_m", "VGG-M"}) with ImageNet + FT for each design.
inline report::table table3(const std::vector<protocol::experiment_result>& results,
                            const std::vector<std::pair<std::string, std::string>>& models, bool with_references) {
    report::table t;
    t.id = "table3";
    t.title = "Table 3. Impact of the DNN architecture choice (ImageNet transfer with fine tuning)";
    t.value_label = "AUC";
    t.row_header = "Architecture";
    t.compare = report::comparison_axis::rows;
    t.caption = with_references ? "In parentheses: the paper's published value." : "";
    for (const auto& l : paper::table1_designs) t.add_column("", labeling_title(l));
    for (std::size_t m = 0; m < models.size(); ++m) {
        const auto row = t.add_row(models[m].second);
        for (std::size_t c = 0; c < paper::table1_designs.size(); ++c) {
            const auto* r = tables_detail::find(results, models[m].first, "imagenet", "finetune", paper::table1_designs[c]);
            const auto ref = with_references ? paper::table3_value(models[m].second, c) : std::nullopt;
            if (r)
                t.set(row, c, metrics::cross_validated_auc(r->predictions()), ref);
            else if (ref)
                t.set_reference(row, c, *ref);
        }
    }
    return t;
}

// Table 4: the binary designs of one (transfer, fine-tuning) cell, stratified by difficulty.
inline report::table table4(const std::vector<protocol::experiment_result>& results, const std::string& model,
                            bool with_references, const std::string& transfer = "imagenet",
                            const std::string& finetune = "finetune") {
    report::table t;
    t.id = "table4";
    t.title = "Table 4. Results stratified by diagnosis difficulty of test images, " + model + ", " +
              transfer_title(transfer) + " " + finetune_title(finetune);
    t.value_label = "AUC";
    t.compare = report::comparison_axis::none;
    t.caption = "AUC in % within each difficulty stratum (the Atlas' level of diagnostic difficulty); All: the whole "
                "test set. The share of each stratum is shown with its column.";
    bool columns_added = false;
    for (const auto& labeling : {std::string("malignant_vs_benign"), std::string("melanoma_vs_benign")}) {
        const auto* r = tables_detail::find(results, model, transfer, finetune, labeling);
        if (!r) continue;
        const auto folds = r->predictions();
        std::vector<std::string> names;
        for (int s = 0; s <= int(data::difficulty::high); ++s)
            names.push_back(std::string(data::to_string(static_cast<data::difficulty>(s))));
        const auto strata = metrics::auc_by_stratum(folds, names);
        if (!columns_added) {
            std::vector<std::string> present;
            for (const auto& s : strata) present.push_back(s.name);
            report::add_strata_columns(t, present);
            columns_added = true;
        }
        const auto row = t.add_row(labeling_title(labeling));
        std::vector<double> refs;
        if (with_references) refs = paper::table4_values(labeling);
        if (refs.size() != strata.size() + 1) refs.clear();
        report::set_strata_row(t, row, strata, metrics::cross_validated_auc(folds), refs);
    }
    if (!columns_added)
        throw config_error("table4: no binary-design result for " + model + "/" + transfer + "/" + finetune);
    return t;
}

// Table 2: ISIC 2016 measures of one cell (the official split: one fold), beside the published rows.
inline report::table table2(const protocol::experiment_result& r, const std::string& ours) {
    report::table t;
    t.id = "table2";
    t.title = "Table 2. Results on ISIC 2016 (transfer from ImageNet, with fine tuning)";
    t.row_header = "";
    t.caption = "All numbers in %. AUC and mAP from the SVM's Platt-mapped confidences; ACC, SE and SP with the ISIC "
                "scorer's `> 0.5` rule. Published rows quoted from the paper.";
    report::add_isic_columns(t);
    for (const auto& p : paper::table2_rows) {
        const auto row = t.add_row(p.name, report::row_kind::published);
        for (std::size_t c = 0; c < 5; ++c) t.set_reference(row, c, p.values[c]);
    }
    std::vector<int> labels;
    std::vector<double> confidences;
    for (const auto& f : r.folds) {
        if (f.confidences.size() != f.predictions.labels.size())
            throw config_error("table2: '" + r.name + "', " + f.fold + ": expected Platt confidences for every test "
                               "image (a binary design), found " + std::to_string(f.confidences.size()));
        labels.insert(labels.end(), f.predictions.labels.begin(), f.predictions.labels.end());
        confidences.insert(confidences.end(), f.confidences.begin(), f.confidences.end());
    }
    report::set_isic_row(t, t.add_row(ours), metrics::isic_2016_scores(labels, confidences));
    return t;
}

// The referral analysis of one binary cell, pooled over its test folds (decision values: threshold 0).
inline report::referral_section referral(const protocol::experiment_result& r) {
    const auto pooled = metrics::pool_binary(r.predictions(), "referral of '" + r.name + "'");
    const auto n = cell_name::parse(r.name);
    return {labeling_title(n.labeling) + ", " + transfer_title(n.transfer) + " / " + finetune_title(n.finetune) + " (" +
                n.model + ")",
            metrics::referral_analysis(pooled.labels, pooled.scores, 0.0)};
}

// The best binary cell of a model (highest mean AUC), for the referral analysis; nullptr if none.
inline const protocol::experiment_result* best_binary(const std::vector<protocol::experiment_result>& results,
                                                      const std::string& model) {
    const protocol::experiment_result* best = nullptr;
    for (const auto& r : results) {
        const auto n = cell_name::parse(r.name);
        if (n.model != model || r.folds.empty() || r.folds.front().predictions.scores.cols() != 1) continue;
        if (!best || r.auc.mean > best->auc.mean) best = &r;
    }
    return best;
}

// Adds the table `build()` returns to the report; when it cannot be built from these results
// (config_error: e.g. a stratum without both classes), notes why in the report's metadata instead.
template <class Build>
void add_table_or_note(report::report& rep, const std::string& what, Build&& build) {
    try {
        rep.tables.push_back(build());
    } catch (const config_error& e) {
        rep.metadata.emplace_back("not shown: " + what, e.what());
    }
}

// A report of whatever tables a set of results supports (the `dermtl grid`, `run` and `report`
// commands): Table 1 per model with Table 1 cells, Table 3 when two or more models have ImageNet +
// FT cells, Table 4 per model with ImageNet + FT binary cells, Table 2 per ISIC cell, and the
// referral analysis of each model's best binary cell. Tables that cannot be built (a stratum
// without both classes, ...) are listed in the metadata with the reason.
inline report::report report_of(const std::vector<protocol::experiment_result>& results, std::string title,
                                bool with_references) {
    report::report rep;
    rep.title = std::move(title);
    std::vector<std::string> models;
    for (const auto& r : results) {
        const auto m = cell_name::parse(r.name).model;
        if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
    }
    const bool several = models.size() > 1;
    auto attempt = [&](const std::string& what, auto&& build) { add_table_or_note(rep, what, build); };
    std::vector<std::pair<std::string, std::string>> with_imagenet_ft;
    for (const auto& m : models) {
        bool has_table1 = false, has_ft = false, has_isic = false;
        for (const auto& r : results) {
            const auto n = cell_name::parse(r.name);
            if (n.model != m) continue;
            has_table1 |= std::find(paper::table1_designs.begin(), paper::table1_designs.end(), n.labeling) !=
                          paper::table1_designs.end();
            has_ft |= n.transfer == "imagenet" && n.finetune == "finetune" && n.labeling != "isic_binary";
            has_isic |= n.transfer == "imagenet" && n.finetune == "finetune" && n.labeling == "isic_binary";
        }
        const std::string suffix = several ? "_" + m : "";
        if (has_table1)
            attempt("Table 1 of " + m, [&] {
                auto t = table1(results, m, with_references);
                t.id += suffix;
                return t;
            });
        if (has_ft) {
            with_imagenet_ft.emplace_back(m, m);
            attempt("Table 4 of " + m, [&] {
                auto t = table4(results, m, with_references);
                t.id += suffix;
                return t;
            });
        }
        if (has_isic)
            attempt("Table 2 of " + m, [&] {
                const auto* r = tables_detail::find(results, m, "imagenet", "finetune", "isic_binary");
                auto t = table2(*r, "dermtl, " + m);
                t.id += suffix;
                return t;
            });
        if (const auto* best = best_binary(results, m)) rep.referrals.push_back(referral(*best));
    }
    if (with_imagenet_ft.size() > 1) attempt("Table 3", [&] { return table3(results, with_imagenet_ft, with_references); });
    if (rep.tables.empty())
        throw config_error("report: none of the paper's tables can be built from these " + std::to_string(results.size()) +
                           " experiment(s)");
    return rep;
}

}  // namespace dermtl::programs
