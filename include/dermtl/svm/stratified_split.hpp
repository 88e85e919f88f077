#pragma once
// Stratified hold-out splits of a training set, drawn with dermtl's portable rng so a seed gives
// the same split everywhere (sklearn's StratifiedShuffleSplit draws differently; the sizes agree:
// ceil(fraction * n) validation cases, shared among classes in proportion).
// Not templates: defined in impl/stratified_split.ipp (core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"

namespace dermtl::svm {

// Represents: a partition of case indices 0..n-1 (each list sorted increasingly).
struct holdout_split {
    std::vector<std::size_t> train;
    std::vector<std::size_t> validation;
};

// Requires: labels in [0, n_classes), every class with at least 2 cases; fraction in (0, 1).
// Ensures: ceil(fraction * n) validation cases split among classes by largest remainder, then
//          clamped so each class has at least one case on each side; deterministic given g.
// Throws: config_error.
DERMTL_DECL holdout_split stratified_holdout(std::span<const int> labels, int n_classes, double fraction, rng& g);

// Requires: as stratified_holdout; n_splits >= 1.
// Ensures: the n_splits splits drawn in order from one rng(seed) -- the splits select_c and
//          select_libsvm_c score every C on (a test hands the same index lists to sklearn).
DERMTL_DECL std::vector<holdout_split> repeated_stratified_holdouts(std::span<const int> labels, int n_classes,
                                                                    double fraction, int n_splits, std::uint64_t seed);

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/stratified_split.ipp"
#endif
