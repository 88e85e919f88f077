#pragma once
// Cross-validation folds and the stratified validation split.
//
// Represents: a fold = indices into one dataset for training and for testing; a fold_set = the
// folds of one protocol (10 for the paper's 5x2 cross-validation, 1 for ISIC's official split).
// make_5x2_folds: five repetitions of a random 2-way split, each giving two folds (train on one
// half, test on the other, and the reverse), stratified by diagnosis (and label) so every half
// keeps the diagnosis mix — the paper's "semi-random splits balancing diagnoses". Seeded and
// deterministic (dermtl::rng), independent of the standard library.
// stratified_validation_split: the paper's 10% stratified split of a training set (by label).
// Ensures: check_fold() throws io_error when train and test overlap, an index is repeated, a
// part is empty or holds one class only.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/dataset.hpp"

namespace dermtl::data {

struct fold {
    std::string name;  // "Fold_1", ...
    std::vector<std::size_t> train, test;
};
using fold_set = std::vector<fold>;

// Requires: `where` names the origin of the fold ("protocol1.yml" or "make_5x2_folds").
// Ensures: every index < d.size(), no index twice in a list, train and test disjoint, train and
// test each non-empty and (in a labelled dataset) holding at least two classes -- a classifier
// cannot be trained, nor an AUC measured, on one class; otherwise io_error naming where, the
// fold and the offending id or the classes found. Checked when the data is loaded, so a bad
// fold fails before any training, not after it.
inline void check_fold(const fold& f, const dataset& d, std::string_view where) {
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
                throw io_error(std::string(where) + ": " + f.name + ": id " + quoted_value(d[i].id) +
                               " is in both train and test (train/test overlap)");
            in[i] |= bit;
        }
    };
    mark(f.train, 1, "train");
    mark(f.test, 2, "test");
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

// Stratum of a sample: (diagnosis, label). For tasks without diagnoses this is the label.
inline std::pair<int, int> stratum_of(const sample& s) { return {static_cast<int>(s.dx), s.label}; }

// Requires: d.size() >= 2. Ensures: 2*repetitions folds named Fold_1..; for each repetition r,
// folds 2r and 2r+1 swap halves; per stratum the halves differ by at most one sample and the
// halves' total sizes by at most one.
inline fold_set make_5x2_folds(const dataset& d, std::uint64_t seed, int repetitions = 5) {
    if (d.size() < 2) throw config_error("make_5x2_folds: expected at least 2 samples, found " + std::to_string(d.size()));
    std::map<std::pair<int, int>, std::vector<std::size_t>> strata;
    for (std::size_t i = 0; i < d.size(); ++i) strata[stratum_of(d[i])].push_back(i);
    rng r(seed);
    fold_set folds;
    for (int rep = 0; rep < repetitions; ++rep) {
        std::vector<std::size_t> half[2];
        for (auto& [key, members] : strata) {
            auto m = members;
            r.shuffle(m.begin(), m.end());
            // The odd sample of a stratum goes to the currently smaller half (random on ties).
            int first = half[0].size() < half[1].size() ? 0 : half[1].size() < half[0].size() ? 1 : static_cast<int>(r.below(2));
            for (std::size_t k = 0; k < m.size(); ++k) half[(first + k) % 2].push_back(m[k]);
        }
        for (auto& h : half) std::sort(h.begin(), h.end());
        folds.push_back({"Fold_" + std::to_string(2 * rep + 1), half[0], half[1]});
        folds.push_back({"Fold_" + std::to_string(2 * rep + 2), half[1], half[0]});
    }
    for (const auto& f : folds) check_fold(f, d, "make_5x2_folds");
    return folds;
}

struct split {
    std::vector<std::size_t> train, validation;
};

// Requires: 0 < fraction < 1; `indices` index into d. Ensures: per label, round(fraction*n)
// samples (at least one when the label has two or more) go to validation, chosen by the seeded
// rng; train keeps the rest; both sorted; together exactly `indices`.
inline split stratified_validation_split(const dataset& d, std::span<const std::size_t> indices, double fraction = 0.1,
                                         std::uint64_t seed = 0) {
    if (!(fraction > 0 && fraction < 1))
        throw config_error("stratified_validation_split: expected 0 < fraction < 1, got " + std::to_string(fraction));
    std::map<int, std::vector<std::size_t>> by_label;
    for (auto i : indices) {
        if (i >= d.size()) throw config_error("stratified_validation_split: index " + std::to_string(i) + " out of range");
        by_label[d[i].label].push_back(i);
    }
    rng r(seed);
    split s;
    for (auto& [label, members] : by_label) {
        r.shuffle(members.begin(), members.end());
        std::size_t n_val = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(members.size())));
        if (n_val == 0 && members.size() >= 2) n_val = 1;
        s.validation.insert(s.validation.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_val));
        s.train.insert(s.train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_val), members.end());
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.validation.begin(), s.validation.end());
    return s;
}

inline split stratified_validation_split(const dataset& d, const fold& f, double fraction = 0.1, std::uint64_t seed = 0) {
    return stratified_validation_split(d, std::span<const std::size_t>(f.train), fraction, seed);
}

}  // namespace dermtl::data
