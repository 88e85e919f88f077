// Definitions of svm/stratified_split.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/stratified_split.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace dermtl::svm {

DERMTL_DECL holdout_split stratified_holdout(std::span<const int> labels, int n_classes, double fraction, rng& g) {
    const std::string op = "stratified_holdout";
    if (!(fraction > 0 && fraction < 1))
        throw config_error(op + ": expected a validation fraction in (0, 1), found " + std::to_string(fraction));
    std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(std::max(n_classes, 0)));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= n_classes)
            throw config_error(op + ": expected labels in [0, " + std::to_string(n_classes) + "), found " +
                               std::to_string(labels[i]) + " at index " + std::to_string(i));
        members[static_cast<std::size_t>(labels[i])].push_back(i);
    }
    for (int k = 0; k < n_classes; ++k)
        if (members[static_cast<std::size_t>(k)].size() < 2)
            throw config_error(op + ": expected at least 2 cases of every class to stratify, found " +
                               std::to_string(members[static_cast<std::size_t>(k)].size()) + " of class " +
                               std::to_string(k));
    const double n = static_cast<double>(labels.size());
    const double n_val = std::ceil(fraction * n);
    std::vector<std::size_t> take(members.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    std::size_t taken = 0;
    for (std::size_t k = 0; k < members.size(); ++k) {
        const double exact = n_val * static_cast<double>(members[k].size()) / n;
        take[k] = static_cast<std::size_t>(std::floor(exact));
        taken += take[k];
        remainders.push_back({exact - std::floor(exact), k});
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](auto x, auto y) { return x.first > y.first; });
    for (std::size_t r = 0; taken < static_cast<std::size_t>(n_val) && r < remainders.size(); ++r, ++taken)
        ++take[remainders[r].second];
    holdout_split s;
    for (std::size_t k = 0; k < members.size(); ++k) {
        take[k] = std::clamp<std::size_t>(take[k], 1, members[k].size() - 1);
        auto idx = members[k];
        g.shuffle(idx.begin(), idx.end());
        s.validation.insert(s.validation.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(take[k]));
        s.train.insert(s.train.end(), idx.begin() + static_cast<std::ptrdiff_t>(take[k]), idx.end());
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.validation.begin(), s.validation.end());
    return s;
}

DERMTL_DECL std::vector<holdout_split> repeated_stratified_holdouts(std::span<const int> labels, int n_classes,
                                                                    double fraction, int n_splits, std::uint64_t seed) {
    if (n_splits < 1)
        throw config_error("repeated_stratified_holdouts: expected at least one split, found " + std::to_string(n_splits));
    rng g(seed);
    std::vector<holdout_split> out;
    for (int s = 0; s < n_splits; ++s) out.push_back(stratified_holdout(labels, n_classes, fraction, g));
    return out;
}

}  // namespace dermtl::svm
