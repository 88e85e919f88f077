#pragma once
// Platt scaling: the mapping from SVM decision values to malignancy confidences in [0, 1] that
// the ISIC scorer's `> 0.5` rule needs. P(malignant | f) = 1 / (1 + exp(a f + b)), with (a, b)
// minimizing the cross-entropy against Platt's regularized targets (positives
// (N+ + 1) / (N+ + 2), negatives 1 / (N- + 2)) -- the objective of libsvm and of sklearn's
// CalibratedClassifierCV(method='sigmoid'). Solved by Newton's method with backtracking
// (Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs for support vector machines").
//
// Where it is fitted: on decision values the classifier did not train on -- svm_classifier
// uses the validation split(s) of C selection (models trained on the other 90% with the chosen
// C) and applies the mapping to the final model refit on the whole training set.
// fit_platt is defined in impl/platt_scaling.ipp (core/config.hpp); the sigmoid itself stays inline.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/metrics/input_checks.hpp"

namespace dermtl::svm {

// Represents: the fitted sigmoid. Ensures probability(f) in [0, 1], decreasing in a * f.
struct platt_scaling {
    double a = 0;
    double b = 0;

    double probability(double f) const {
        const double t = a * f + b;  // evaluated without overflow for either sign
        return t >= 0 ? std::exp(-t) / (1.0 + std::exp(-t)) : 1.0 / (1.0 + std::exp(t));
    }
    std::vector<double> probabilities(std::span<const double> f) const {
        std::vector<double> p(f.size());
        for (std::size_t i = 0; i < f.size(); ++i) p[i] = probability(f[i]);
        return p;
    }
};

// Requires: labels 0/1 with both classes (1 = malignant), one finite decision value per label.
// Ensures: the minimizer of Platt's objective (gradient below 1e-12 * n, or no further decrease
//          possible in double precision); agrees with sklearn's _sigmoid_calibration.
// Throws: config_error (labels), shape_error (sizes), numeric_error (NaN values).
DERMTL_DECL platt_scaling fit_platt(std::span<const double> decision_values, std::span<const int> labels);

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/platt_scaling.ipp"
#endif
