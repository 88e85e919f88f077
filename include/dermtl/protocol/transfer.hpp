#pragma once
// Transfer policies: where the network's starting weights come from (the paper's factor
// "transfer learning").
//
// A transfer policy is a tag with documented constexpr members:
//   name            -- registry name ("imagenet")
//   title           -- the paper's column header ("From ImageNet")
//   source          -- which source models it needs, in order (see source_kind)
//   pretrained_mean -- true: subtract the pretrained model's average image (ImageNet-derived nets,
//                      as the paper does); false: the target training set's mean
// Behaviour lives in one dispatcher (protocol/source_models.hpp) specialized on `source`.
#include <cstddef>
#include <string_view>

namespace dermtl::protocol {

enum class source_kind {
    none,                        // orthogonal init, biases 0.05, trained from scratch on the target
    imagenet,                    // MatConvNet weights given by the user (never substituted)
    retinopathy,                 // trained from scratch on Retinopathy with a 5-class head
    imagenet_then_retinopathy,   // ImageNet weights fine-tuned on Retinopathy
    source_dataset,              // trained from scratch on any source dataset (e.g. the synthetic general task)
};

namespace transfer {

// No transfer: the control experiment.
struct none {
    static constexpr std::string_view name = "none";
    static constexpr std::string_view title = "No Transfer";
    static constexpr source_kind source = source_kind::none;
    static constexpr bool pretrained_mean = false;
};

// From ImageNet: load imagenet-vgg-m.mat / imagenet-vgg-verydeep-16.mat. Without a file the
// experiment refuses to run and says where to get it.
struct from_imagenet {
    static constexpr std::string_view name = "imagenet";
    static constexpr std::string_view title = "From ImageNet";
    static constexpr source_kind source = source_kind::imagenet;
    static constexpr bool pretrained_mean = true;
};

// From Retinopathy: orthogonal init, trained on Kaggle's Diabetic Retinopathy (5 grades).
struct from_retinopathy {
    static constexpr std::string_view name = "retinopathy";
    static constexpr std::string_view title = "From Retinopathy";
    static constexpr source_kind source = source_kind::retinopathy;
    static constexpr bool pretrained_mean = false;
    static constexpr std::size_t source_classes = 5;
};

// Double transfer: ImageNet weights, fine-tuned on Retinopathy, then transferred to the lesions.
struct double_transfer {
    static constexpr std::string_view name = "double";
    static constexpr std::string_view title = "Double Transfer";
    static constexpr source_kind source = source_kind::imagenet_then_retinopathy;
    static constexpr bool pretrained_mean = true;
    static constexpr std::size_t source_classes = 5;
};

// From any source dataset with SourceClasses classes, trained from scratch (the synthetic
// general task stands in for ImageNet this way when no pretrained weights are given).
template <std::size_t SourceClasses>
struct from_source {
    static_assert(SourceClasses >= 2, "transfer::from_source<SourceClasses>: a source task needs at least 2 classes");
    static constexpr std::string_view name = "source";
    static constexpr std::string_view title = "From Source Task";
    static constexpr source_kind source = source_kind::source_dataset;
    static constexpr bool pretrained_mean = false;
    static constexpr std::size_t source_classes = SourceClasses;
};

}  // namespace transfer

template <class T>
concept transfer_policy = requires {
    { T::name } -> std::convertible_to<std::string_view>;
    { T::title } -> std::convertible_to<std::string_view>;
    { T::source } -> std::convertible_to<source_kind>;
    { T::pretrained_mean } -> std::convertible_to<bool>;
};

}  // namespace dermtl::protocol
