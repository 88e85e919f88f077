// report_of: whatever of the paper's tables a set of results supports.
#include <algorithm>

#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

report::report report_of(const std::vector<protocol::experiment_result>& results, const protocol::registry& catalog,
                         std::string title, bool with_references) {
    report::report rep;
    rep.title = std::move(title);
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
                auto t = table1(results, catalog, m, with_references);
                t.id += suffix;
                return t;
            });
        if (has_ft) {
            with_imagenet_ft.push_back(m);
            attempt("Table 4 of " + m, [&] {
                auto t = table4(results, catalog, m, with_references);
                t.id += suffix;
                return t;
            });
        }
        if (isic)
            attempt("Table 2 of " + m, [&] {
                auto t = table2(*isic, "dermtl, " + m);
                t.id += suffix;
                return t;
            });
        if (const auto* best = best_binary(results, m)) rep.referrals.push_back(referral(*best));
    }
    if (with_imagenet_ft.size() > 1)
        attempt("Table 3", [&] { return table3(results, catalog, with_imagenet_ft, with_references); });
    if (rep.tables.empty())
        throw config_error("report: none of the paper's tables can be built from these " + std::to_string(results.size()) +
                           " experiment(s)");
    return rep;
}

}  // namespace dermtl::programs
