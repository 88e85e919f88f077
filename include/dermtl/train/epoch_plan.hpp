#pragma once
// The epoch plan of training (train/augmentation.hpp includes it with the geometric warp,
// train/geometric_warp.hpp): which items an epoch trains on, balanced, and with which
// augmentation seeds; the paper's scheme and the reference implementation's
// (github.com/learningtitans/melanoma-transfer).
//
// Represents:
//  - balanced_epoch: one epoch's order of training items, balanced as balance_options::kind
//    says: the paper's oversampling (paper_balance(): minority classes oversampled with
//    augmented copies until every class has as many items as the largest one; majority items
//    pass unchanged unless augment_all) or the reference's resampling (reference_balance(): the
//    largest class whole plus as many items drawn with replacement from the pooled minority
//    classes, weighted by class; every item augmented).
//  - every augmented item carries its own seed, drawn from a generator seeded by
//    (experiment seed, epoch): the same experiment seed gives the same sequence in every
//    experiment and byte-identical batches, independent of caching, batch size or threads.
//  - fill_augmented_batch: a batch of plan items, each augmented item warped by its own seed's
//    transformation.
// Ensures: the paper's presets give the same plans and bytes as before the reference's options
// existed; same seed -> same plan and same bytes; different seeds -> different plans.
// Known differences from the reference (deliberate): its random streams (numpy's, reseeded per
// epoch with the epoch number and per batch slot with the slot number, so every batch repeats
// the same transformations) are not reproduced; here every item has its own seed.
// Not templates: defined in impl/epoch_plan.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/train/geometric_warp.hpp"

namespace dermtl::io {
class image_cache;  // io/image_cache.hpp
class mean_image;   // io/image.hpp
}  // namespace dermtl::io

namespace dermtl::train {

// One item of an epoch: a sample index, and whether (and with which seed) to augment it.
struct plan_item {
    std::size_t index = 0;
    bool augmented = false;
    std::uint64_t seed = 0;

    friend bool operator==(const plan_item&, const plan_item&) = default;
};

// How an epoch balances its classes.
enum class balance_kind {
    // The paper's: every minority class oversampled with augmented copies up to the largest
    // class (each original copied as evenly as possible).
    oversample,
    // The reference's (melanoma-transfer src/utils/iterator.py, ResampleIterator): the largest
    // class kept whole, and as many items again drawn with replacement from the pooled other
    // classes, each item weighted by its class's weight.
    resample,
};

constexpr const char* name_of(balance_kind k) {
    switch (k) {
        case balance_kind::oversample: return "oversample";
        case balance_kind::resample: return "resample";
    }
    return "?";
}

struct balance_options {
    bool balance = true;       // balance the classes (false: every item once)
    bool augment_all = false;  // also augment the original items (default: only the added copies)
    bool shuffle = true;
    balance_kind kind = balance_kind::oversample;
    // resample only: the weight of each label's items (index = label). Empty: 1 / (the label's
    // count in the epoch's items), which gives every minority class an equal share of the draws
    // -- what the reference's settings.py weights (N / class count, "resampling weights that
    // yield balanced classes") imply. The reference's own, e.g. {23.2142, 3.6792, 1.4595} for
    // its 3-class protocol, may be given.
    std::vector<double> class_weights;

    friend bool operator==(const balance_options&, const balance_options&) = default;
};

// The paper's balancing (today's defaults).
inline balance_options paper_balance() { return {}; }

// The reference's: resampling with the default weights, every item augmented (the reference
// passes every training item, majority included, through its random perturbation).
DERMTL_DECL balance_options reference_balance();

// Seed of one epoch of one experiment (splitmix64 of both), so epochs are independent streams.
DERMTL_DECL std::uint64_t epoch_seed(std::uint64_t experiment_seed, std::uint64_t epoch);

// One epoch's items, balanced as opt.kind says.
// Requires: every d[i].label >= 0 for i in indices; for resample, class_weights (if given) has a
// finite weight >= 0 for every label present, and the minority classes a total weight > 0.
// Ensures: deterministic given (experiment_seed, epoch, opt); shuffled when opt.shuffle.
//  - oversample (the paper): with balance, every label present appears max_count times; copies
//    of a minority class cycle through its samples (each original copied as evenly as possible).
//  - resample (the reference): every item of the largest class once, plus as many items drawn
//    with replacement from the other classes (probability of an item proportional to its
//    class's weight), the drawn ones always augmented.
//  - without balance: every item once, in both kinds.
DERMTL_DECL std::vector<plan_item> balanced_epoch(const data::dataset& d, std::span<const std::size_t> indices,
                                                  std::uint64_t experiment_seed, std::uint64_t epoch,
                                                  const balance_options& opt = {});

// Items per label in a plan.
DERMTL_DECL std::map<int, std::size_t> class_counts(const data::dataset& d, std::span<const plan_item> plan);

// A float32 NCHW batch of plan items: augmented items get their own seed's transformation.
DERMTL_DECL void fill_augmented_batch(const data::dataset& d, std::span<const plan_item> items, io::image_cache& cache,
                                      const io::mean_image& mean, const augmentation_options& aug, host_tensor& images,
                                      std::vector<int>& labels);

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/epoch_plan.ipp"
#endif
