// Definitions of data/folds.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/folds.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dermtl::data {

// Requires: `where` names the origin of the fold ("protocol1.yml" or "make_5x2_folds").
// Ensures: every index < d.size(), no index twice in a list, train and test disjoint, train and
// test each non-empty and (in a labelled dataset) holding at least two classes -- a classifier
// cannot be trained, nor an AUC measured, on one class; otherwise io_error naming where, the
// fold and the offending id or the classes found. Checked when the data is loaded, so a bad
// fold fails before any training, not after it.
DERMTL_DECL void check_fold(const fold& f, const dataset& d, std::string_view where) {
    std::vector<char> in(d.size(), 0);
    auto mark = [&](const std::vector<std::size_t>& list, char bit, const char* part) {
        for (auto i : list) {
            if (i >= d.size())
                throw io_error(std::string(where) + ": " + f.name + " " + part + " index " + std::to_string(i) +
                               " out of range for " + std::to_string(d.size()) + " samples");
            if (in[i] & bit)
                throw io_error(std::string(where) + ": " + f.name + " lists id " + quoted_value(d[i].id) + " twice in " +
                               part);
            if (in[i])
                throw io_error(std::string(where) + ": " + f.name + ": id " + quoted_value(d[i].id) + " is in both " +
                               (in[i] & 1 ? "train" : "test") + " and " + part + " (" +
                               (in[i] & 1 ? std::string("train") : std::string("test")) + "/" + part + " overlap)");
            in[i] |= bit;
        }
    };
    mark(f.train, 1, "train");
    mark(f.test, 2, "test");
    mark(f.validation, 4, "validation");
    std::unordered_map<std::string_view, std::size_t> train_of_group;  // group -> a train sample
    for (auto i : f.train)
        if (!d[i].group.empty()) train_of_group.emplace(d[i].group, i);
    for (auto i : f.test)
        if (const auto it = d[i].group.empty() ? train_of_group.end() : train_of_group.find(d[i].group);
            it != train_of_group.end())
            throw io_error(std::string(where) + ": " + f.name + ": group " + quoted_value(d[i].group) +
                           " is in both train (" + quoted_value(d[it->second].id) + ", " + d[it->second].where() +
                           ") and test (" + quoted_value(d[i].id) + ", " + d[i].where() +
                           "); expected all images of a lesion on one side (train/test overlap)");
    const bool labelled = std::any_of(d.samples.begin(), d.samples.end(), [](const sample& s) { return s.label >= 0; });
    for (const auto* part : {"train", "test"}) {
        const auto& list = part[1] == 'r' ? f.train : f.test;
        if (list.empty())
            throw io_error(std::string(where) + ": " + f.name + " " + part + " lists no images; expected a non-empty " +
                           part + " set");
        if (!labelled) continue;
        std::map<int, std::size_t> per_class;
        for (auto i : list) ++per_class[d[i].label];
        if (per_class.size() >= 2) continue;
        const int l = per_class.begin()->first;
        const std::string name = l >= 0 && std::size_t(l) < d.num_classes() ? d.class_names[std::size_t(l)]
                                                                           : "label " + std::to_string(l);
        throw io_error(std::string(where) + ": " + f.name + " " + part + " holds one class only (" + name + ", " +
                       std::to_string(list.size()) + " images); expected at least two classes, to train a "
                       "classifier and measure its AUC");
    }
}

namespace detail {

// The units folds move: one per non-empty group (its samples in the order of `indices`), one per
// sample without a group; units in the order of their first sample in `indices`.
DERMTL_DECL std::vector<std::vector<std::size_t>> fold_units(const dataset& d, std::span<const std::size_t> indices) {
    std::vector<std::vector<std::size_t>> units;
    std::unordered_map<std::string_view, std::size_t> unit_of_group;
    for (auto i : indices) {
        if (d[i].group.empty()) {
            units.push_back({i});
            continue;
        }
        auto [it, fresh] = unit_of_group.emplace(d[i].group, units.size());
        if (fresh) units.emplace_back();
        units[it->second].push_back(i);
    }
    return units;
}

// The key most members of a unit have (the smallest such key on a tie).
template <class Key, class KeyOf>
Key majority_key(const dataset& d, const std::vector<std::size_t>& unit, KeyOf key_of) {
    if (unit.size() == 1) return key_of(d[unit.front()]);
    std::map<Key, std::size_t> n;
    for (auto i : unit) ++n[key_of(d[i])];
    auto best = n.begin();
    for (auto it = n.begin(); it != n.end(); ++it)
        if (it->second > best->second) best = it;
    return best->first;
}

}  // namespace detail

