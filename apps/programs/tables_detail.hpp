#pragma once
// What the table builders share (apps/programs/table*.cpp): finding results and catalog entries,
// and the one place that decides whether a result is compared with the paper (paper_value).
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dermtl/metrics/five_by_two_design.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/published.hpp"
#include "dermtl/train/trainer.hpp"
#include "programs/tables.hpp"

namespace dermtl::programs::tables_detail {

// A result's cell facts from the catalog; none (all defaults) for a cell the catalog lacks.
inline const protocol::cell_facts& facts_of(const protocol::registry& catalog, const protocol::cell_id& id) {
    static const protocol::cell_facts unknown{};
    const auto* e = catalog.find(id);
    return e ? e->facts : unknown;
}

// Whether a result's folds, in their stored order, are 5 independent replications of 2 halves
// (from each fold's test ids; the report gives no 5x2cv p-values when they are not).
inline metrics::five_by_two_design design_of(const protocol::experiment_result& r) {
    std::vector<std::vector<std::string>> test;
    std::vector<std::string> names;
    for (const auto& f : r.folds) {
        test.push_back(f.ids);
        names.push_back(f.fold);
    }
    return metrics::check_five_by_two_design(test, {}, names);
}

// A result of a binary design (one score column per test image).
inline bool is_binary(const protocol::experiment_result& r) {
    return !r.folds.empty() && r.folds.front().predictions.scores.cols() == 1;
}

// config_error, naming `who`, the cell and the fold, unless every test image of `f` has its Platt
// confidence (the ISIC measures are computed from them).
inline void require_confidences(const protocol::experiment_result& r, const protocol::fold_result& f,
                                const std::string& who) {
    if (f.confidences.size() != f.predictions.labels.size())
        throw config_error(who + ": '" + r.id.str() + "', " + f.fold + ": expected Platt confidences for every test "
                           "image (a binary design), found " + std::to_string(f.confidences.size()));
}

// Whether a cell is (model, transfer, finetune, labeling), on any backend.
inline bool same_cell(const protocol::cell_id& c, const std::string& model, const protocol::policy_id& transfer,
                      const protocol::policy_id& finetune, const protocol::policy_id& labeling) {
    return c.model.name == model && c.transfer == transfer && c.finetune == finetune && c.labeling == labeling;
}

inline const protocol::experiment_result* find(const std::vector<protocol::experiment_result>& results,
                                               const std::string& model, const protocol::policy_id& transfer,
                                               const protocol::policy_id& finetune, const protocol::policy_id& labeling) {
    for (const auto& r : results)
        if (same_cell(r.id, model, transfer, finetune, labeling) && !r.folds.empty()) return &r;
    return nullptr;
}

// The catalog entry of (model, transfer, finetune, labeling), for its published values.
inline const protocol::registry_entry* entry(const protocol::registry& catalog, const std::string& model,
                                             const protocol::policy_id& transfer, const protocol::policy_id& finetune,
                                             const protocol::policy_id& labeling) {
    for (const auto& e : catalog.entries())
        if (same_cell(e.id, model, transfer, finetune, labeling)) return &e;
    return nullptr;
}

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
    for (const auto& y : v)
        if (y == x) return;
    v.push_back(x);
}

