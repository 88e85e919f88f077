#pragma once
// Where the trainer's batches come from.
//
// Represents: the batch_source concept -- the items of one epoch (a function of the epoch only)
// and how to turn a run of them into an N x C x H x W host batch with labels -- and its two
// models: tensor_source (images already in memory) and dataset_source (a data::dataset through
// the image cache, with the paper's balancing and augmentation). paper_sources() makes the
// paper's pair for one fold: the training part split 90/10, stratified by label.
// Requires: fill() may be called with any run of a plan's items, in any order.
// Ensures: plan(epoch) is deterministic given (source seed, epoch): training sources shuffle or
// balance with rng(epoch_seed(seed, epoch)); validation sources keep their order and are never
// augmented. fill() reshapes `x` only when the batch size changes (buffers are reused).
// Not templates (but the concept): defined in impl/batch_sources.ipp (core/config.hpp: compiled
// once with DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/train/augmentation.hpp"

namespace dermtl::train {

// A batch source: the items of one epoch (deterministic given the epoch) and how to turn a run
// of items into an N x C x H x W batch with labels.
template <class S>
concept batch_source = requires(S& s, std::size_t epoch, std::span<const typename S::item> items, host_tensor& x,
                                std::vector<int>& y) {
    typename S::item;
    { s.plan(epoch) } -> std::same_as<std::vector<typename S::item>>;
    s.fill(items, x, y);
};

// Images already in memory (N x C x H x W) with labels; a subset by indices. Training sources
// shuffle every epoch with rng(epoch_seed(seed, epoch)); validation sources keep their order.
class tensor_source {
public:
    using item = std::size_t;

    tensor_source(std::shared_ptr<const host_tensor> images, std::vector<int> labels,
                  std::vector<std::size_t> indices, bool shuffle, std::uint64_t seed = 0);

    std::size_t size() const { return indices_.size(); }

    std::vector<item> plan(std::size_t epoch) const;

    void fill(std::span<const item> items, host_tensor& x, std::vector<int>& y) const;

private:
    std::shared_ptr<const host_tensor> images_;
    std::vector<int> labels_;
    std::vector<std::size_t> indices_;
    bool shuffle_;
    std::uint64_t seed_;
};

// A data::dataset's samples through the image cache. Training sources follow the paper: each
// epoch is balanced_epoch() (minority classes oversampled with augmented copies, shuffled);
// validation sources keep their order and are never augmented.
class dataset_source {
public:
    using item = plan_item;

    dataset_source(const data::dataset& d, std::vector<std::size_t> indices, io::image_cache& cache,
                   io::mean_image mean, bool training, std::uint64_t seed = 0, augmentation_options aug = {},
                   balance_options balance = {})
        : d_(&d), indices_(std::move(indices)), cache_(&cache), mean_(std::move(mean)), training_(training),
          seed_(seed), aug_(aug), balance_(balance) {}

    std::size_t size() const { return indices_.size(); }

    std::vector<item> plan(std::size_t epoch) const;

    void fill(std::span<const item> items, host_tensor& x, std::vector<int>& y) const {
        fill_augmented_batch(*d_, items, *cache_, mean_, aug_, x, y);
    }

private:
    const data::dataset* d_;
    std::vector<std::size_t> indices_;
    io::image_cache* cache_;
    io::mean_image mean_;
    bool training_;
    std::uint64_t seed_;
    augmentation_options aug_;
    balance_options balance_;
};

// The paper's sources for one fold: its training part split 90/10, stratified by label, into
// a balanced, augmented training source and a plain validation source.
struct source_pair {
    dataset_source train, validation;
};
DERMTL_DECL source_pair paper_sources(const data::dataset& d, std::span<const std::size_t> train_indices,
                                      io::image_cache& cache, const io::mean_image& mean, std::uint64_t seed,
                                      double validation_fraction = 0.1, augmentation_options aug = {},
                                      balance_options balance = {});

// The same for a fold: its own validation split when the data gives one (fold::validation, e.g.
// ISIC 2017's official validation set), else the stratified 90/10 split of its training part.
// The augmentation, balancing and validation share are the paper's unless given (a protocol's).
DERMTL_DECL source_pair paper_sources(const data::dataset& d, const data::fold& f, io::image_cache& cache,
                                      const io::mean_image& mean, std::uint64_t seed, double validation_fraction = 0.1,
                                      augmentation_options aug = {}, balance_options balance = {});

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/batch_sources.ipp"
#endif
