#pragma once
// Umbrella header for users: everything, by module. (The library's own headers and the examples
// include what they use, to keep compile times down.)

// networks and backends
#include "dermtl/backend/contract.hpp"
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/fwd.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/net.hpp"
#include "dermtl/nn/network.hpp"

// data and images
#include "dermtl/data/atlas.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/label_format.hpp"
#include "dermtl/data/manifest.hpp"
#include "dermtl/data/partitions.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/reference_runs.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/data/synthetic_retina.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/io/features.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/io/matconvnet.hpp"

// training
#include "dermtl/train/augmentation.hpp"
#include "dermtl/train/features.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/sgd.hpp"
#include "dermtl/train/stop_request.hpp"
#include "dermtl/train/trainer.hpp"

// evaluation
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/five_by_two_design.hpp"
#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/significance.hpp"
#include "dermtl/svm/libsvm_classifier.hpp"
#include "dermtl/svm/svm_classifier.hpp"

// experiments and reports
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/experiment.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/grid.hpp"
#include "dermtl/protocol/published.hpp"
#include "dermtl/protocol/registry.hpp"
#include "dermtl/report/write.hpp"
