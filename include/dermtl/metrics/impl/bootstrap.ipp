// Definitions of metrics/bootstrap.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/metrics/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/input_checks.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/threshold_metrics.hpp"

namespace dermtl::metrics {

namespace detail {

DERMTL_DECL double numpy_percentile(std::span<const double> sorted, double q_percent) {
    // numpy 1.24 np.percentile(a, q): q /= 100; virtual index (n - 1) q; neighbours floor and
    // floor + 1 (both the last value at or past the end); _lerp's two-sided formula.
    const double q = q_percent / 100;
    const auto n = sorted.size();
    const double virtual_index = static_cast<double>(n - 1) * q;
    if (virtual_index >= static_cast<double>(n - 1)) return sorted[n - 1];
    if (virtual_index < 0) return sorted[0];
    const double previous = std::floor(virtual_index);
    const auto i = static_cast<std::size_t>(previous);
    const double gamma = virtual_index - previous;
    const double a = sorted[i], b = sorted[i + 1];
    const double diff = b - a;
    // The product is rounded on its own, as numpy's is: a build with -ffp-contract=fast (GCC's
    // default in gnu++ modes, with FMA from -march=native) would otherwise fuse it into the sum and
    // move an equal-mass bin edge by a bit.
    volatile double step = gamma >= 0.5 ? diff * (1 - gamma) : diff * gamma;
    return gamma >= 0.5 ? b - step : a + step;
}

DERMTL_DECL double normal_quantile(double p) {
    if (std::isnan(p)) return p;
    if (p <= 0) return p == 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
    if (p >= 1) return p == 1 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
    return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

DERMTL_DECL double normal_cdf(double x) {
    if (std::isnan(x)) return x;
    if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
    return boost::math::cdf(boost::math::normal_distribution<double>(), x);
}

// The statistic on one sample, with the sample named in any failure.
DERMTL_DECL double bootstrap_evaluate(const row_statistic& statistic, std::span<const std::size_t> rows,
                                      const std::string& sample) {
    double value = 0;
    try {
        value = statistic(rows);
    } catch (const std::exception& e) {
        throw numeric_error("bootstrap: the statistic failed on " + sample + ": " + e.what());
    }
    if (!std::isfinite(value))
        throw numeric_error("bootstrap: expected a finite statistic, found " + std::to_string(value) + " on " + sample);
    return value;
}

}  // namespace detail

DERMTL_DECL resampling_design::resampling_design(std::span<const int> labels, std::span<const std::string> groups,
                                                 int n_classes) {
    constexpr const char* op = "bootstrap";
    if (labels.empty())
        throw config_error("bootstrap: expected at least one case, found an empty set (an empty fold?)");
    if (!groups.empty() && groups.size() != labels.size())
        throw shape_error("bootstrap: expected one group id per case (" + std::to_string(labels.size()) +
                          " cases), found " + std::to_string(groups.size()));
    if (n_classes < 2) throw config_error("bootstrap: expected at least 2 classes, found " + std::to_string(n_classes));
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0 || labels[i] >= n_classes)
            throw config_error(detail::op_prefix(op) + "expected labels in [0, " + std::to_string(n_classes) +
                               "), found " + std::to_string(labels[i]) + " at index " + std::to_string(i));
    rows_ = labels.size();
    clustered_ = !groups.empty();
    if (clustered_) {
        std::unordered_map<std::string, std::size_t> unit_of;
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const auto [it, added] = unit_of.emplace(groups[i], unit_rows_.size());
            if (added) unit_rows_.emplace_back();
            unit_rows_[it->second].push_back(i);
        }
    } else {
        unit_rows_.resize(labels.size());
        for (std::size_t i = 0; i < labels.size(); ++i) unit_rows_[i] = {i};
    }
    // Strata by class set; count the units holding each class.
    std::map<std::vector<int>, std::vector<std::size_t>> by_classes;
    std::vector<std::size_t> units_with(static_cast<std::size_t>(n_classes), 0);
    for (std::size_t u = 0; u < unit_rows_.size(); ++u) {
        std::vector<int> classes;
        for (auto r : unit_rows_[u]) classes.push_back(labels[r]);
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        for (int c : classes) ++units_with[static_cast<std::size_t>(c)];
        by_classes[classes].push_back(u);
    }
    bool enough = true;
    std::string counts;
    for (int c = 0; c < n_classes; ++c) {
        const auto k = units_with[static_cast<std::size_t>(c)];
        enough = enough && k >= 2;
        counts += (c ? ", class " : "class ") + std::to_string(c) + ": " + std::to_string(k);
    }
    if (!enough) {
        const std::string unit = clustered_ ? "groups" : "cases";
        throw config_error("bootstrap: expected at least 2 " + unit + " holding each class (every resample keeps "
                           "each class, and the BCa jackknife leaves one " + (clustered_ ? "group" : "case") +
                           " out), found " + unit + " per class " + counts + " (" +
                           std::to_string(unit_rows_.size()) + " " + unit + " in all)");
    }
    for (auto& [classes, units] : by_classes) strata_.push_back(std::move(units));
}

