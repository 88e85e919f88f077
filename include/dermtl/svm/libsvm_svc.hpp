#pragma once
// The reference code's decision layer: scikit-learn 0.17's SVC(kernel='linear',
// class_weight='balanced', probability=True), i.e. libsvm's C-SVC -- hinge loss, an unregularized
// bias, solved by SMO to libsvm's eps (sklearn's tol, 1e-3) -- with Platt probabilities whose
// sigmoid libsvm fits on decision values from its own internal 5-fold cross-validation.
// Debian's libsvm (libsvm-dev), wrapped:
//   libsvm_svc          -- one binary C-SVC (labels 0/1), decision values positive for class 1;
//   libsvm_one_vs_rest  -- K >= 3 classes as sklearn's OneVsRestClassifier over that SVC.
//
// Represents: immutable trained models; copies share the libsvm model (reads only, so const use
//             from several threads is safe).
// Requires:   finite features, labels in range with every class present, C > 0.
// Ensures:    decision values agree with sklearn's SVC on the same data and C to within the
//             two libsvm copies' common stopping rule (tests/svm/test_libsvm_svc.cpp); the same
//             seed gives the same probabilities (libsvm's internal CV shuffles with rand(); it is
//             seeded under a process-wide lock around every svm_train).
// Throws:     config_error (labels, C, options), shape_error (rows vs labels, feature count),
//             numeric_error (NaN/Inf features), backend_error (libsvm returned no model).
// Not templates: defined in impl/libsvm_svc.ipp (core/config.hpp), the one place that includes
// libsvm's <libsvm/svm.h>; the models hold libsvm's data behind detail::libsvm_trained.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::svm {

// libsvm's settings, at sklearn SVC's defaults.
struct libsvm_options {
    double tolerance = 1e-3;  // libsvm eps = sklearn SVC tol (default 1e-3)
    double cache_mb = 200;    // kernel cache (sklearn's default; the reference used 5500): speed only
    bool shrinking = true;    // libsvm's shrinking heuristic (sklearn's default): speed only
    bool balanced = true;     // class weights n / (2 n_class) (sklearn class_weight='balanced')
    bool probability = true;  // fit Platt's sigmoid by libsvm's internal 5-fold CV (SVC probability=True)
};

namespace detail {

// The training data and the model libsvm built from it (libsvm's types: impl/libsvm_svc.ipp).
struct libsvm_trained;

}  // namespace detail

class libsvm_svc {
public:
    // Requires: x (n x d) finite, one 0/1 label per row with both present; c > 0.
    // Ensures: libsvm's C-SVC with a linear kernel, C_k = c * w_k (w_k = n / (2 n_k) if balanced,
    //          else 1); with options.probability, Platt's sigmoid from libsvm's 5-fold CV drawn
    //          after srand(seed-derived) -- the same seed, the same sigmoid.
    //          The training rows are handed to libsvm with one class-0 row first, so libsvm's
    //          internal class order (first seen) is sklearn's (sorted): both copies of libsvm then
    //          see the same grouped problem.
    static libsvm_svc fit(const feature_matrix& x, std::span<const int> labels, double c, std::uint64_t seed = 0,
                          const libsvm_options& options = {});

    // As fit, for one binary problem of several (one-vs-rest): stream decorrelates the seed.
    static libsvm_svc fit_stream(const feature_matrix& x, std::span<const int> labels, double c, std::uint64_t seed,
                                 std::uint64_t stream, const libsvm_options& options, const std::string& op);

    // Ensures: one value per row, positive for class 1 (libsvm's own sign, which follows the label
    //          it saw first, is undone), = sklearn SVC.decision_function.
    std::vector<double> decision_values(const feature_matrix& x) const;

    // Requires: fitted with probability. Ensures: libsvm's Platt probability of class 1, in [0, 1]
    //           (libsvm clamps it to [1e-7, 1 - 1e-7]) = sklearn SVC.predict_proba[:, 1] up to the
    //           internal CV's draw.
    std::vector<double> probabilities(const feature_matrix& x) const;

    // Ensures: libsvm's svm_predict (the decision's sign, not the probabilities) = sklearn SVC.predict.
    std::vector<int> predict(const feature_matrix& x) const;

    double c() const { return c_; }
    bool has_probability() const { return probability_; }
    int n_features() const;
    int n_support_vectors() const;

private:
    static void check_features(const std::string& op, const feature_matrix& x, std::size_t n_labels);
    void check_query(const std::string& op, const feature_matrix& x) const;

    double c_ = 0;
    bool probability_ = false;
    std::shared_ptr<const detail::libsvm_trained> trained_;
};

// Represents: sklearn's OneVsRestClassifier(SVC(...)) for K >= 3 classes: binary problem k is
// class k against the rest, each balanced on its own, each with its own Platt sigmoid.
class libsvm_one_vs_rest {
public:
    // Requires: x finite with one label in [0, n_classes) per row, every class present, n_classes
    //           >= 3 (two classes: libsvm_svc), c > 0.
    static libsvm_one_vs_rest fit(const feature_matrix& x, std::span<const int> labels, int n_classes, double c,
                                  std::uint64_t seed = 0, const libsvm_options& options = {});

    // Ensures: n x K, column k = binary problem k's decision value (positive: class k)
    //          = sklearn OneVsRestClassifier.decision_function.
    metrics::score_matrix decision_values(const feature_matrix& x) const;

    // Ensures: n x K, column k = binary problem k's Platt probability of class k, NOT normalized:
    //          sklearn's OneVsRestClassifier.predict_proba when fitted on label_binarize(y)
    //          (multilabel), as the reference code did for three classes.
    metrics::score_matrix class_probabilities(const feature_matrix& x) const;

    // Ensures: class_probabilities with each row divided by its sum: sklearn's
    //          OneVsRestClassifier.predict_proba when fitted on class labels (multiclass).
    metrics::score_matrix normalized_probabilities(const feature_matrix& x) const;

    // Ensures: the class of the largest decision value, the last such class on ties
    //          (sklearn's OneVsRestClassifier.predict on class labels).
    std::vector<int> predict(const feature_matrix& x) const;

    // Ensures: the first class whose decision value is positive, class 0 when none is: what the
    //          reference code's three-class ACC used (multilabel OneVsRestClassifier.predict, an
    //          indicator row, turned into a class by LabelBinarizer.inverse_transform's argmax).
    std::vector<int> predict_first_positive(const feature_matrix& x) const;

    int n_classes() const { return static_cast<int>(models_.size()); }
    double c() const { return models_.front().c(); }
    const libsvm_svc& binary(int k) const { return models_.at(static_cast<std::size_t>(k)); }

private:
    template <class F>
    metrics::score_matrix per_class(const feature_matrix& x, F f) const {
        metrics::score_matrix s(x.rows(), static_cast<Eigen::Index>(models_.size()));
        for (std::size_t k = 0; k < models_.size(); ++k) {
            const auto v = f(models_[k], x);
            for (Eigen::Index i = 0; i < x.rows(); ++i) s(i, static_cast<Eigen::Index>(k)) = v[static_cast<std::size_t>(i)];
        }
        return s;
    }

    std::vector<libsvm_svc> models_;
};

}  // namespace dermtl::svm

#if DERMTL_HEADER_ONLY
#include "dermtl/svm/impl/libsvm_svc.ipp"
#endif
