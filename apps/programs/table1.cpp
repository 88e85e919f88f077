// Table 1: the paper's designs (rows) x every (transfer, fine-tuning) pair with results (columns).
#include "programs/cell_intervals.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

report::table table1(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::string& model, const paper_comparison& paper) {
    using tables_detail::find;
    report::table t;
    t.id = "table1";
    t.title = "Table 1. Main results (AUC in %; FT: fine tuning), " + model;
    t.value_label = "AUC";
    t.caption = "Three classes: the mean of the one-vs-one AUCs. Double Transfer / no FT is valid but was not in the paper.";
    // Rows: the paper's designs that have a result (a design this run did not run has no row);
    // columns: the catalog's (transfer, fine-tuning) pairs of this model that have one; both in
    // grid order.
    std::vector<protocol::policy_id> designs;
    std::vector<std::pair<protocol::policy_id, protocol::policy_id>> columns;
    for (const auto& e : catalog.entries())
        if (e.id.model.name == model && e.facts.paper_design && find(results, model, e.id.transfer, e.id.finetune, e.id.labeling)) {
            tables_detail::add_unique(designs, e.id.labeling);
            tables_detail::add_unique(columns, std::pair{e.id.transfer, e.id.finetune});
        }
    if (columns.empty())
        throw config_error("table1: no Table 1 result for model '" + model + "' among " + std::to_string(results.size()) +
                           " experiment(s)");
    for (const auto& [transfer, finetune] : columns) t.add_column(transfer.title, finetune.title);
    tables_detail::paper_note_builder note;
    for (const auto& labeling : designs) {
        const auto row = t.add_row(labeling.title);
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto& [transfer, finetune] = columns[c];
            const auto* r = find(results, model, transfer, finetune, labeling);
            if (!r) continue;  // no result: an empty cell, never the paper's number alone
            const auto match = tables_detail::paper_value(*r, catalog, paper, protocol::paper_atlas_setup,
                                                          tables_detail::has_published_auc);
            note.add(match);
            t.set(row, c, metrics::cross_validated_auc(r->predictions()),
                  match.facts ? match.facts->published_auc : std::nullopt);
            t.set_design(row, c, tables_detail::design_of(*r));
            t.at(row, c).intervals = auc_intervals_of(*r);
        }
    }
    t.paper_note = note.str();
    // The ROC curves of the first binary design with results (a 3-class design has none).
    auto binary = [&](const protocol::policy_id& design) {  // every result of a design has its class count
        for (const auto& [transfer, finetune] : columns)
            if (const auto* r = find(results, model, transfer, finetune, design)) return tables_detail::is_binary(*r);
        return false;
    };
    for (const auto& design : designs) {
        if (!binary(design)) continue;
        t.roc_title = design.title + ", pooled test folds";
        for (std::size_t c = 0; c < columns.size(); ++c)
            if (const auto* r = find(results, model, columns[c].first, columns[c].second, design))
                t.add_roc(c, r->predictions());
        break;
    }
    return t;
}

}  // namespace dermtl::programs
