// Table 3: architectures (rows) x the paper's designs (columns), ImageNet + FT.
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

report::table table3(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                     const std::vector<std::string>& models, bool with_references) {
    report::table t;
    t.id = "table3";
    t.title = "Table 3. Impact of the DNN architecture choice (ImageNet transfer with fine tuning)";
    t.value_label = "AUC";
    t.row_header = "Architecture";
    t.compare = report::comparison_axis::rows;
    t.caption = with_references ? "In parentheses: the paper's published value." : "";
    // Columns: the paper's designs, in the first model's grid order.
    std::vector<protocol::policy_id> designs;
    for (const auto& m : models)
        for (const auto& d : tables_detail::paper_designs(catalog, m)) tables_detail::add_unique(designs, d);
    for (const auto& d : designs) t.add_column("", d.title);
    for (const auto& m : models) {
        // The model's ImageNet + FT cells of the catalog give its title and published values.
        const protocol::registry_entry* any = nullptr;
        for (const auto& e : catalog.entries())
            if (e.id.model.name == m && e.facts.imagenet_finetuned && e.facts.paper_design) {
                any = &e;
                break;
            }
        if (!any) throw config_error("table3: no ImageNet + FT cell of model '" + m + "' in this build's grids");
        const auto row = t.add_row(any->id.model.title);
        for (std::size_t c = 0; c < designs.size(); ++c) {
            const protocol::registry_entry* e = tables_detail::entry(catalog, m, any->id.transfer, any->id.finetune, designs[c]);
            const auto* r = tables_detail::find(results, m, any->id.transfer, any->id.finetune, designs[c]);
            const auto ref = with_references && e ? e->facts.published_auc : std::nullopt;
            if (r)
                t.set(row, c, metrics::cross_validated_auc(r->predictions()), ref);
            else if (ref)
                t.set_reference(row, c, *ref);
        }
    }
    return t;
}

}  // namespace dermtl::programs
