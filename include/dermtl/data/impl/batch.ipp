// Definitions of data/batch.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/batch.hpp"

#include <algorithm>

namespace dermtl::data {

// Consecutive batches of `batch_size` over `order` (the last one may be smaller).
DERMTL_DECL std::vector<std::span<const std::size_t>> batches_of(std::span<const std::size_t> order,
                                                                 std::size_t batch_size) {
    if (batch_size == 0) throw config_error("batches_of: batch_size must be > 0");
    std::vector<std::span<const std::size_t>> out;
    for (std::size_t b = 0; b < order.size(); b += batch_size) out.push_back(order.subspan(b, std::min(batch_size, order.size() - b)));
    return out;
}

// The per-pixel or per-channel mean of a training set (images through the cache).
DERMTL_DECL io::mean_image training_mean(const dataset& d, std::span<const std::size_t> indices, io::image_cache& cache,
                                         io::mean_image::kind k) {
    io::mean_accumulator acc;
    for (auto i : indices) acc.add(cache.get(d[i].image, d[i].where()));
    return acc.result(k);
}

}  // namespace dermtl::data
