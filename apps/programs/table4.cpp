// Table 4: a model's binary designs with ImageNet + FT, stratified by diagnosis difficulty: the
// difficulty instance of the subgroup tables (programs/subgroups.hpp), under their too-small rule.
#include <algorithm>

#include "programs/subgroups.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

report::table table4(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::string& model, const paper_comparison& paper, const subgroup_settings& subgroups) {
    report::table t;
    t.value_label = "AUC";
    tables_detail::paper_note_builder note;
    std::vector<protocol::policy_id> shown;  // one row per design, whichever backend made it
    std::vector<const protocol::experiment_result*> cells;
    std::vector<std::string> names;
    const protocol::registry_entry* first = nullptr;
    for (const auto& e : catalog.entries()) {
        if (e.id.model.name != model || !e.facts.imagenet_finetuned || !e.facts.paper_design || e.facts.classes != 2)
            continue;
        if (std::find(shown.begin(), shown.end(), e.id.labeling) != shown.end()) continue;
        const auto* r = tables_detail::find(results, model, e.id.transfer, e.id.finetune, e.id.labeling);
        if (!r || r->folds.empty()) continue;
        shown.push_back(e.id.labeling);
        cells.push_back(r);
        names.push_back(e.id.labeling.title);
        if (!first) first = &e;
    }
    if (!first) throw config_error("table4: no binary-design result of " + model + " with ImageNet + FT");
    t.id = "table4";
    t.title = "Table 4. Results stratified by diagnosis difficulty of test images, " + model + ", " +
              first->id.transfer.title + " " + first->id.finetune.title;
    t.caption = "AUC in % within each difficulty stratum (the Atlas' level of diagnostic difficulty); All: the whole "
                "test set. The share of each stratum is shown with its column. " + too_small_sentence(subgroups);
    fill_subgroup_table(t, cells, names, "difficulty", subgroups, subgroup_measure::auc);
    // The paper's strata are low, medium, high and All: its values stand beside ours only when the
    // columns are exactly those (a missing or extra stratum would put a number under another
    // column), and only where our cell holds a number.
    const bool paper_layout = t.columns.size() == 4 && t.columns[0].name == "low" && t.columns[1].name == "medium" &&
                              t.columns[2].name == "high";
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const auto match = tables_detail::paper_value(*cells[k], catalog, paper, protocol::paper_atlas_setup,
                                                      tables_detail::has_published_strata);
        if (!match.facts || !paper_layout) continue;
        const auto& refs = *match.facts->published_strata_auc;
        if (refs.size() != t.columns.size()) continue;
        bool any = false;
        for (std::size_t c = 0; c < t.columns.size(); ++c)
            if (t.at(k, c).value) {
                t.set_reference(k, c, refs[c]);
                any = true;
            }
        if (any) note.add(match);
    }
    t.paper_note = note.str();
    return t;
}

}  // namespace dermtl::programs
