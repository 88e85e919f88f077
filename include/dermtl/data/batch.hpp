#pragma once
// Float32 NCHW batches of a dataset.
//
// Represents: the step from sample indices to a network input: each image comes from the
// preprocessed-image cache (decoded and resized once), optionally goes through a per-slot
// transform (augmentation, see train/augmentation.hpp), has the mean subtracted and is written
// into `images` (shape [indices.size(), 3, H, W]); `labels` receives the samples' labels.
// Requires: every sample has an image path (loaded with an image folder).
// Ensures: deterministic given the transform; images reshaped only when the batch size
// changes (buffers reused); decode errors name the image and its manifest line.
// Slots are filled in parallel (OpenMP) when `Transform` is thread-safe for distinct slots (the
// identity and train::fill_augmented_batch's per-slot seeded augmentation are); the result does
// not depend on the number of threads. The first error (by slot) is rethrown after the loop.
// The non-template code is defined in impl/batch.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"

namespace dermtl::data {

struct identity_transform {
    const cv::Mat& operator()(const cv::Mat& img, std::size_t /*slot*/) const { return img; }
};

template <class Transform = identity_transform>
void fill_batch(const dataset& d, std::span<const std::size_t> indices, io::image_cache& cache,
                const io::mean_image& mean, host_tensor& images, std::vector<int>& labels,
                Transform&& transform = {}) {
    const auto& p = cache.options().preprocess;
    ensure_shape(images, {indices.size(), 3, static_cast<std::size_t>(p.height), static_cast<std::size_t>(p.width)});
    labels.resize(indices.size());
    for (std::size_t slot = 0; slot < indices.size(); ++slot) {
        const std::size_t i = indices[slot];
        if (i >= d.size())
            throw config_error("fill_batch: index " + std::to_string(i) + " out of range for " + d.name + " (" +
                               std::to_string(d.size()) + " samples)");
        if (d[i].image.empty())
            throw config_error("fill_batch: sample " + quoted_value(d[i].id) + " (" + d[i].where() +
                               ") has no image path; load the dataset with its image folder");
        labels[slot] = d[i].label;
    }
    std::vector<std::exception_ptr> errors(indices.size());
    const auto n = static_cast<std::ptrdiff_t>(indices.size());
#pragma omp parallel for schedule(dynamic)
    for (std::ptrdiff_t k = 0; k < n; ++k) {
        const auto slot = static_cast<std::size_t>(k);
        try {
            const sample& s = d[indices[slot]];
            const cv::Mat img = cache.get(s.image, s.where());
            io::to_nchw(transform(img, slot), mean, images, slot);
        } catch (...) {
            errors[slot] = std::current_exception();
        }
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
}

// Consecutive batches of `batch_size` over `order` (the last one may be smaller).
DERMTL_DECL std::vector<std::span<const std::size_t>> batches_of(std::span<const std::size_t> order,
                                                                 std::size_t batch_size);

// The per-pixel or per-channel mean of a training set (images through the cache).
DERMTL_DECL io::mean_image training_mean(const dataset& d, std::span<const std::size_t> indices, io::image_cache& cache,
                                         io::mean_image::kind k);

}  // namespace dermtl::data

#if DERMTL_HEADER_ONLY
#include "dermtl/data/impl/batch.ipp"
#endif
