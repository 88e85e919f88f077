#pragma once
// A runtime registry of compiled experiment cells, so a command-line program picks cells by name
// or glob ("vgg_m/cpu/imagenet/*/malignant_vs_benign") without recompiling.
//
//   auto reg = protocol::registry::of(protocol::paper_table1<models::vgg_m_family<>, backend::cpu>());
//   for (const auto* e : reg.match("*/retinopathy/*")) e->run(inputs);
#include <fnmatch.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/hana.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/results.hpp"

namespace dermtl::protocol {

struct registry_entry {
    std::string name;                  // model/backend/transfer/finetune/labeling
    std::string transfer_title;        // the paper's column header, e.g. "From ImageNet"
    std::string finetune_title;        // "no FT" / "with FT"
    std::string labeling_title;        // the paper's row, e.g. "Malignant vs. Benign"
    std::string transfer, finetune, labeling;
    std::function<experiment_result(const experiment_inputs&)> run;
};

class registry {
public:
    // Entries for every experiment type in a Hana tuple of hana::type<experiment<...>> (a grid).
    template <class Grid>
    static registry of(Grid grid) {
        registry r;
        boost::hana::for_each(grid, [&](auto t) {
            using E = typename decltype(t)::type;
            r.add({E::name(), std::string(E::transfer::title), std::string(E::finetune::title),
                   std::string(E::labeling::title), std::string(E::transfer::name), std::string(E::finetune::name),
                   std::string(E::labeling::name), &E::run});
        });
        return r;
    }

    void add(registry_entry e) {
        for (const auto& x : entries_)
            if (x.name == e.name) throw config_error("registry: the experiment '" + e.name + "' is registered twice");
        entries_.push_back(std::move(e));
    }

    // Entries whose name matches a shell glob, in registration order; config_error listing the
    // known names when none does.
    std::vector<const registry_entry*> match(std::string_view pattern) const {
        std::vector<const registry_entry*> out;
        const std::string p(pattern);
        for (const auto& e : entries_)
            if (::fnmatch(p.c_str(), e.name.c_str(), 0) == 0) out.push_back(&e);
        if (out.empty()) {
            std::string known;
            for (const auto& e : entries_) known += "\n  " + e.name;
            throw config_error("registry: no experiment matches '" + p + "'; known experiments:" + known);
        }
        return out;
    }

    const std::vector<registry_entry>& entries() const { return entries_; }

private:
    std::vector<registry_entry> entries_;
};

}  // namespace dermtl::protocol
