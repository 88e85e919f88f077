// Table 3: architectures (rows) x the paper's designs (columns), ImageNet + FT.
#include <algorithm>

#include "programs/cell_intervals.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

report::table table3(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::vector<std::string>& models, const paper_comparison& paper) {
    report::table t;
    t.id = "table3";
    t.title = "Table 3. Impact of the DNN architecture choice (ImageNet transfer with fine tuning)";
    t.value_label = "AUC";
    t.row_header = "Architecture";
    t.compare = report::comparison_axis::rows;
    // Columns: the paper's designs, in the first model's grid order.
    std::vector<protocol::policy_id> designs;
    for (const auto& m : models)
        for (const auto& d : tables_detail::paper_designs(catalog, m)) tables_detail::add_unique(designs, d);
    for (const auto& d : designs) t.add_column("", d.title);
    tables_detail::paper_note_builder note;
    for (const auto& m : models) {
        // The model's ImageNet + FT cells of the catalog give its title and published values.
        const protocol::registry_entry* any = nullptr;
        for (const auto& e : catalog.entries())
            if (e.id.model.name == m && e.facts.imagenet_finetuned && e.facts.paper_design) {
                any = &e;
                break;
            }
        if (!any) throw config_error("table3: no ImageNet + FT cell of model '" + m + "' in this build's grids");
        std::vector<const protocol::experiment_result*> found;
        for (const auto& d : designs) found.push_back(tables_detail::find(results, m, any->id.transfer, any->id.finetune, d));
        if (std::none_of(found.begin(), found.end(), [](const auto* r) { return r != nullptr; })) continue;  // no row without a result
        const auto row = t.add_row(any->id.model.title);
        for (std::size_t c = 0; c < designs.size(); ++c) {
            if (!found[c]) continue;  // an empty cell, never the paper's number alone
            const auto match = tables_detail::paper_value(*found[c], catalog, paper, protocol::paper_atlas_setup,
                                                          tables_detail::has_published_auc);
            note.add(match);
            t.set(row, c, metrics::cross_validated_auc(found[c]->predictions()),
                  match.facts ? match.facts->published_auc : std::nullopt);
            t.set_design(row, c, tables_detail::design_of(*found[c]));
            t.at(row, c).intervals = auc_intervals_of(*found[c]);
        }
    }
    if (t.rows.empty())
        throw config_error("table3: no ImageNet + FT result of any of the " + std::to_string(models.size()) + " model(s)");
    t.paper_note = note.str();
    return t;
}

}  // namespace dermtl::programs
