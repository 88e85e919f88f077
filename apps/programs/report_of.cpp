// report_of: whatever of the paper's tables a set of results supports.
#include <algorithm>

#include "programs/cell_intervals.hpp"
#include "programs/protocol_comparison.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

namespace {

// A result's configuration: its first fold's fingerprint without the fields that belong to the
// cell itself (its identity, its fold, the data as its design labels it, its source, fine-tuning
// for frozen cells, the mean image its transfer picks, its network's input size).
nlohmann::json configuration(const protocol::experiment_result& r) {
    nlohmann::json c = nlohmann::json::object();
    if (r.folds.empty() || !r.folds.front().config.contains("fingerprint")) return c;
    for (const auto& [k, v] : r.folds.front().config.at("fingerprint").items()) {
        if (k == "cell" || k == "fold" || k == "mean" || k == "target" || k == "target_samples" ||
            k.rfind("source_", 0) == 0)
            continue;
        if (k == "target_training" && v == "none") continue;
        c[k] = v;
        if (k == "preprocess" && v.is_object()) c[k].erase("width"), c[k].erase("height");
    }
    return c;
}

// The first field both configurations have and disagree on; empty when they agree.
std::string conflict(const nlohmann::json& a, const nlohmann::json& b) {
    for (const auto& [k, v] : a.items())
        if (b.contains(k) && b.at(k) != v) return k;
    return {};
}

}  // namespace

report::report report_of(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                         std::string title, bool real_data, bool allow_mixed, const subgroup_settings& subgroups) {
    paper_comparison paper;
    paper.shown = real_data ? paper_values::same_configuration : paper_values::none;
    return report_of(results, catalog, std::move(title), paper, allow_mixed, subgroups);
}

report::report report_of(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                         std::string title, const paper_comparison& paper, bool allow_mixed,
                         const subgroup_settings& subgroups) {
    report::report rep;
    rep.title = std::move(title);
    // One configuration per table, or say that they are mixed.
    std::vector<nlohmann::json> configs;
    bool mixed = false;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto c = configuration(results[i]);
        for (std::size_t j = 0; j < i; ++j) {
            const auto field = conflict(configs[j], c);
            if (field.empty()) continue;
            if (!allow_mixed)
                throw config_error("report: '" + results[j].id.str() + "' and '" + results[i].id.str() +
                                   "' were made with different configurations ('" + field + "' differs: " +
                                   shortened(configs[j].at(field).dump()) + " vs " + shortened(c.at(field).dump()) +
                                   "); report them separately, or pass --mixed to put them in one report anyway");
            mixed = true;
        }
        configs.push_back(c);
    }
    if (mixed)
        rep.metadata.emplace_back("WARNING", "these tables mix results made with different configurations (--mixed)");
    nlohmann::json shared = configs.empty() ? nlohmann::json::object() : configs.front();
    for (const auto& c : configs)
        for (auto it = shared.begin(); it != shared.end();)
            it = c.contains(it.key()) && c.at(it.key()) == it.value() ? std::next(it) : shared.erase(it);
    for (const auto& [k, v] : shared.items()) rep.metadata.emplace_back("configuration: " + k, v.is_string() ? v.get<std::string>() : v.dump());
    std::vector<std::string> models;
    std::vector<std::string> unknown;
    for (const auto& r : results) {
        tables_detail::add_unique(models, r.id.model.name);
        if (!catalog.find(r.id)) unknown.push_back(r.id.str());
    }
    if (!unknown.empty()) {
        std::string list;
        for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
        rep.metadata.emplace_back("not in this build's grids (shown in no table)", list);
    }
    const bool several = models.size() > 1;
    auto attempt = [&](const std::string& what, auto&& build) { add_table_or_note(rep, what, build); };
    std::vector<std::string> with_imagenet_ft;
    for (const auto& m : models) {
        bool has_table1 = false, has_ft = false;
        const protocol::experiment_result* isic = nullptr;
        for (const auto& r : results) {
            if (r.id.model.name != m) continue;
            const auto& f = tables_detail::facts_of(catalog, r.id);
            has_table1 |= f.paper_design;
            has_ft |= f.imagenet_finetuned && f.paper_design;
            if (f.imagenet_finetuned && f.isic_label && !r.folds.empty() && !isic) isic = &r;
        }
        const std::string suffix = several ? "_" + m : "";
        if (has_table1)
            attempt("Table 1 of " + m, [&] {
                auto t = table1(results, catalog, m, paper);
                t.id += suffix;
                return t;
            });
        if (has_ft) {
            with_imagenet_ft.push_back(m);
            attempt("Table 4 of " + m, [&] {
                auto t = table4(results, catalog, m, paper, subgroups);
                t.id += suffix;
                return t;
            });
        }
        if (isic)
            attempt("Table 2 of " + m, [&] {
                auto t = table2(*isic, catalog, "dermtl, " + m, paper);
                t.id += suffix;
                return t;
            });
        if (const auto* best = best_binary(results, m)) {
            attempt("the binary measures of " + m, [&] {
                auto t = binary_measures(results, m);
                t.id += suffix;
                return t;
            });
            rep.referrals.push_back(referral(*best));
        }
    }
    if (with_imagenet_ft.size() > 1)
        attempt("Table 3", [&] { return table3(results, catalog, with_imagenet_ft, paper); });
    // Issue 26: subgroup tables, operating points, and the calibration of every binary cell.
    add_evaluation(rep, results, models, subgroups);
    // The reference protocol's own measures (macro one-vs-rest AUC, ACC from the decision).
    if (auto t = protocol_measures(results)) rep.tables.push_back(std::move(*t));
    if (rep.tables.empty())
        throw config_error("report: none of the paper's tables can be built from these " + std::to_string(results.size()) +
                           " experiment(s)");
    return rep;
}

}  // namespace dermtl::programs
