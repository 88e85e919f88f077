#pragma once
// Are ten folds a 5x2 cross-validation design: 5 independent replications, each two
// complementary halves of one id set? The 5x2cv paired t-test and combined F-test
// (significance.hpp) assume so; the reference code's ten runs `ixj` (data/reference_runs.hpp)
// are not (replications 1x and 2x use one partition, as do 3x and 4x).
//
// Represents: the problems found in folds given in 5x2cv order (replication 1 fold 1,
// replication 1 fold 2, replication 2 fold 1, ...), each naming the folds involved, how many ids
// are concerned and a few of them.
// Requires: per fold its test ids (and, when known, its train ids), in fold order; ids of any
// ordered, printable type (sample ids as strings, or dataset indices).
// Ensures: valid() exactly when there are 10 folds, every replication's two test halves are
// disjoint (and, with train ids, each half's train is the other's test), every replication
// covers all the ids any fold tests on, and the 5 replications' partitions are distinct.
// Never throws on any input.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace dermtl::metrics {

struct five_by_two_design {
    std::vector<std::string> problems;  // empty: 5 independent replications of 2 complementary halves

    bool valid() const { return problems.empty(); }
    // The problems joined by "; " (empty when valid).
    std::string reason() const {
        std::string r;
        for (const auto& p : problems) r += (r.empty() ? "" : "; ") + p;
        return r;
    }
};

// How many example ids a problem lists.
inline constexpr std::size_t design_examples = 3;

namespace detail {

template <class Id>
std::vector<Id> sorted_ids(std::vector<Id> v) {
    std::sort(v.begin(), v.end());
    return v;
}

template <class Id>
std::vector<Id> ids_in_both(const std::vector<Id>& a, const std::vector<Id>& b) {  // both sorted
    std::vector<Id> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

template <class Id>
std::vector<Id> ids_only_in(const std::vector<Id>& a, const std::vector<Id>& b) {  // a \ b, both sorted
    std::vector<Id> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

// "3 id(s) (e.g. a, b, c)"
template <class Id>
std::string counted_ids(const std::vector<Id>& ids) {
    std::ostringstream s;
    s << ids.size() << " id(s)";
    if (!ids.empty()) {
        s << " (e.g. ";
        for (std::size_t i = 0; i < ids.size() && i < design_examples; ++i) s << (i ? ", " : "") << ids[i];
        s << (ids.size() > design_examples ? ", ..." : "") << ")";
    }
    return s.str();
}

}  // namespace detail

// names: the folds' names for the messages ("Fold_3", "2x1"); empty: "fold 1", "fold 2", ...
// train_ids: empty when unknown (stored fold results keep their test ids only).
template <class Id>
five_by_two_design check_five_by_two_design(const std::vector<std::vector<Id>>& test_ids,
                                            const std::vector<std::vector<Id>>& train_ids = {},
                                            const std::vector<std::string>& names = {}) {
    five_by_two_design d;
    const std::size_t n = test_ids.size();
    if (n != 10) {
        d.problems.push_back("expected 10 folds (5 replications x 2 halves), found " + std::to_string(n));
        return d;
    }
    auto name = [&](std::size_t i) { return i < names.size() ? names[i] : "fold " + std::to_string(i + 1); };
    auto replication = [&](std::size_t r) {
        return "replication " + std::to_string(r + 1) + " (" + name(2 * r) + ", " + name(2 * r + 1) + ")";
    };
    const bool with_train = !train_ids.empty();
    if (with_train && train_ids.size() != n) {
        d.problems.push_back("expected train ids for each of the 10 folds, found " + std::to_string(train_ids.size()));
        return d;
    }
    std::vector<std::vector<Id>> test, covered(5);
    for (const auto& t : test_ids) test.push_back(detail::sorted_ids(t));
    for (std::size_t i = 0; i < n; ++i)
        if (test[i].empty()) d.problems.push_back(name(i) + " has no test ids");
    for (std::size_t r = 0; r < 5; ++r) {
        const auto &a = test[2 * r], &b = test[2 * r + 1];
        if (const auto both = detail::ids_in_both(a, b); !both.empty())
            d.problems.push_back(replication(r) + ": the two test halves share " + detail::counted_ids(both) +
                                 "; expected complementary halves");
        std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(covered[r]));
        covered[r].erase(std::unique(covered[r].begin(), covered[r].end()), covered[r].end());
        if (with_train)
            for (std::size_t h = 0; h < 2; ++h) {
                const std::size_t self = 2 * r + h, other = 2 * r + 1 - h;
                const auto train = detail::sorted_ids(train_ids[self]);
                if (train != test[other])
                    d.problems.push_back(replication(r) + ": " + name(self) + "'s train is not " + name(other) +
                                         "'s test: " + detail::counted_ids(detail::ids_only_in(train, test[other])) +
                                         " only in the train, " +
                                         detail::counted_ids(detail::ids_only_in(test[other], train)) +
                                         " only in the test");
            }
    }
    std::vector<Id> all;  // every id any fold tests on
    for (const auto& t : test) all.insert(all.end(), t.begin(), t.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    for (std::size_t r = 0; r < 5; ++r)
        if (covered[r] != all)
            d.problems.push_back(replication(r) + " covers " + std::to_string(covered[r].size()) + " of the " +
                                 std::to_string(all.size()) + " ids the folds test on: " +
                                 detail::counted_ids(detail::ids_only_in(all, covered[r])) + " missing");
    for (std::size_t r = 1; r < 5; ++r)
        for (std::size_t s = 0; s < r; ++s) {
            const auto &a = test[2 * r], &b = test[2 * r + 1];
            const bool same = a == test[2 * s] && b == test[2 * s + 1];
            const bool swapped = a == test[2 * s + 1] && b == test[2 * s];
            if (!same && !swapped) continue;
            d.problems.push_back(replication(r) + " repeats the partition of " + replication(s) + " (" + name(2 * r) +
                                 " tests on " + name(same ? 2 * s : 2 * s + 1) + "'s test ids, " + name(2 * r + 1) +
                                 " on " + name(same ? 2 * s + 1 : 2 * s) + "'s): not an independent replication");
            break;
        }
    return d;
}

}  // namespace dermtl::metrics
