// Definitions of train/batch_sources.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/batch_sources.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/folds.hpp"

namespace dermtl::train {

DERMTL_DECL tensor_source::tensor_source(std::shared_ptr<const host_tensor> images, std::vector<int> labels,
                                         std::vector<std::size_t> indices, bool shuffle, std::uint64_t seed)
    : images_(std::move(images)), labels_(std::move(labels)), indices_(std::move(indices)), shuffle_(shuffle),
      seed_(seed) {
    if (!images_) throw config_error("tensor_source: no images");
    if (labels_.size() != dims_of(*images_)[0])
        throw shape_error("tensor_source: expected one label per image (" + std::to_string(dims_of(*images_)[0]) +
                          "), found " + std::to_string(labels_.size()));
    for (auto i : indices_)
        if (i >= labels_.size())
            throw config_error("tensor_source: index " + std::to_string(i) + " out of range (" +
                               std::to_string(labels_.size()) + " images)");
}

DERMTL_DECL std::vector<tensor_source::item> tensor_source::plan(std::size_t epoch) const {
    std::vector<item> order = indices_;
    if (shuffle_) {
        rng r(epoch_seed(seed_, epoch));
        r.shuffle(order.begin(), order.end());
    }
    return order;
}

DERMTL_DECL void tensor_source::fill(std::span<const item> items, host_tensor& x, std::vector<int>& y) const {
    const dims4 d = dims_of(*images_);
    const std::size_t per = d[1] * d[2] * d[3];
    ensure_shape(x, {items.size(), d[1], d[2], d[3]});
    y.resize(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) {
        std::copy_n(images_->data() + items[k] * per, per, x.data() + k * per);
        y[k] = labels_[items[k]];
    }
}

DERMTL_DECL std::vector<dataset_source::item> dataset_source::plan(std::size_t epoch) const {
    if (training_) return balanced_epoch(*d_, indices_, seed_, epoch, balance_);
    std::vector<item> out;
    out.reserve(indices_.size());
    for (auto i : indices_) out.push_back({i, false, 0});
    return out;
}

DERMTL_DECL source_pair paper_sources(const data::dataset& d, std::span<const std::size_t> train_indices,
                                      io::image_cache& cache, const io::mean_image& mean, std::uint64_t seed,
                                      double validation_fraction, augmentation_options aug,
                                      balance_options balance) {
    const data::split s = data::stratified_validation_split(d, train_indices, validation_fraction, seed);
    return {dataset_source(d, s.train, cache, mean, true, seed, aug, balance),
            dataset_source(d, s.validation, cache, mean, false, seed, aug, balance)};
}

DERMTL_DECL source_pair paper_sources(const data::dataset& d, const data::fold& f, io::image_cache& cache,
                                      const io::mean_image& mean, std::uint64_t seed, double validation_fraction,
                                      augmentation_options aug, balance_options balance) {
    if (f.validation.empty()) return paper_sources(d, f.train, cache, mean, seed, validation_fraction, aug, balance);
    return {dataset_source(d, f.train, cache, mean, true, seed, aug, balance),
            dataset_source(d, f.validation, cache, mean, false, seed, aug, balance)};
}

}  // namespace dermtl::train
