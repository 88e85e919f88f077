// Definitions of svm/platt_scaling.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/svm/platt_scaling.hpp"

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::svm {

DERMTL_DECL platt_scaling fit_platt(std::span<const double> decision_values, std::span<const int> labels) {
    constexpr const char* op = "fit_platt";
    metrics::detail::check_same_size(op, labels.size(), decision_values.size(), "decision");
    metrics::detail::check_finite(op, decision_values, "decision value");
    const auto counts = metrics::detail::check_binary_labels(op, labels);
    const double prior1 = static_cast<double>(counts.positives), prior0 = static_cast<double>(counts.negatives);
    const double hi = (prior1 + 1) / (prior1 + 2), lo = 1 / (prior0 + 2);
    const std::size_t n = labels.size();
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = labels[i] ? hi : lo;
    const auto& f = decision_values;
    auto objective = [&](double a, double b) {
        double v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double z = f[i] * a + b;
            v += z >= 0 ? t[i] * z + std::log1p(std::exp(-z)) : (t[i] - 1) * z + std::log1p(std::exp(z));
        }
        return v;
    };
    platt_scaling s{0.0, std::log((prior0 + 1) / (prior1 + 1))};
    double value = objective(s.a, s.b);
    const double sigma = 1e-12, min_step = 1e-10, grad_tol = 1e-12 * static_cast<double>(n);
    for (int iter = 0; iter < 200; ++iter) {
        double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double z = f[i] * s.a + s.b;
            double p, q;  // p = P(positive) = 1 / (1 + exp(z)), q = 1 - p
            if (z >= 0) {
                p = std::exp(-z) / (1.0 + std::exp(-z));
                q = 1.0 / (1.0 + std::exp(-z));
            } else {
                p = 1.0 / (1.0 + std::exp(z));
                q = std::exp(z) / (1.0 + std::exp(z));
            }
            const double d2 = p * q;
            h11 += f[i] * f[i] * d2;
            h22 += d2;
            h21 += f[i] * d2;
            const double d1 = t[i] - p;
            g1 += f[i] * d1;
            g2 += d1;
        }
        if (std::abs(g1) < grad_tol && std::abs(g2) < grad_tol) break;
        const double det = h11 * h22 - h21 * h21;
        const double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
        const double gd = g1 * da + g2 * db;
        if (std::abs(da) + std::abs(db) <= 1e-15 * (1 + std::abs(s.a) + std::abs(s.b))) break;
        // Armijo backtracking; near the optimum the decrease falls below the objective's rounding,
        // so a step that keeps the objective within that rounding is taken too (Newton's full step
        // then finishes the last digits that an objective-only test cannot see).
        const double rounding = 1e-14 * (1 + std::abs(value));
        double step = 1;
        bool moved = false;
        while (step >= min_step) {
            const double na = s.a + step * da, nb = s.b + step * db;
            const double nv = objective(na, nb);
            if (nv < value + 1e-4 * step * gd || (step == 1 && nv <= value + rounding)) {
                s = {na, nb};
                value = nv;
                moved = true;
                break;
            }
            step /= 2;
        }
        if (!moved) break;  // no decrease left in double precision: at the optimum
    }
    if (!std::isfinite(s.a) || !std::isfinite(s.b))
        throw numeric_error(std::string(op) + ": expected finite sigmoid parameters, found a = " +
                            std::to_string(s.a) + ", b = " + std::to_string(s.b));
    return s;
}

}  // namespace dermtl::svm
