#pragma once
// What the table builders share (apps/programs/table*.cpp): finding results and catalog entries.
#include <string>
#include <utility>
#include <vector>

#include "programs/tables.hpp"

namespace dermtl::programs::tables_detail {

// A result's cell facts from the catalog; none (all defaults) for a cell the catalog lacks.
inline const protocol::cell_facts& facts_of(const protocol::registry& catalog, const protocol::cell_id& id) {
    static const protocol::cell_facts unknown{};
    const auto* e = catalog.find(id);
    return e ? e->facts : unknown;
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

// The paper's designs (Table 1 rows) of a model's catalog cells, in grid order.
inline std::vector<protocol::policy_id> paper_designs(const protocol::registry& catalog, const std::string& model) {
    std::vector<protocol::policy_id> out;
    for (const auto& e : catalog.entries())
        if (e.id.model.name == model && e.facts.paper_design) add_unique(out, e.id.labeling);
    return out;
}

}  // namespace dermtl::programs::tables_detail