// Requires: d.size() >= 2. Ensures: 2*repetitions folds named Fold_1..; for each repetition r,
// folds 2r and 2r+1 swap halves; no group on both sides; per stratum the halves differ by at most
// one sample (without groups) or by at most the stratum's largest group (groups of one stratum),
// and the halves' total sizes by at most one (without groups).
// Per stratum, its units in a seeded random order (largest groups first) each go to the half with
// fewer samples of the stratum, on a tie to the smaller half, on a tie to a half drawn once per
// stratum -- which, with units of one sample, is the alternation this function always made.
DERMTL_DECL fold_set make_5x2_folds(const dataset& d, std::uint64_t seed, int repetitions) {
    if (d.size() < 2) throw config_error("make_5x2_folds: expected at least 2 samples, found " + std::to_string(d.size()));
    std::vector<std::size_t> all(d.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const auto units = detail::fold_units(d, all);
    using stratum = std::pair<int, int>;
    std::map<stratum, std::vector<std::size_t>> strata;  // stratum -> units
    for (std::size_t u = 0; u < units.size(); ++u)
        strata[detail::majority_key<stratum>(d, units[u], stratum_of)].push_back(u);
    rng r(seed);
    fold_set folds;
    for (int rep = 0; rep < repetitions; ++rep) {
        std::vector<std::size_t> half[2];
        std::map<stratum, std::size_t> in_half[2];  // samples per stratum in each half
        for (auto& [key, members] : strata) {
            auto m = members;
            r.shuffle(m.begin(), m.end());
            std::stable_sort(m.begin(), m.end(),
                             [&](std::size_t a, std::size_t b) { return units[a].size() > units[b].size(); });
            const int first =
                half[0].size() < half[1].size() ? 0 : half[1].size() < half[0].size() ? 1 : static_cast<int>(r.below(2));
            for (auto u : m) {
                const std::size_t n0 = in_half[0][key], n1 = in_half[1][key];
                const int h = n0 != n1                            ? (n0 < n1 ? 0 : 1)
                              : half[0].size() != half[1].size() ? (half[0].size() < half[1].size() ? 0 : 1)
                                                                 : first;
                for (auto i : units[u]) {
                    half[h].push_back(i);
                    ++in_half[h][stratum_of(d[i])];
                }
            }
        }
        for (auto& h : half) std::sort(h.begin(), h.end());
        folds.push_back({"Fold_" + std::to_string(2 * rep + 1), half[0], half[1], {}});
        folds.push_back({"Fold_" + std::to_string(2 * rep + 2), half[1], half[0], {}});
    }
    for (const auto& f : folds) check_fold(f, d, "make_5x2_folds");
    return folds;
}

// The distinct fold values of `d` (sample::fold_value), in fold order: numerically when every
// value is an integer ("2" before "10"), otherwise as text. Blank values are skipped.
DERMTL_DECL std::vector<std::string> fold_values(const dataset& d) {
    std::vector<std::string> v;
    for (const auto& s : d.samples)
        if (!s.fold_value.empty()) v.push_back(s.fold_value);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    const auto integer = [](const std::string& x) {
        std::size_t b = x[0] == '-' || x[0] == '+';
        return b < x.size() && x.size() - b <= 18 && x.find_first_not_of("0123456789", b) == std::string::npos;
    };
    if (std::all_of(v.begin(), v.end(), integer))
        std::stable_sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
            return std::stoll(a) < std::stoll(b);
        });
    return v;
}

// The user's folds: Fold_k tests on the samples whose fold value is the k-th of `values` and
// trains on all others. `values` defaults to fold_values(d); pass fold_values() of the dataset as
// loaded to catch a fold a labeling emptied.
// Throws io_error: a sample without a fold value or with one not in `values` (naming its
// file:line), fewer than two values, a value without samples, a class of d absent from a fold's training side, and check_fold's
// errors (a group in two folds, a side of one class).
DERMTL_DECL fold_set folds_from_column(const dataset& d, std::vector<std::string> values) {
    for (const auto& s : d.samples)
        if (s.fold_value.empty())
            throw io_error(s.where() + ": " + quoted_value(s.id) +
                           " has no fold value; expected one for every image when folds come from a fold column");
    if (values.empty()) values = fold_values(d);
    for (const auto& s : d.samples)
        if (std::find(values.begin(), values.end(), s.fold_value) == values.end())
            throw io_error(s.where() + ": fold value " + quoted_value(s.fold_value) + " of " + quoted_value(s.id) +
                           " is not one of the dataset's fold values; expected it to be tested in one fold");
    if (values.size() < 2)
        throw io_error("folds_from_column: " + d.name + " has " + std::to_string(values.size()) + " fold value" +
                       (values.size() == 1 ? " (" + quoted_value(values[0]) + ")" : std::string("s")) +
                       "; expected at least two, to train on some folds and test on another");
    fold_set folds;
    for (std::size_t k = 0; k < values.size(); ++k) {
        fold f;
        f.name = "Fold_" + std::to_string(k + 1);
        for (std::size_t i = 0; i < d.size(); ++i) (d[i].fold_value == values[k] ? f.test : f.train).push_back(i);
        if (f.test.empty())
            throw io_error("folds_from_column: fold value " + quoted_value(values[k]) + " has no samples in " + d.name +
                           " (" + std::to_string(d.size()) + " samples" +
                           (d.num_classes() ? ", after labeling" : "") + "); expected every fold to hold a test set");
        if (d.num_classes()) {
            std::vector<std::size_t> per_class(d.num_classes(), 0);
            for (auto i : f.train)
                if (d[i].label >= 0 && std::size_t(d[i].label) < per_class.size()) ++per_class[std::size_t(d[i].label)];
            for (std::size_t c = 0; c < per_class.size(); ++c)
                if (per_class[c] == 0)
                    throw io_error("folds_from_column: " + f.name + " (fold value " + quoted_value(values[k]) +
                                   ") trains on no " + quoted_value(d.class_names[c]) + " case: every one has fold value " +
                                   quoted_value(values[k]) + "; expected each class on every fold's training side");
        }
        check_fold(f, d, "folds_from_column");
        folds.push_back(std::move(f));
    }
    return folds;
}

