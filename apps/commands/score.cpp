// dermtl score: scores a submission against a ground truth in the ISIC challenges' CSV formats
// (2016 binary through 2019 multi-class) or dermtl's own predictions files (OUT/predictions/), and
// prints the official scorer's measures as its JSON (programs/score.hpp).
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "programs/score.hpp"

namespace dermtl::commands {

command add_score(CLI::App& app) {
    auto o = std::make_shared<programs::score_options>();
    auto* c = app.add_subcommand("score",
                                 "Score predictions against a ground truth as the ISIC challenge scorer does "
                                 "(2016-2019 formats, or dermtl's OUT/predictions files); prints its JSON");
    c->add_option("--truth", o->truth,
                  "Ground truth CSV: ISIC 2016 Part 3 (image,label), 2017 Part 3 "
                  "(image_id,melanoma,seborrheic_keratosis), 2018-2019 Task 3 (image,<category>...[,score_weight]"
                  "[,validation_weight]) or a dermtl predictions file (its labels)")
        ->required();
    c->add_option("--predictions", o->predictions,
                  "Predictions CSV of the truth's format (probabilities in [0, 1]) or a dermtl predictions file "
                  "(OUT/predictions/<cell>/pooled.csv)")
        ->required();
    c->add_option("--metric", o->metrics,
                  "Report only these per-category measures, in this order (repeatable); also the ones beyond that "
                  "year's scorer: auc_sens_80, pauc_80 (ISIC 2024's pAUC above 80% TPR), dice, ppv, npv, "
                  "spec_at_sens_82/89/95/98/99");
    return {c, [o](int, char**) {
                std::cout << programs::score_submission(*o);
                return 0;
            }};
}

}  // namespace dermtl::commands
