// Definitions of data/partitions.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/partitions.hpp"

#include <algorithm>
#include <set>

namespace dermtl::data {

namespace detail {

DERMTL_DECL std::vector<std::string> ids_of(const std::vector<std::size_t>& indices, const dataset* d) {
    std::vector<std::string> out;
    for (auto i : indices) {
        if (d && i < d->size()) out.push_back((*d)[i].id);
        else out.push_back(std::string(1, '#').append(std::to_string(i)));
    }
    return out;
}

}  // namespace detail

// The folds in 5x2cv order as a metrics::five_by_two_design (train and test ids known).
DERMTL_DECL metrics::five_by_two_design five_by_two_design_of(const fold_set& folds, const dataset* d) {
    std::vector<std::vector<std::string>> train, test;
    std::vector<std::string> names;
    for (const auto& f : folds) {
        train.push_back(detail::ids_of(f.train, d));
        test.push_back(detail::ids_of(f.test, d));
        names.push_back(f.name);
    }
    return metrics::check_five_by_two_design(test, train, names);
}

// d: when given, example ids are its sample ids (else "#index").
DERMTL_DECL partition_analysis analyze_partitions(const fold_set& folds, const dataset* d) {
    partition_analysis a;
    using side = std::vector<std::size_t>;
    auto sorted = [](side v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    std::vector<std::pair<side, side>> split;  // per fold: (train, test), sorted
    for (const auto& f : folds) {
        a.names.push_back(f.name);
        split.emplace_back(sorted(f.train), sorted(f.test));
    }
    std::vector<std::pair<side, side>> partitions;  // {smaller-first ordering of the two sides}
    for (std::size_t i = 0; i < split.size(); ++i) {
        auto key = split[i].first < split[i].second ? split[i] : std::pair{split[i].second, split[i].first};
        const auto it = std::find(partitions.begin(), partitions.end(), key);
        a.partition_of.push_back(std::size_t(it - partitions.begin()));
        if (it == partitions.end()) partitions.push_back(std::move(key));
        else
            for (std::size_t j = 0; j < i; ++j)
                if (a.partition_of[j] == a.partition_of[i]) {
                    a.relations.push_back({j, i, split[j].first != split[i].first});
                    break;
                }
    }
    a.distinct_partitions = partitions.size();
    auto all_of = [&](std::size_t i) {
        side u = split[i].first;
        u.insert(u.end(), split[i].second.begin(), split[i].second.end());
        return sorted(u);
    };
    for (std::size_t i = 0; i < split.size(); ++i) {
        const auto both = metrics::detail::ids_in_both(split[i].first, split[i].second);
        if (!both.empty())
            a.fold_problems.push_back(a.names[i] + ": train and test share " +
                                      metrics::detail::counted_ids(detail::ids_of(both, d)) +
                                      "; expected disjoint train and test");
    }
    for (std::size_t i = 1; i < split.size(); ++i) {
        const auto here = all_of(i), first = all_of(0);
        if (here == first) continue;
        a.same_samples = false;
        a.fold_problems.push_back(a.names[i] + " covers other samples than " + a.names[0] + " (" +
                                  std::to_string(here.size()) + " and " + std::to_string(first.size()) + " in train + test): " +
                                  metrics::detail::counted_ids(detail::ids_of(metrics::detail::ids_only_in(here, first), d)) +
                                  " only in " + a.names[i] + ", " +
                                  metrics::detail::counted_ids(detail::ids_of(metrics::detail::ids_only_in(first, here), d)) +
                                  " only in " + a.names[0]);
    }
    a.design = five_by_two_design_of(folds, d);
    if (folds.size() == 10 && a.same_samples && a.distinct_partitions == 5) {
        a.valid_5x2 = true;
        for (std::size_t p = 0; p < 5; ++p) {
            std::set<side> trains;
            for (std::size_t i = 0; i < split.size(); ++i)
                if (a.partition_of[i] == p) trains.insert(split[i].first);
            a.valid_5x2 &= trains.size() == 2;  // used once in each direction
        }
    }
    if (folds.size() >= 5) {
        std::vector<std::pair<side, side>> splits;  // in run order
        std::set<std::size_t> parts;
        for (std::size_t i = 0; i < 5; ++i)
            for (int j = 0; j < 2; ++j) {
                ++a.reference.runs;
                splits.push_back(j == 0 ? split[i] : std::pair{split[i].second, split[i].first});
                parts.insert(a.partition_of[i]);
            }
        auto run_name = [](std::size_t k) { return std::to_string(k / 2 + 1) + "x" + std::to_string(k % 2 + 1); };
        for (std::size_t k = 0; k < splits.size(); ++k)
            for (std::size_t e = 0; e < k; ++e)
                if (splits[e] == splits[k]) {
                    a.reference.same_split.emplace_back(run_name(e), run_name(k));
                    break;
                }
        a.reference.distinct_splits = std::set<std::pair<side, side>>(splits.begin(), splits.end()).size();
        a.reference.distinct_partitions = parts.size();
    }
    return a;
}

DERMTL_DECL std::string partition_analysis::describe() const {
    std::string t = std::to_string(names.size()) + " folds make " + std::to_string(distinct_partitions) +
                    " distinct partition(s) of the samples";
    if (!same_samples) t += "; the folds do not all cover the same samples";
    t += "\n";
    for (const auto& p : fold_problems) t += "  " + p + "\n";
    for (const auto& r : relations)
        t += "  " + names[r.later] + (r.mirrored ? " mirrors " : " repeats ") + names[r.first] +
             (r.mirrored ? " (train and test swapped)\n" : " (the same train and test)\n");
    t += valid_5x2 ? "  a valid 5x2 CV: 5 independent replications of 2 complementary halves\n"
                   : "  not a valid 5x2 CV (expected 10 folds over the same samples: 5 distinct partitions, "
                     "each used once in each direction)\n";
    if (design.valid())
        t += "  in 5x2cv order (replication r = folds 2r-1, 2r): 5 independent replications; the 5x2cv tests "
             "apply\n";
    else {
        t += "  in 5x2cv order (replication r = folds 2r-1, 2r): not 5 independent replications, the 5x2cv tests "
             "refuse them:\n";
        for (const auto& p : design.problems) t += "    " + p + "\n";
    }
    if (reference.runs) {
        t += "  the reference code's runs ixj (Fold_i, list j trains; i = 1..5, j = 1..2): " +
             std::to_string(reference.runs) + " runs of " + std::to_string(reference.distinct_splits) +
             " distinct (train, test) splits from " + std::to_string(reference.distinct_partitions) +
             " partition(s)";
        for (std::size_t k = 0; k < reference.same_split.size(); ++k)
            t += (k ? ", " : " (") + reference.same_split[k].second + " = " + reference.same_split[k].first +
                 (k + 1 == reference.same_split.size() ? ")" : "");
        t += "\n  dermtl runs the folds as written unless asked for the reference's runs "
             "(data::fold_mapping::reference_runs)\n";
    }
    return t;
}

}  // namespace dermtl::data