// Throws config_error "<who>: class 'melanoma' has 3 cases; ..." naming every class of d with
// fewer than `needed` cases. A case is a lesion: the images of one group count once, as folds
// cannot split them. Requires a labelled dataset (class_names set).
DERMTL_DECL void require_cases_per_class(const dataset& d, std::size_t needed, std::string_view who) {
    if (d.num_classes() == 0)
        throw config_error(std::string(who) + ": " + d.name + " is not labelled (no classes); label it for a design first");
    std::vector<std::size_t> cases(d.num_classes(), 0), images(d.num_classes(), 0);
    std::vector<std::size_t> all(d.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    for (const auto& unit : detail::fold_units(d, all)) {
        const int l = detail::majority_key<int>(d, unit, [](const sample& s) { return s.label; });
        if (l < 0 || std::size_t(l) >= cases.size()) continue;
        ++cases[std::size_t(l)];
        images[std::size_t(l)] += unit.size();
    }
    std::string short_classes;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        if (cases[c] >= needed) continue;
        short_classes += (short_classes.empty() ? "" : ", ") + std::string("class ") + quoted_value(d.class_names[c]) +
                         " has " + std::to_string(cases[c]) + (cases[c] == 1 ? " case" : " cases");
        if (images[c] != cases[c]) short_classes += " (" + std::to_string(images[c]) + " images)";
    }
    if (short_classes.empty()) return;
    std::string why = needed == cases_per_class_for_5x2
                          ? " (two in each half of a 2-fold split: one for the 10% validation split, one to train on)"
                          : "";
    throw config_error(std::string(who) + ": " + short_classes + " in " + d.name + "; expected at least " +
                       std::to_string(needed) + " cases (lesions) per class" + why);
}

// Requires: 0 < fraction < 1; `indices` index into d. Ensures: per label, round(fraction*n)
// samples (at least one when the label has two or more) go to validation, chosen by the seeded
// rng; train keeps the rest; both sorted; together exactly `indices`. Groups (by their majority
// label) go whole to one side: in random order, each group that fits in what validation still
// lacks joins it, and if none fits, the first group that leaves the label a training sample; so
// with groups validation may hold a little less (or, for one large group, more) than round(fraction*n).
DERMTL_DECL split stratified_validation_split(const dataset& d, std::span<const std::size_t> indices, double fraction,
                                              std::uint64_t seed) {
    if (!(fraction > 0 && fraction < 1))
        throw config_error("stratified_validation_split: expected 0 < fraction < 1, got " + std::to_string(fraction));
    for (auto i : indices)
        if (i >= d.size()) throw config_error("stratified_validation_split: index " + std::to_string(i) + " out of range");
    const auto units = detail::fold_units(d, indices);
    std::map<int, std::vector<std::size_t>> by_label;  // label -> units
    std::map<int, std::size_t> samples_of;             // label -> samples in its units
    for (std::size_t u = 0; u < units.size(); ++u) {
        const int l = detail::majority_key<int>(d, units[u], [](const sample& s) { return s.label; });
        by_label[l].push_back(u);
        samples_of[l] += units[u].size();
    }
    rng r(seed);
    split s;
    for (auto& [label, members] : by_label) {
        r.shuffle(members.begin(), members.end());
        const std::size_t n = samples_of[label];
        std::size_t n_val = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
        if (n_val == 0 && n >= 2) n_val = 1;
        // Groups that fit in what validation still lacks, in the shuffled order; if none fits, the
        // first that leaves the label something to train on.
        std::vector<char> to_validation(members.size(), 0);
        std::size_t taken = 0;
        for (std::size_t k = 0; k < members.size(); ++k)
            if (taken + units[members[k]].size() <= n_val) {
                to_validation[k] = 1;
                taken += units[members[k]].size();
            }
        for (std::size_t k = 0; k < members.size() && taken == 0 && n_val > 0; ++k)
            if (units[members[k]].size() < n) {
                to_validation[k] = 1;
                taken += units[members[k]].size();
            }
        for (std::size_t k = 0; k < members.size(); ++k) {
            auto& side = to_validation[k] ? s.validation : s.train;
            side.insert(side.end(), units[members[k]].begin(), units[members[k]].end());
        }
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.validation.begin(), s.validation.end());
    return s;
}

DERMTL_DECL split stratified_validation_split(const dataset& d, const fold& f, double fraction, std::uint64_t seed) {
    return stratified_validation_split(d, std::span<const std::size_t>(f.train), fraction, seed);
}

}  // namespace dermtl::data