// How a result was run where it differs from how the paper ran `setup`'s table: the cell's
// classifier, training and target axes, the dataset and the number of test folds, the
// fine-tuning schedule (train::trainer_options' defaults are the paper's). Fields a result does
// not record (made-up results in tests) count as the paper's. Empty: the paper's protocol.
inline std::vector<std::string> protocol_differences(const protocol::experiment_result& r, const protocol::paper_setup& setup) {
    std::vector<std::string> out;
    const protocol::cell_id paper{};
    for (auto axis : {&protocol::cell_id::classifier, &protocol::cell_id::training})
        if ((r.id.*axis).name != (paper.*axis).name)
            out.push_back((r.id.*axis).title + " (the paper: " + (paper.*axis).title + ")");
    const std::string dataset(setup.dataset);
    if (!r.id.target.name.empty() && r.id.target.name != dataset)
        out.push_back("data " + r.id.target.title + " (the paper: " + dataset + ")");
    else if (!r.folds.empty() && r.folds.front().config.contains("target") &&
             r.folds.front().config.at("target").is_string() && r.folds.front().config.at("target") != dataset)
        out.push_back("data " + r.folds.front().config.at("target").get<std::string>() + " (the paper: " + dataset + ")");
    if (r.folds.size() != setup.test_folds)
        out.push_back(std::to_string(r.folds.size()) + " test fold" + (r.folds.size() == 1 ? "" : "s") + " (the paper: " +
                      std::string(setup.folds) + ")");
    if (!r.folds.empty() && r.folds.front().config.contains("fingerprint")) {
        const auto& f = r.folds.front().config.at("fingerprint");
        if (f.contains("target_training") && f.at("target_training").is_object()) {
            const auto& ours = f.at("target_training");
            const auto papers = protocol::training_json(train::trainer_options{});
            auto text = [](const nlohmann::json& x) { return x.is_number() ? fmt::format("{:g}", x.get<double>()) : x.dump(); };
            for (const auto& [k, v] : papers.items())
                if (ours.contains(k) && ours.at(k) != v)
                    out.push_back("fine-tuning " + k + " " + text(ours.at(k)) + " (the paper: " + text(v) + ")");
        }
    }
    return out;
}

// The paper's values for a result, when `paper` compares it with the paper.
struct paper_match {
    const protocol::cell_facts* facts = nullptr;  // the published values; nullptr: none shown
    std::vector<std::string> differences;         // what differs from the paper's configuration
};

// The one decision of whether a result is shown beside the paper's values. The cell's own facts
// give them when its types are the paper's (full-size network, same policies); with
// any_configuration a scaled network's cell takes those of the paper's network of the same
// architecture (the same transfer, fine-tuning and design), and the network is a difference.
// A result run otherwise than the paper (protocol_differences) is compared only with
// any_configuration.
inline paper_match paper_value(const protocol::experiment_result& r, const protocol::registry& catalog,
                               const paper_comparison& paper, const protocol::paper_setup& setup,
                               bool (*has_values)(const protocol::cell_facts&)) {
    if (paper.shown == paper_values::none) return {};
    const bool any = paper.shown == paper_values::any_configuration;
    paper_match m;
    const auto* own = catalog.find(r.id);
    if (own && has_values(own->facts)) {
        m.facts = &own->facts;
    } else if (const auto a = paper.architectures.find(r.id.model.name); any && a != paper.architectures.end()) {
        const auto network = protocol::paper_network(a->second);
        const auto* e = entry(catalog, network.name, r.id.transfer, r.id.finetune, r.id.labeling);
        if (!e || !has_values(e->facts)) return {};
        m.facts = &e->facts;
        m.differences.push_back("network " + r.id.model.title + " (the paper: " + network.title + ")");
    } else {
        return {};
    }
    for (auto& d : protocol_differences(r, setup)) m.differences.push_back(std::move(d));
    if (!m.differences.empty() && !any) return {};
    return m;
}

inline bool has_published_auc(const protocol::cell_facts& f) { return f.published_auc.has_value(); }
inline bool has_published_strata(const protocol::cell_facts& f) { return f.published_strata_auc.has_value(); }

// Collects what differs in the compared results of a table into its paper_note, each difference
// once: "network VGG-M scaled (64 px, widths / 8) (the paper: VGG-M); 2 test folds (...)."
struct paper_note_builder {
    std::vector<std::string> parts;
    void add(const paper_match& m) {
        for (const auto& d : m.differences) add_unique(parts, d);
    }
    std::string str() const {
        std::string s;
        for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
        return s.empty() ? s : s + ".";
    }
};

// The paper's designs (Table 1 rows) of a model's catalog cells, in grid order.
inline std::vector<protocol::policy_id> paper_designs(const protocol::registry& catalog, const std::string& model) {
    std::vector<protocol::policy_id> out;
    for (const auto& e : catalog.entries())
        if (e.id.model.name == model && e.facts.paper_design) add_unique(out, e.id.labeling);
    return out;
}

}  // namespace dermtl::programs::tables_detail
