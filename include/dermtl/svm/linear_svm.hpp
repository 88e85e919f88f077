#pragma once
// The paper's SVM decision layer: a linear SVM trained by liblinear with the solver and loss of
// scikit-learn's LinearSVC(loss='squared_hinge', dual=True) -- L2-regularized, L2-loss (squared
// hinge), dual coordinate descent -- with the intercept learned as a regularized weight on a
// constant feature of value 1 (sklearn's intercept_scaling = 1), and class weights "balanced"
// (n / (2 n_class)) per binary problem, as the reference code's SVC(class_weight='balanced') did.
//
// liblinear 2.3 caps its dual solver at 1000 passes (sklearn's copy takes max_iter). When the cap
// is hit (large C on data that is not separable) the dual solution warm-starts liblinear's primal
// Newton solver (L2R_L2LOSS_SVC) on the same objective, which then reaches the optimum -- the
// model sklearn's LinearSVC converges to when given enough iterations. The objective is strictly
// convex, so the optimum does not depend on the solver that finds it.
// Three classes: one-vs-rest, each binary problem balanced on its own (the reference code wrapped
// its SVC in OneVsRestClassifier). The decision values are the scores.
// Not templates: defined in impl/linear_svm.ipp (core/config.hpp); liblinear's <linear.h> is
// included there (and by liblinear_problem.hpp), not here.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::svm {

class liblinear_problem;  // svm/liblinear_problem.hpp (liblinear's types)

// Training settings shared by every SVM fit.
struct train_options {
    double tolerance = 1e-4;   // liblinear eps = sklearn LinearSVC tol (default 1e-4)
    double bias = 1.0;         // constant feature for the intercept (sklearn intercept_scaling); < 0: none
    bool balanced = true;      // class weights n / (2 n_class) per binary problem
};

namespace detail {

// Requires: n_classes >= 2, labels in [0, n_classes) with every class present; config_error
// naming `op` otherwise.
DERMTL_DECL void check_labels(std::string_view op, std::span<const int> labels, int n_classes);

}  // namespace detail

// Represents: a trained linear SVM for n_classes classes (labels 0..n_classes-1). Two classes:
// one decision function, positive for class 1. More: one decision function per class
// (one-vs-rest). weights() is d x m and intercepts() has m entries, m = 1 or n_classes.
class linear_svm {
public:
    // Requires: x (n x d) finite with one row per label; labels in [0, n_classes) with every class
    //           present; c > 0.
    // Ensures: the decision values agree with sklearn LinearSVC(C=c, loss='squared_hinge',
    //          dual=True, class_weight='balanced', tol) fitted on the same data, to within the
    //          solver's tolerance (tests/svm states the agreement measured).
    // Throws: shape_error (rows vs labels), config_error (labels, c), numeric_error (NaN features).
    static linear_svm fit(const feature_matrix& x, std::span<const int> labels, int n_classes, double c,
                          const train_options& opt = {});

    // As above, on a prepared problem (reused across C values during model selection);
    // labels[i] belongs to the problem's row i.
    static linear_svm fit(liblinear_problem& problem, std::span<const int> labels, int n_classes, double c,
                          const train_options& opt = {});

    // Requires: x with d columns, finite. Ensures: n x m decision values (see class comment).
    metrics::score_matrix decision_values(const feature_matrix& x) const;

    // Two classes only: the decision values as a vector (positive = class 1).
    std::vector<double> binary_decision_values(const feature_matrix& x) const;

    int n_classes() const { return n_classes_; }
    double c() const { return c_; }
    const Eigen::MatrixXd& weights() const { return weights_; }
    const Eigen::VectorXd& intercepts() const { return intercepts_; }
    // How many of the binary problems needed the primal solver to finish (see top of file).
    int primal_polished() const { return primal_polished_; }

private:
    int primal_polished_ = 0;
    int n_classes_ = 0;
    double c_ = 0;
    Eigen::MatrixXd weights_;
    Eigen::VectorXd intercepts_;
};

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/linear_svm.ipp"
#endif
