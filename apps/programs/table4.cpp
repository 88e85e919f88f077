// Table 4: a model's binary designs with ImageNet + FT, stratified by diagnosis difficulty.
#include <algorithm>

#include "dermtl/data/diagnosis.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

report::table table4(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::string& model, const paper_comparison& paper) {
    report::table t;
    t.value_label = "AUC";
    t.compare = report::comparison_axis::none;
    t.caption = "AUC in % within each difficulty stratum (the Atlas' level of diagnostic difficulty); All: the whole "
                "test set. The share of each stratum is shown with its column.";
    bool columns_added = false;
    tables_detail::paper_note_builder note;
    std::vector<protocol::policy_id> shown;  // one row per design, whichever backend made it
    for (const auto& e : catalog.entries()) {
        if (e.id.model.name != model || !e.facts.imagenet_finetuned || !e.facts.paper_design || e.facts.classes != 2)
            continue;
        if (std::find(shown.begin(), shown.end(), e.id.labeling) != shown.end()) continue;
        const auto* r = tables_detail::find(results, model, e.id.transfer, e.id.finetune, e.id.labeling);
        if (!r) continue;
        shown.push_back(e.id.labeling);
        const auto folds = r->predictions();
        std::vector<std::string> names;
        for (int s = 0; s <= int(data::difficulty::high); ++s)
            names.push_back(std::string(data::to_string(static_cast<data::difficulty>(s))));
        const auto strata = metrics::auc_by_stratum(folds, names);
        if (!columns_added) {
            t.id = "table4";
            t.title = "Table 4. Results stratified by diagnosis difficulty of test images, " + model + ", " +
                      e.id.transfer.title + " " + e.id.finetune.title;
            std::vector<std::string> present;
            for (const auto& s : strata) present.push_back(s.name);
            report::add_strata_columns(t, present);
            columns_added = true;
        }
        const auto row = t.add_row(e.id.labeling.title);
        std::vector<double> refs;
        const auto match = tables_detail::paper_value(*r, catalog, paper, protocol::paper_atlas_setup,
                                                      tables_detail::has_published_strata);
        if (match.facts) refs.assign(match.facts->published_strata_auc->begin(), match.facts->published_strata_auc->end());
        // The paper's strata are low, medium, high and all; a stratum missing here (or an extra
        // one) would put its numbers under another column.
        if (refs.size() != strata.size() + 1) refs.clear();
        if (!refs.empty()) note.add(match);
        report::set_strata_row(t, row, strata, metrics::cross_validated_auc(folds), refs);
    }
    if (!columns_added) throw config_error("table4: no binary-design result of " + model + " with ImageNet + FT");
    t.paper_note = note.str();
    return t;
}

}  // namespace dermtl::programs
