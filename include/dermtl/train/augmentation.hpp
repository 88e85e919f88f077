#pragma once
// Data augmentation and class balancing: the paper's scheme and the reference implementation's
// (github.com/learningtitans/melanoma-transfer), in two modules:
//  - train/geometric_warp.hpp: the random transformation of one image (augmentation_options,
//    draw_augmentation, apply_augmentation, augment);
//  - train/epoch_plan.hpp: one epoch's balanced, seeded order of training items (balance_options,
//    balanced_epoch, epoch_seed) and the augmented batches made from it (fill_augmented_batch).
// This header includes both, and the headers of the types they take (datasets, the image cache,
// mean images, host tensors).
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/train/epoch_plan.hpp"
#include "dermtl/train/geometric_warp.hpp"