DERMTL_DECL std::vector<std::size_t> resampling_design::draw(rng& g) const {
    std::vector<std::size_t> drawn;
    drawn.reserve(unit_rows_.size());
    for (const auto& stratum : strata_)
        for (std::size_t k = 0; k < stratum.size(); ++k) drawn.push_back(stratum[g.below(stratum.size())]);
    return drawn;
}

DERMTL_DECL std::vector<std::size_t> resampling_design::rows_of(std::span<const std::size_t> units) const {
    std::vector<std::size_t> rows;
    rows.reserve(rows_);
    for (auto u : units) rows.insert(rows.end(), unit_rows_[u].begin(), unit_rows_[u].end());
    return rows;
}

DERMTL_DECL bootstrap_result bootstrap(const resampling_design& design, const row_statistic& statistic,
                                       const bootstrap_options& options) {
    if (options.resamples < 2)
        throw config_error("bootstrap: expected at least 2 resamples, found " + std::to_string(options.resamples));
    if (!(options.confidence > 0 && options.confidence < 1))
        throw config_error("bootstrap: expected a confidence level in (0, 1), found " +
                           std::to_string(options.confidence));
    const std::string seed_text = " (seed " + std::to_string(options.seed) + ")";
    bootstrap_result r;
    r.confidence = options.confidence;
    r.resamples = options.resamples;
    r.units = design.units();
    r.clustered = design.clustered();
    r.seed = options.seed;

    std::vector<std::size_t> all_units(design.units());
    for (std::size_t u = 0; u < all_units.size(); ++u) all_units[u] = u;
    r.estimate = detail::bootstrap_evaluate(statistic, design.rows_of(all_units), "all cases");

    std::vector<double> theta(options.resamples);
    rng g(options.seed);
    for (std::size_t b = 0; b < options.resamples; ++b)
        theta[b] = detail::bootstrap_evaluate(statistic, design.rows_of(design.draw(g)),
                                              "resample " + std::to_string(b + 1) + " of " +
                                                  std::to_string(options.resamples) + seed_text);
    if (options.keep_replicates) r.replicates = theta;

    double mean = 0;
    for (double t : theta) mean += t;
    mean /= static_cast<double>(theta.size());
    double ss = 0;
    for (double t : theta) ss += (t - mean) * (t - mean);
    r.standard_error = std::sqrt(ss / static_cast<double>(theta.size() - 1));

    std::vector<double> sorted = theta;
    std::sort(sorted.begin(), sorted.end());
    const double alpha = (1 - options.confidence) / 2;
    r.percentile = {detail::numpy_percentile(sorted, alpha * 100), detail::numpy_percentile(sorted, (1 - alpha) * 100)};

    // BCa. z0: the share of replicates below the estimate, ties counting one half. A replicate
    // equal to the estimate up to rounding (1e-12 relative) is a tie: the AUC of a resample can
    // equal the estimate's rational value and differ from it in the last bit, as the same value
    // summed along another curve; exact comparison would let that bit move z0.
    std::size_t below = 0, at_or_below = 0;
    for (double t : theta) {
        const bool tie = std::abs(t - r.estimate) <= 1e-12 * std::max(std::abs(t), std::abs(r.estimate));
        below += !tie && t < r.estimate;
        at_or_below += tie || t < r.estimate;
    }
    r.bias_correction = detail::normal_quantile(static_cast<double>(below + at_or_below) /
                                                (2 * static_cast<double>(theta.size())));
    // a: jackknife leaving out one unit at a time.
    const std::size_t n = design.units();
    std::vector<double> jack(n);
    std::vector<std::size_t> kept(n - 1);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t u = 0, k = 0; u < n; ++u)
            if (u != i) kept[k++] = u;
        jack[i] = detail::bootstrap_evaluate(statistic, design.rows_of(kept),
                                             "the jackknife sample without " +
                                                 std::string(design.clustered() ? "group " : "case ") +
                                                 std::to_string(i + 1) + " of " + std::to_string(n));
    }
    double jack_mean = 0;
    for (double t : jack) jack_mean += t;
    jack_mean /= static_cast<double>(n);
    double num = 0, den = 0;
    const double nd = static_cast<double>(n);
    for (double t : jack) {
        const double u = (nd - 1) * (jack_mean - t);
        num += u * u * u;
        den += u * u;
    }
    num /= nd * nd * nd;
    den /= nd * nd;
    r.acceleration = 1.0 / 6 * num / std::pow(den, 1.5);  // 0/0 = NaN when every jackknife value is equal

    const double z_alpha = detail::normal_quantile(alpha);
    const double z0 = r.bias_correction, a = r.acceleration;
    const double num1 = z0 + z_alpha, num2 = z0 - z_alpha;
    const double alpha_1 = detail::normal_cdf(z0 + num1 / (1 - a * num1));
    const double alpha_2 = detail::normal_cdf(z0 + num2 / (1 - a * num2));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.bca.lower = std::isnan(alpha_1) ? nan : detail::numpy_percentile(sorted, alpha_1 * 100);
    r.bca.upper = std::isnan(alpha_2) ? nan : detail::numpy_percentile(sorted, alpha_2 * 100);
    return r;
}

