#pragma once
// Training protocols: how a cell is trained and measured, beyond its five factors. A protocol is
// the seventh parameter of protocol::experiment and the `training` axis of its cell_id; it is
// recorded in every result's identity, configuration and fingerprint.
//
//   training::paper      -- the paper's text, dermtl's default (cell_id training "paper").
//   training::reference  -- what the reference code (learningtitans/melanoma-transfer) does where
//                           it differs from the text: 80 epochs, the reference augmentation
//                           (stretch, shear, translation, nearest-neighbour warping, zero fill,
//                           every item augmented), ResampleIterator class balance, means fixed per
//                           experiment, libsvm's SVC with Platt probabilities (the cells pair it
//                           with classifier::libsvm_svc and VGG-M's 2x2-pool2 variant,
//                           models::vgg_m_family<..., vgg_m_pool2::reference>), the one-vs-rest
//                           macro AUC for three classes beside the paper's mean one-vs-one, and
//                           ACC from the SVM's decision. docs/reproducing.md, "Two protocols".
//
// A protocol is a tag struct of documented members:
//   name, title                -- registry name and the report's title
//   defaults()                 -- its trainer settings (epochs, batch, lr, momentum, L2); programs
//                                 start from them, options given by the user override them
//   augmentation(), balance()  -- the fine-tuning source's augmentation and class balance
//   validation_fraction        -- the stratified validation split of each training fold
//   means                      -- mean_source: the training fold's (paper) or fixed per
//                                 experiment (reference; see fixed_mean below)
//   accuracy_from_decision     -- store ACC from the classifier's decision (the reference's
//                                 predict()) beside the Platt-threshold ACC
//   one_vs_rest_auc            -- three classes: store the macro one-vs-rest AUC (the reference's
//                                 measure) beside the paper's mean one-vs-one AUC
// Ensures: training::paper reproduces exactly what dermtl did before protocols existed (its
// results keep their fingerprints).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/train/augmentation.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

// Where an experiment's input mean comes from (for the cells that do not subtract a pretrained one).
enum class mean_source {
    training_fold,         // the paper: computed on each fold's training images (no test image enters)
    fixed_per_experiment,  // the reference: one mean per experiment (see fixed_mean)
};

// The reference code's quirks, each an explicit switch, off by default even in training::reference
// (docs/reproducing.md, "Reference quirks", says what each does to pretrained filters).
struct reference_quirks {
    // The reference's load_image transposes (2, 1, 0): the network sees C x W x H, every image
    // mirrored about its main diagonal. Pretrained filters then meet transposed images.
    bool transpose_images = false;
    // Its imagenet_mean is [116.77, 123.66, 103.93]: R and G swapped relative to VGG's
    // [123.68, 116.78, 103.94]. The first layer then sees R and G shifted by +-7 grey levels.
    bool swap_rg_mean = false;
    bool operator==(const reference_quirks&) const = default;
    bool any() const { return transpose_images || swap_rg_mean; }
};

// As recorded in fingerprints and submissions.
inline nlohmann::json to_json(const reference_quirks& q) {
    return {{"transpose_images", q.transpose_images}, {"swap_rg_mean", q.swap_rg_mean}};
}

namespace training {

struct paper {
    static constexpr std::string_view name = "paper";
    static constexpr std::string_view title = "Paper protocol";
    // Sec. 2: 60 epochs, lr 1e-3, Nesterov momentum 0.1 (as printed), L2 5e-3; batch 48 (the reference's).
    static train::trainer_options defaults() { return {}; }
    static train::augmentation_options augmentation() { return train::paper_augmentation(); }
    static train::balance_options balance() { return train::paper_balance(); }
    static constexpr double validation_fraction = 0.1;
    static constexpr mean_source means = mean_source::training_fold;
    static constexpr bool accuracy_from_decision = false;
    static constexpr bool one_vs_rest_auc = false;
};

struct reference {
    static constexpr std::string_view name = "reference";
    static constexpr std::string_view title = "Reference code's protocol";
    // src/configs/vgg_224.py: schedule {0: 0.001, 80: 'stop'}, batch 48; src/utils/nn.py: Nesterov
    // update_momentum 0.1, L2 0.005 on the regularizable parameters.
    static train::trainer_options defaults() {
        train::trainer_options t;
        t.epochs = 80;
        t.batch_size = 48;
        t.sgd = {.learning_rate = 1e-3f, .momentum = 0.1f, .l2 = 5e-3f};
        return t;
    }
    static train::augmentation_options augmentation() { return train::reference_augmentation(); }
    static train::balance_options balance() { return train::reference_balance(); }
    static constexpr double validation_fraction = 0.1;  // StratifiedShuffleSplit(test_size=0.1)
    static constexpr mean_source means = mean_source::fixed_per_experiment;
    static constexpr bool accuracy_from_decision = true;
    static constexpr bool one_vs_rest_auc = true;
};

}  // namespace training

template <class P>
concept training_protocol = requires {
    { P::name } -> std::convertible_to<std::string_view>;
    { P::defaults() } -> std::same_as<train::trainer_options>;
    { P::augmentation() } -> std::same_as<train::augmentation_options>;
    { P::balance() } -> std::same_as<train::balance_options>;
    { P::validation_fraction } -> std::convertible_to<double>;
    { P::means } -> std::convertible_to<mean_source>;
    { P::accuracy_from_decision } -> std::convertible_to<bool>;
    { P::one_vs_rest_auc } -> std::convertible_to<bool>;
};

// The protocols defined here, by name: the choices of the tools' `--protocol`.
inline std::vector<std::string> training_protocol_names() {
    return {std::string(training::paper::name), std::string(training::reference::name)};
}

// settings.py's fixed means (RGB, 0-255), by what the network descends from.
inline constexpr float retina_mean[3] = {123.6591f, 116.7663f, 103.9318f};  // B, C: Retinopathy
inline constexpr float imagenet_mean[3] = {123.68f, 116.779f, 103.939f};    // D, E, F: VGG's mean
inline constexpr float imagenet_mean_swapped[3] = {116.7663f, 123.6591f, 103.9318f};  // the reference's, R/G swapped

// The reference's fixed mean of one experiment comes from its transfer's lineage
// (transfer_source<T>::fixed_mean, protocol/source_models.hpp; computed by protocol::fixed_mean,
// protocol/runner.hpp).

}  // namespace dermtl::protocol
