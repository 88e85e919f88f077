#pragma once
// How the folds of a fold set relate to one another (issue 17): is it a valid 5x2 CV?
//
// Each fold splits samples into (train, test); its partition is the unordered pair {train, test}.
// Two folds with one partition either repeat each other (the same train) or mirror each other
// (train and test swapped). A valid 5x2 CV is 5 independent replications of 2 complementary
// halves: 10 folds over one set of samples, making 5 distinct partitions, each used once in each
// direction. The reference implementation's fold files are such a set (Fold_2 mirrors Fold_1, and
// so on), but its run_all.sh runs fold `ixj` as Fold_i with list j for training (i = 1..5,
// j = 1..2), that is Fold_1..Fold_5 in both directions: reference_runs() counts what those ten
// runs really are (reference_runs.hpp builds them).
// analyze_partitions also checks the folds in 5x2cv order (metrics::five_by_two_design: the
// significance tests' precondition) and says, per fold, where train and test overlap or where
// its samples differ from the first fold's, with counts and example ids (the dataset's ids when
// given, else "#index").
// Ensures: analyze_partitions never throws on any folds; describe() names each repeat and mirror
// by fold name, and each problem with the folds concerned, how many ids and a few of them.
// The non-template code is defined in impl/partitions.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/metrics/five_by_two_design.hpp"

namespace dermtl::data {

struct fold_relation {
    std::size_t first = 0, later = 0;  // fold indices, first < later
    bool mirrored = false;             // later = first with train and test swapped (else: a repeat)
};

// The ten runs of the reference code (`ixj`: Fold_i, list j trains): how many distinct
// (train, test) splits and partitions they hold.
struct reference_run_count {
    std::size_t runs = 0, distinct_splits = 0, distinct_partitions = 0;
    std::vector<std::pair<std::string, std::string>> same_split;  // ("1x1", "2x2"): a later run repeats an earlier one
};

struct partition_analysis {
    std::vector<std::string> names;          // the folds' names
    std::vector<std::size_t> partition_of;   // per fold: its partition's number, in order of first use
    std::size_t distinct_partitions = 0;
    std::vector<fold_relation> relations;    // every later fold whose partition an earlier one has
    bool same_samples = true;                // every fold's train + test are the same samples
    std::vector<std::string> fold_problems;  // per-fold overlaps and differences in samples, precisely
    bool valid_5x2 = false;                  // 5 partitions, each once in each direction (any order)
    metrics::five_by_two_design design;      // in 5x2cv order: what the significance tests require
    reference_run_count reference;           // meaningful when there are at least 5 folds

    DERMTL_DECL std::string describe() const;
};

// The folds in 5x2cv order as a metrics::five_by_two_design (train and test ids known).
DERMTL_DECL metrics::five_by_two_design five_by_two_design_of(const fold_set& folds, const dataset* d = nullptr);

// d: when given, example ids are its sample ids (else "#index").
DERMTL_DECL partition_analysis analyze_partitions(const fold_set& folds, const dataset* d = nullptr);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/partitions.ipp"
#endif
