#pragma once
// Transfer policies: where the network's starting weights come from (the paper's factor
// "transfer learning").
//
// A transfer policy is a tag with documented constexpr members:
//   name            -- registry name ("imagenet")
//   title           -- the paper's column header ("From ImageNet")
//   transfers_weights -- false only for the control (no transfer): the network starts from its
//                        initialization, so frozen features would be an untrained net's
//   pretrained_mean -- true: subtract the pretrained model's average image (ImageNet-derived nets,
//                      as the paper does); false: the target training set's mean
//   paper_frozen, paper_finetuned -- which fine-tuning columns of the paper's Table 1 it has
// Behaviour lives in one dispatcher, protocol::transfer_source<Transfer> (protocol/source_models.hpp),
// specialized on the policy type: a new transfer policy is its tag plus one specialization.
#include <cstddef>
#include <string_view>

namespace dermtl::protocol {

// Which fixed mean a network of a transfer's lineage subtracts under a protocol whose means are
// fixed per experiment (the reference's; protocol/training.hpp): VGG's ImageNet channel mean, the
// reference's retina_mean, or the whole target dataset's channel mean. Each transfer_source<T>
// (protocol/source_models.hpp) says which is its.
enum class mean_lineage { imagenet, retinopathy, target_channel_mean };

namespace transfer {

// No transfer: the control experiment.
struct none {
    static constexpr std::string_view name = "none";
    static constexpr std::string_view title = "No Transfer";
    static constexpr bool transfers_weights = false;
    static constexpr bool pretrained_mean = false;
    static constexpr bool paper_frozen = false, paper_finetuned = true;
};

// From ImageNet: load imagenet-vgg-m.mat / imagenet-vgg-verydeep-16.mat. Without a file the
// experiment refuses to run and says where to get it.
struct from_imagenet {
    static constexpr std::string_view name = "imagenet";
    static constexpr std::string_view title = "From ImageNet";
    static constexpr bool transfers_weights = true;
    static constexpr bool pretrained_mean = true;
    static constexpr bool paper_frozen = true, paper_finetuned = true;
};

// From Retinopathy: orthogonal init, trained on Kaggle's Diabetic Retinopathy (5 grades).
struct from_retinopathy {
    static constexpr std::string_view name = "retinopathy";
    static constexpr std::string_view title = "From Retinopathy";
    static constexpr bool transfers_weights = true;
    static constexpr bool pretrained_mean = false;
    static constexpr bool paper_frozen = true, paper_finetuned = true;
    static constexpr std::size_t source_classes = 5;
};

// Double transfer: ImageNet weights, fine-tuned on Retinopathy, then transferred to the lesions.
struct double_transfer {
    static constexpr std::string_view name = "double";
    static constexpr std::string_view title = "Double Transfer";
    static constexpr bool transfers_weights = true;
    static constexpr bool pretrained_mean = true;
    static constexpr bool paper_frozen = false, paper_finetuned = true;  // the paper ran it with FT only
    static constexpr std::size_t source_classes = 5;
};

// From any source dataset with SourceClasses classes, trained from scratch (the synthetic
// general task stands in for ImageNet this way when no pretrained weights are given).
template <std::size_t SourceClasses>
struct from_source {
    static_assert(SourceClasses >= 2, "transfer::from_source<SourceClasses>: a source task needs at least 2 classes");
    static constexpr std::string_view name = "source";
    static constexpr std::string_view title = "From Source Task";
    static constexpr bool transfers_weights = true;
    static constexpr bool pretrained_mean = false;
    static constexpr bool paper_frozen = false, paper_finetuned = false;  // not in the paper
    static constexpr std::size_t source_classes = SourceClasses;
};

}  // namespace transfer

template <class T>
concept transfer_policy = requires {
    { T::name } -> std::convertible_to<std::string_view>;
    { T::title } -> std::convertible_to<std::string_view>;
    { T::transfers_weights } -> std::convertible_to<bool>;
    { T::pretrained_mean } -> std::convertible_to<bool>;
    { T::paper_frozen } -> std::convertible_to<bool>;
    { T::paper_finetuned } -> std::convertible_to<bool>;
};

}  // namespace dermtl::protocol
