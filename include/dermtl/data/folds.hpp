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
// Groups: samples sharing a non-empty `group` (images of one lesion) move together -- folds and
// validation splits never put one group on two sides, and a group is stratified by the stratum
// most of its samples have. Samples without a group are groups of one, and a dataset without
// groups gets exactly the folds and splits it got before groups existed.
// folds_from_column: the user's own folds from a manifest's fold column.
// require_cases_per_class: the minimum-count check to run before any training.
// Ensures: check_fold() throws io_error when train and test overlap, a group is on both sides, an
// index is repeated, a part is empty or holds one class only.
// The non-template code is defined in impl/folds.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/dataset.hpp"

namespace dermtl::data {

struct fold {
    std::string name;  // "Fold_1", ...
    std::vector<std::size_t> train, test;
    // A validation split the data gives (ISIC 2017's official validation set): fine-tuning keeps
    // the weights of lowest loss on it. Empty: the trainer takes its own 10% of `train`.
    std::vector<std::size_t> validation;
};
using fold_set = std::vector<fold>;

// Requires: `where` names the origin of the fold ("protocol1.yml" or "make_5x2_folds").
// Ensures: every index < d.size(), no index twice in a list, train and test disjoint, train and
// test each non-empty and (in a labelled dataset) holding at least two classes -- a classifier
// cannot be trained, nor an AUC measured, on one class; otherwise io_error naming where, the
// fold and the offending id or the classes found. Checked when the data is loaded, so a bad
// fold fails before any training, not after it.
DERMTL_DECL void check_fold(const fold& f, const dataset& d, std::string_view where);

// Stratum of a sample: (diagnosis, label). For tasks without diagnoses this is the label.
inline std::pair<int, int> stratum_of(const sample& s) { return {static_cast<int>(s.dx), s.label}; }

// Requires: d.size() >= 2. Ensures: 2*repetitions folds named Fold_1..; for each repetition r,
// folds 2r and 2r+1 swap halves; no group on both sides; per stratum the halves differ by at most
// one sample (without groups) or by at most the stratum's largest group (groups of one stratum),
// and the halves' total sizes by at most one (without groups).
// Per stratum, its units in a seeded random order (largest groups first) each go to the half with
// fewer samples of the stratum, on a tie to the smaller half, on a tie to a half drawn once per
// stratum -- which, with units of one sample, is the alternation this function always made.
DERMTL_DECL fold_set make_5x2_folds(const dataset& d, std::uint64_t seed, int repetitions = 5);

// The distinct fold values of `d` (sample::fold_value), in fold order: numerically when every
// value is an integer ("2" before "10"), otherwise as text. Blank values are skipped.
DERMTL_DECL std::vector<std::string> fold_values(const dataset& d);

// The user's folds: Fold_k tests on the samples whose fold value is the k-th of `values` and
// trains on all others. `values` defaults to fold_values(d); pass fold_values() of the dataset as
// loaded to catch a fold a labeling emptied.
// Throws io_error: a sample without a fold value or with one not in `values` (naming its
// file:line), fewer than two values, a value without samples, a class of d absent from a fold's training side, and check_fold's
// errors (a group in two folds, a side of one class).
DERMTL_DECL fold_set folds_from_column(const dataset& d, std::vector<std::string> values = {});

// Cases per class that 5x2 cross-validation needs: each class must be in both halves of a 2-fold
// split (to be tested, and trained on), and in each training half both in the 10% validation split
// (which takes at least one case of a class that has two) and in what is left to train on: two
// cases per half, four in all.
inline constexpr std::size_t cases_per_class_for_5x2 = 4;

// Throws config_error "<who>: class 'melanoma' has 3 cases; ..." naming every class of d with
// fewer than `needed` cases. A case is a lesion: the images of one group count once, as folds
// cannot split them. Requires a labelled dataset (class_names set).
DERMTL_DECL void require_cases_per_class(const dataset& d, std::size_t needed, std::string_view who);

struct split {
    std::vector<std::size_t> train, validation;
};

// Requires: 0 < fraction < 1; `indices` index into d. Ensures: per label, round(fraction*n)
// samples (at least one when the label has two or more) go to validation, chosen by the seeded
// rng; train keeps the rest; both sorted; together exactly `indices`. Groups (by their majority
// label) go whole to one side: in random order, each group that fits in what validation still
// lacks joins it, and if none fits, the first group that leaves the label a training sample; so
// with groups validation may hold a little less (or, for one large group, more) than round(fraction*n).
DERMTL_DECL split stratified_validation_split(const dataset& d, std::span<const std::size_t> indices,
                                              double fraction = 0.1, std::uint64_t seed = 0);

DERMTL_DECL split stratified_validation_split(const dataset& d, const fold& f, double fraction = 0.1,
                                              std::uint64_t seed = 0);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/folds.ipp"
#endif
