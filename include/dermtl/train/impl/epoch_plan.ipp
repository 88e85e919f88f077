// Definitions of train/epoch_plan.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/epoch_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/train/geometric_warp.hpp"

namespace dermtl::train {

DERMTL_DECL balance_options reference_balance() {
    balance_options b;
    b.kind = balance_kind::resample;
    b.augment_all = true;
    return b;
}

DERMTL_DECL std::uint64_t epoch_seed(std::uint64_t experiment_seed, std::uint64_t epoch) {
    std::uint64_t z = experiment_seed * 0x9E3779B97F4A7C15ull + epoch + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

namespace balance_detail {
DERMTL_DECL std::map<int, std::vector<std::size_t>> by_label(const data::dataset& d,
                                                             std::span<const std::size_t> indices, const char* what) {
    std::map<int, std::vector<std::size_t>> out;
    for (auto i : indices) {
        if (i >= d.size()) throw config_error(std::string(what) + ": index " + std::to_string(i) + " out of range");
        if (d[i].label < 0)
            throw config_error(std::string(what) + ": sample '" + d[i].id + "' (" + d[i].where() + ") has no label");
        out[d[i].label].push_back(i);
    }
    return out;
}

DERMTL_DECL std::vector<plan_item> oversampled(const data::dataset& d, std::span<const std::size_t> indices, rng& r,
                                               const balance_options& opt) {
    auto groups = by_label(d, indices, "balanced_epoch");
    std::size_t largest = 0;
    for (const auto& [l, m] : groups) largest = std::max(largest, m.size());
    std::vector<plan_item> plan;
    for (auto& [label, members] : groups) {
        for (auto i : members) plan.push_back({i, opt.augment_all, opt.augment_all ? r.next_u64() : 0});
        if (!opt.balance) continue;
        std::vector<std::size_t> cycle = members;
        for (std::size_t k = 0, need = largest - members.size(); k < need; ++k) {
            if (k % cycle.size() == 0) r.shuffle(cycle.begin(), cycle.end());
            plan.push_back({cycle[k % cycle.size()], true, r.next_u64()});
        }
    }
    return plan;
}

DERMTL_DECL std::vector<plan_item> resampled(const data::dataset& d, std::span<const std::size_t> indices, rng& r,
                                             const balance_options& opt) {
    const auto groups = by_label(d, indices, "balanced_epoch (resample)");
    if (groups.empty()) return {};
    // The majority: the largest class, the lowest label among equals.
    auto majority = groups.begin();
    for (auto it = groups.begin(); it != groups.end(); ++it)
        if (it->second.size() > majority->second.size()) majority = it;
    std::vector<plan_item> plan;
    for (auto i : majority->second) plan.push_back({i, opt.augment_all, opt.augment_all ? r.next_u64() : 0});
    // The pooled minorities (label order, then index order), each item weighted by its class.
    std::vector<std::size_t> pool;
    std::vector<double> cumulative;
    double total = 0;
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        if (it == majority) continue;
        const auto label = static_cast<std::size_t>(it->first);
        double w = 1.0 / double(it->second.size());
        if (!opt.class_weights.empty()) {
            if (label >= opt.class_weights.size())
                throw config_error("balanced_epoch (resample): balance_options::class_weights has " +
                                   std::to_string(opt.class_weights.size()) + " weights, expected one for label " +
                                   std::to_string(label) + " (one per label, index = label)");
            w = opt.class_weights[label];
            if (!std::isfinite(w) || w < 0)
                throw config_error("balanced_epoch (resample): balance_options::class_weights[" + std::to_string(label) +
                                   "] must be finite and >= 0, found " + std::to_string(w));
        }
        for (auto i : it->second) {
            pool.push_back(i);
            total += w;
            cumulative.push_back(total);
        }
    }
    if (pool.empty()) return plan;  // one class only: nothing to balance
    if (!(total > 0))
        throw config_error("balanced_epoch (resample): balance_options::class_weights give the minority classes a "
                           "total weight of 0; expected some minority class with a weight > 0");
    for (std::size_t k = 0, n = majority->second.size(); k < n; ++k) {
        const double u = r.uniform_double() * total;
        auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
        at = std::min<std::ptrdiff_t>(at, std::ptrdiff_t(pool.size()) - 1);
        plan.push_back({pool[std::size_t(at)], true, r.next_u64()});
    }
    return plan;
}
}  // namespace balance_detail

DERMTL_DECL std::vector<plan_item> balanced_epoch(const data::dataset& d, std::span<const std::size_t> indices,
                                                  std::uint64_t experiment_seed, std::uint64_t epoch,
                                                  const balance_options& opt) {
    rng r(epoch_seed(experiment_seed, epoch));
    std::vector<plan_item> plan = opt.kind == balance_kind::resample && opt.balance
                                      ? balance_detail::resampled(d, indices, r, opt)
                                      : balance_detail::oversampled(d, indices, r, opt);
    if (opt.shuffle) r.shuffle(plan.begin(), plan.end());
    return plan;
}

DERMTL_DECL std::map<int, std::size_t> class_counts(const data::dataset& d, std::span<const plan_item> plan) {
    std::map<int, std::size_t> c;
    for (const auto& p : plan) ++c[d[p.index].label];
    return c;
}

DERMTL_DECL void fill_augmented_batch(const data::dataset& d, std::span<const plan_item> items, io::image_cache& cache,
                                      const io::mean_image& mean, const augmentation_options& aug, host_tensor& images,
                                      std::vector<int>& labels) {
    std::vector<std::size_t> idx;
    idx.reserve(items.size());
    for (const auto& it : items) idx.push_back(it.index);
    data::fill_batch(d, idx, cache, mean, images, labels, [&](const cv::Mat& img, std::size_t slot) {
        if (!items[slot].augmented) return img;
        rng r(items[slot].seed);
        return augment(img, r, aug);
    });
}

}  // namespace dermtl::train
