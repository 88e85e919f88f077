#pragma once
// A runtime registry of compiled experiment cells, so a command-line program picks cells by name
// or glob ("vgg_m/cpu/imagenet/*/malignant_vs_benign") without recompiling.
//
//   auto reg = protocol::registry::of(protocol::paper_table1<models::vgg_m_family<>, backend::cpu>());
//   for (const auto* e : reg.match("*/retinopathy/*")) e->run(inputs);
#include <fnmatch.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/hana/for_each.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/final_fit.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/results.hpp"

namespace dermtl::protocol {

struct registry_entry {
    cell_id id;          // the cell's identity (names and titles of its policies)
    cell_facts facts;    // what the paper's tables need to know of it
    std::function<experiment_result(const experiment_inputs&)> run;
    // Trains the source model facts.source names (a no-op when it is empty), nothing else.
    std::function<void(const experiment_inputs&)> prepare_source;
    // The cell's final model on all of the target data (protocol/final_fit.hpp), and a network of
    // its type to apply one with (`dermtl train-final`, `dermtl predict`).
    std::function<final_fit(const experiment_inputs&)> train_final;
    std::function<std::unique_ptr<cell_network>()> make_network;
};

class registry {
public:
    // Entries for every experiment type in a Hana tuple of hana::type<experiment<...>> (a grid).
    template <class Grid>
    static registry of(Grid grid) {
        registry r;
        boost::hana::for_each(grid, [&](auto t) {
            using E = typename decltype(t)::type;
            r.add({E::id(), E::facts(), &E::run, &E::prepare_source, &E::train_final, &E::make_network});
        });
        return r;
    }

    void add(registry_entry e) {
        for (const auto& x : entries_)
            if (x.id == e.id) throw config_error("registry: the experiment '" + e.id.str() + "' is registered twice");
        entries_.push_back(std::move(e));
    }

    // Every entry of `other` after this registry's own (a catalog of several compiled grids).
    void merge(const registry& other) {
        for (const auto& e : other.entries_) add(e);
    }

    // The entry of a cell; nullptr when no compiled grid has it.
    const registry_entry* find(const cell_id& id) const {
        for (const auto& e : entries_)
            if (e.id == id) return &e;
        return nullptr;
    }

    // Entries whose string form (cell_id::str) matches a shell glob, in registration order; config_error listing the
    // known names when none does.
    std::vector<const registry_entry*> match(std::string_view pattern) const {
        std::vector<const registry_entry*> out;
        const std::string p(pattern);
        for (const auto& e : entries_)
            if (::fnmatch(p.c_str(), e.id.str().c_str(), 0) == 0) out.push_back(&e);
        if (out.empty()) {
            std::string known;
            for (const auto& e : entries_) known += "\n  " + e.id.str();
            throw config_error("registry: no experiment matches '" + p + "'; known experiments:" + known);
        }
        return out;
    }

    const std::vector<registry_entry>& entries() const { return entries_; }

private:
    std::vector<registry_entry> entries_;
};

}  // namespace dermtl::protocol
