#pragma once
// What an experiment runs on: the target dataset and folds, the sources for transfer, the
// training settings and where to keep its models and results. Shared by every cell of a grid.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "dermtl/backend/precision.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/protocol/shard.hpp"
#include "dermtl/protocol/training.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

struct experiment_inputs {
    const data::dataset* target = nullptr;      // lesions with diagnoses (and difficulty); labels set per design
    const data::fold_set* folds = nullptr;      // indices into *target (5x2 CV, a reference fold file, ISIC's split)
    io::image_cache* cache = nullptr;           // preprocessing at the model's input size

    std::filesystem::path imagenet_weights;     // MatConvNet .mat for transfer from ImageNet; never substituted
    const data::dataset* retinopathy = nullptr; // labels = grades 0-4, for transfer from Retinopathy
    const data::dataset* source_task = nullptr; // any labelled source task, for transfer::from_source<K>

    train::trainer_options target_training{};   // fine-tuning on the lesions (the paper's protocol)
    train::trainer_options source_training{};   // training on Retinopathy / the source task
    io::mean_image::kind mean_kind = io::mean_image::kind::per_pixel;  // training-set means
    data::labeling_rules rules{};                // the designs' choices for diagnoses outside the Atlas (akiec)
    reference_quirks quirks{};                   // the reference code's quirks (off); transposition is the cache's
                                                 // io::preprocess_options::transpose
    std::uint64_t seed = 0;                      // every experiment sees the same sequence
    backend::numerics numerics{};                // what the networks compute in (float32 unless set);
                                                 // recorded in the cell id and the fingerprints
    std::filesystem::path work_dir;             // sources/, checkpoints/, results/ live here
    std::size_t max_folds = 0;                  // 0: every fold
    // Which of this cell's folds this process runs: fold k is work item first_item + k of the grid
    // (protocol/shard.hpp), run only when the shard owns it; the others are neither computed nor
    // loaded. The whole grid by default.
    protocol::shard shard{};
    std::size_t first_item = 0;
    bool verbose = true;
    bool recompute = false;                      // recompute stored folds made by another experiment (else: refuse)

    // The folds each cell runs: every fold, or the first max_folds.
    std::size_t fold_count() const {
        const std::size_t n = folds ? folds->size() : 0;
        return max_folds ? std::min(max_folds, n) : n;
    }

    void check(const std::string& who) const {
        if (!target) throw config_error(who + ": no target dataset given");
        if (!folds || folds->empty()) throw config_error(who + ": no folds given (expected 5x2 folds, a fold file or a split)");
        if (!cache) throw config_error(who + ": no image cache given");
        if (work_dir.empty()) throw config_error(who + ": no work folder given for models and results");
        for (const auto& f : *folds) data::check_fold(f, *target, who);
    }
};

}  // namespace dermtl::protocol
