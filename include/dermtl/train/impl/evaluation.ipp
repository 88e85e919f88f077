// Definitions of train/evaluation.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/evaluation.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::train {

namespace evaluation_detail {

DERMTL_DECL double auc_of(const std::vector<int>& labels, const std::vector<float>& probs, std::size_t classes) {
    try {
        if (classes == 2) {
            std::vector<double> s(labels.size());
            for (std::size_t i = 0; i < labels.size(); ++i) s[i] = probs[i * 2 + 1];
            return metrics::roc_auc(labels, s);
        }
        metrics::score_matrix m(Eigen::Index(labels.size()), Eigen::Index(classes));
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (std::size_t k = 0; k < classes; ++k) m(Eigen::Index(i), Eigen::Index(k)) = probs[i * classes + k];
        return metrics::one_vs_one_auc(labels, m);
    } catch (const error&) {
        return NAN;
    }
}

}  // namespace evaluation_detail

}  // namespace dermtl::train