DERMTL_DECL bootstrap_result bootstrap_binary(std::span<const int> labels, std::span<const double> scores,
                                              std::span<const std::string> groups, const binary_metric& metric,
                                              const bootstrap_options& options) {
    detail::check_binary_scores("bootstrap", labels, scores);
    const resampling_design design(labels, groups, 2);
    std::vector<int> l;
    std::vector<double> s;
    const row_statistic statistic = [&](std::span<const std::size_t> rows) {
        l.resize(rows.size());
        s.resize(rows.size());
        for (std::size_t k = 0; k < rows.size(); ++k) {
            l[k] = labels[rows[k]];
            s[k] = scores[rows[k]];
        }
        return metric(l, s);
    };
    return bootstrap(design, statistic, options);
}

DERMTL_DECL bootstrap_result bootstrap_auc(std::span<const int> labels, std::span<const double> scores,
                                           std::span<const std::string> groups, const bootstrap_options& options) {
    return bootstrap_binary(labels, scores, groups, [](auto l, auto s) { return roc_auc(l, s); }, options);
}

DERMTL_DECL bootstrap_result bootstrap_average_precision(std::span<const int> labels, std::span<const double> scores,
                                                         std::span<const std::string> groups,
                                                         const bootstrap_options& options) {
    return bootstrap_binary(labels, scores, groups, [](auto l, auto s) { return average_precision(l, s); }, options);
}

DERMTL_DECL bootstrap_result bootstrap_sensitivity(std::span<const int> labels, std::span<const double> confidences,
                                                   std::span<const std::string> groups,
                                                   const bootstrap_options& options) {
    isic_threshold_metrics(labels, confidences);  // refuse confidences outside [0, 1] up front
    return bootstrap_binary(labels, confidences, groups,
                            [](auto l, auto s) { return isic_threshold_metrics(l, s).sensitivity; }, options);
}

DERMTL_DECL bootstrap_result bootstrap_specificity(std::span<const int> labels, std::span<const double> confidences,
                                                   std::span<const std::string> groups,
                                                   const bootstrap_options& options) {
    isic_threshold_metrics(labels, confidences);
    return bootstrap_binary(labels, confidences, groups,
                            [](auto l, auto s) { return isic_threshold_metrics(l, s).specificity; }, options);
}

DERMTL_DECL bootstrap_result bootstrap_one_vs_one_auc(std::span<const int> labels, const score_matrix& scores,
                                                      std::span<const std::string> groups,
                                                      const bootstrap_options& options) {
    one_vs_one_auc(labels, scores);  // the metric's own checks (sizes, labels, finite scores) first
    const resampling_design design(labels, groups, static_cast<int>(scores.cols()));
    std::vector<int> l;
    score_matrix s;
    const row_statistic statistic = [&](std::span<const std::size_t> rows) {
        l.resize(rows.size());
        s.resize(static_cast<Eigen::Index>(rows.size()), scores.cols());
        for (std::size_t k = 0; k < rows.size(); ++k) {
            l[k] = labels[rows[k]];
            s.row(static_cast<Eigen::Index>(k)) = scores.row(static_cast<Eigen::Index>(rows[k]));
        }
        return one_vs_one_auc(l, s);
    };
    return bootstrap(design, statistic, options);
}

}  // namespace dermtl::metrics
