#pragma once
// Deep features for the SVM stage: a feature tap's output for a set of samples.
//
// Represents: one row per sample of a network's tap output -- by default "fc7", i.e. VGG's fc7
// after its ReLU (the paper's "Group 7 / Layer 19", 4096-d) -- computed in batches in eval mode
// (no dropout), each row L2-normalized (all-zero rows stay zero, as sklearn's normalize).
// Three entry points: samples given by a fill callback, images already in memory, and a
// data::dataset's samples through the image cache (with their ids, ready for io::save_features).
// Requires: batch_size >= 1 (config_error otherwise).
// Ensures: the same rows whatever the batch size, up to the float rounding of another batch
// size's matrix blocking; exactly the same with the same batch size. Each batch is uploaded into
// the same backend tensor (no allocation per batch).
// Errors: a tap whose output does not have the expected size -> shape_error naming the tap; an
// index out of range -> config_error naming the dataset.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/fixed_string.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/feature_set.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::train {

struct feature_options {
    std::size_t batch_size = 48;
    bool l2_normalize = true;  // the paper normalizes before the SVM
};

// Runs `net` up to the tap `Tap` on `count` samples. `fill(indices, images)` must write the
// samples `indices` (0-based positions in [0, count)) into `images` as an N x C x H x W host
// tensor (preprocessed and mean-subtracted, as for training).
template <fixed_string Tap = "fc7", class Network, class Fill>
svm::feature_matrix extract_features(Network& net, std::size_t count, Fill&& fill, const feature_options& opt = {}) {
    using ops = typename Network::ops;
    using tensor = typename Network::tensor;
    using Net = typename Network::net_type;
    using tap_shape = typename Net::template shape_at<Net::template tap_index<Tap>>;
    if (opt.batch_size == 0) throw config_error("extract_features: batch_size must be at least 1, got 0");
    constexpr std::size_t dims = tap_shape::size;
    svm::feature_matrix out(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(dims));
    host_tensor images, tap;
    tensor input;
    std::vector<std::size_t> indices;
    for (std::size_t first = 0; first < count; first += opt.batch_size) {
        const std::size_t n = std::min(opt.batch_size, count - first);
        indices.resize(n);
        for (std::size_t k = 0; k < n; ++k) indices[k] = first + k;
        fill(std::span<const std::size_t>(indices), images);
        ops::from_host(images, input);
        ops::to_host(net.template features<Tap>(input), tap);
        if (tap.size() != n * dims)
            throw shape_error("extract_features: the tap '" + std::string(Tap.view()) + "' gave " +
                              describe(dims_of(tap)) + " for a batch of " + std::to_string(n) + ", expected " +
                              std::to_string(n) + " x " + tap_shape::str());
        std::memcpy(out.data() + first * dims, tap.data(), n * dims * sizeof(float));
    }
    if (opt.l2_normalize) svm::l2_normalize_rows(out);
    return out;
}

// Features of samples already in memory (N x C x H x W).
template <fixed_string Tap = "fc7", class Network>
svm::feature_matrix extract_features(Network& net, const host_tensor& images, const feature_options& opt = {}) {
    const dims4 d = dims_of(images);
    const std::size_t per = d[1] * d[2] * d[3];
    return extract_features<Tap>(
        net, d[0],
        [&](std::span<const std::size_t> idx, host_tensor& batch) {
            ensure_shape(batch, {idx.size(), d[1], d[2], d[3]});
            for (std::size_t k = 0; k < idx.size(); ++k)
                std::memcpy(batch.data() + k * per, images.data() + idx[k] * per, per * sizeof(float));
        },
        opt);
}

// Features of the samples `indices` of a dataset (images through the preprocessed-image cache,
// minus `mean`), with their ids -- ready for io::save_features.
template <fixed_string Tap = "fc7", class Network>
io::feature_set extract_features(Network& net, const data::dataset& d, std::span<const std::size_t> indices,
                                 io::image_cache& cache, const io::mean_image& mean, const feature_options& opt = {}) {
    io::feature_set out;
    out.ids.reserve(indices.size());
    for (auto i : indices) {
        if (i >= d.size())
            throw config_error("extract_features: index " + std::to_string(i) + " out of range for " + d.name + " (" +
                               std::to_string(d.size()) + " samples)");
        out.ids.push_back(d[i].id);
    }
    std::vector<std::size_t> chosen;
    std::vector<int> labels;
    out.values = extract_features<Tap>(
        net, indices.size(),
        [&](std::span<const std::size_t> positions, host_tensor& batch) {
            chosen.clear();
            for (auto p : positions) chosen.push_back(indices[p]);
            data::fill_batch(d, chosen, cache, mean, batch, labels);
        },
        opt);
    return out;
}

}  // namespace dermtl::train
