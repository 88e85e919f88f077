// One cell of the paper's grid from user code: generate Atlas-like synthetic lesions, make 2 folds,
// train a scaled VGG-M from scratch with fine-tuning, fit the SVM on fc7 features, print the AUCs.
// (Swap in data::load_atlas(...) / data::load_reference_protocol(...), models::vgg_m_family<> and
// transfer::from_imagenet with inputs.imagenet_weights for the paper's own setting.)
#include <cstdio>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/protocol/experiment.hpp"

using namespace dermtl;
using namespace dermtl::protocol;

int main(int argc, char** argv) {
    const std::filesystem::path out = argc > 1 ? argv[1] : "dermtl-experiment";
    const data::dataset lesions = data::generate_lesions(out / "lesions", {.size = 64, .count = 96});
    const data::fold_set folds = data::make_5x2_folds(lesions, /*seed=*/2017, /*repetitions=*/1);
    io::image_cache cache({.preprocess = {.width = 64, .height = 64}});
    experiment_inputs in{.target = &lesions, .folds = &folds, .cache = &cache, .seed = 2017, .work_dir = out / "work"};
    in.target_training.epochs = 3;
    in.target_training.batch_size = 16;
    using cell = experiment<models::vgg_m_family<64, 8>, backend::cpu, transfer::none, finetune::full,
                            labeling::malignant_vs_benign>;
    const experiment_result r = cell::run(in);
    for (const auto& f : r.folds) std::printf("%s  %s  AUC %.3f\n", r.id.str().c_str(), f.fold.c_str(), f.auc);
    std::printf("mean AUC %.3f +- %.3f over %zu folds\n", r.auc.mean, r.auc.std_dev, r.folds.size());
}
