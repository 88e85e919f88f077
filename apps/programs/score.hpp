#pragma once
// `dermtl score`: scores a submission against a ground truth in the ISIC challenges' CSV formats,
// with every measure defined as the official scorer computes it (metrics/isic_challenge.hpp), and
// prints JSON keyed as that scorer's.
//
// Formats (told apart from the truth file's header and width; the predictions must be of the same
// challenge, or a dermtl predictions file):
//   2016 (Part 3)   truth `image,label` (0/1, 0.0/1.0, benign/malignant; header optional), predictions
//                   `image,confidence` (header optional). Output as the 2016 scorer's:
//                   [{"dataset": "aggregate", "metrics": [{"name": ..., "value": ...}, ...]}] with
//                   accuracy, sensitivity, specificity, average_precision, area_under_roc,
//                   spec_at_sens_95/98/99; an undefined SE or SP is null.
//   2017 (Part 3)   truth `image_id,melanoma,seborrheic_keratosis`, predictions of the same columns
//                   (headers optional). Output as the 2017 scorer's: <measure>_<category> for
//                   melanoma, seborrheic_keratosis and their mean, with spec_at_sens_82/89/95.
//   2018-2019       truth `image,<category>...[,score_weight][,validation_weight]`, predictions
//   (Task 3)        `image,<category>...` (any column order; a `.jpg` suffix on ids is dropped).
//                   Output as isic_challenge_scoring's to_dict(rocs=False): overall, validation,
//                   per_category {measure: {category: value}}, macro_average, aggregate.
//   dermtl          a predictions file (io/predictions.hpp) as the truth (its labels) and as the
//                   predictions (its confidences, or for more than two classes its scores), or as
//                   the predictions against a 2016 truth. Output as 2018-2019's. Scores that are
//                   not probabilities (the three-class design's SVM decision values) get only the
//                   measures that need none (AUC, auc_sens_80, AP, balanced accuracy): the others
//                   are listed under "omitted" with the reason.
// Measures beyond that year's scorer (auc_sens_80, pauc_80 -- the 2024 challenge's pAUC above 80%
// TPR --, dice, ppv, npv, spec_at_sens_NN) are reported when named with --metric; --metric lists
// the per-category measures to report, in its order.
#include <filesystem>
#include <string>
#include <vector>

namespace dermtl::programs {

struct score_options {
    std::filesystem::path truth, predictions;
    std::vector<std::string> metrics;  // empty: the scorer's own measures for the format
};

// The JSON text. Throws io_error for a file that cannot be read or is malformed (naming file:line
// and the column), config_error for predictions that do not match the truth (missing or extra
// images, naming the first few; a class column the truth lacks) and for an unknown --metric.
std::string score_submission(const score_options& options);

}  // namespace dermtl::programs
