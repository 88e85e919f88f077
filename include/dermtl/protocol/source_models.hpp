#pragma once
// The transfer dispatcher: how each transfer policy produces an experiment's starting weights.
//
// transfer_dispatch<source_kind> is specialized once per kind; each `apply` fills the target
// network (a K-class head, K = the design's classes) with the transferred weights -- everything
// but the head -- and returns the pretrained average image when the policy uses one (the paper:
// ImageNet-derived nets subtract VGG's mean; the others the training set's).
// Source networks trained here (Retinopathy, double transfer, a source task) are checkpointed in
// work_dir/sources/ under a key of (network, backend, source data, seed, training parameters), so
// every cell and fold of a grid reuses one training run, an interrupted run resumes it, and two
// processes take turns through a file lock instead of both writing it.
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "dermtl/core/type_list.hpp"
#include "dermtl/io/file_lock.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

namespace source_detail {

// The cache key of a trained source model: network family, backend, what it was trained from
// (source dataset ids and labels, ImageNet file), seed and training parameters, as 16 hex digits.
inline std::string source_key(const std::string& model, const std::string& backend, const std::string& what,
                              const data::dataset& source, const experiment_inputs& in) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](std::string_view s) {
        for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;  // separator
    };
    const auto& t = in.source_training;
    mix(model), mix(backend), mix(what), mix(source.name), mix(std::to_string(source.size()));
    for (const auto& s : source.samples) mix(s.id), mix(std::to_string(s.label));
    mix(std::to_string(in.seed)), mix(std::to_string(t.epochs)), mix(std::to_string(t.batch_size));
    mix(std::to_string(t.sgd.learning_rate)), mix(std::to_string(t.sgd.momentum)), mix(std::to_string(t.sgd.l2));
    if (what.find("imagenet") != std::string::npos) mix(in.imagenet_weights.string());
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

// Loads the user's ImageNet weights into a 1000-class network of the family and copies all but
// the head into `to`; returns VGG's average image at the input size.
template <class Model, class Backend, class To>
io::mean_image load_imagenet_into(const experiment_inputs& in, To& to) {
    if (in.imagenet_weights.empty())
        throw config_error("transfer from ImageNet (" + Model::name() + "): no ImageNet weights given; download " +
                           std::string(Model::matconvnet) +
                           " from http://www.vlfeat.org/matconvnet/pretrained/ and pass its path "
                           "(--imagenet-weights); dermtl never substitutes other weights");
    using imagenet_net = typename Model::template net<1000>;
    nn::network<imagenet_net, Backend> imagenet(nn::uninitialized);
    const io::matconvnet_model meta = io::load_matconvnet(in.imagenet_weights, imagenet);
    train::replace_classifier(imagenet, to);
    if (meta.average_image.size() == 0)
        throw io_error("transfer from ImageNet: '" + in.imagenet_weights.string() +
                       "' holds no average image (meta.normalization.averageImage), which the paper subtracts");
    using In = typename imagenet_net::input_shape;
    return io::mean_image::from_average_image(meta.average_image, int(In::width), int(In::height));
}

// Trains a K-class network of the family on a source dataset (from scratch, or from ImageNet),
// checkpointed under work_dir/sources/, then copies all but its head into `to`.
// Returns the mean the source was trained with.
template <class Model, class Backend, std::size_t K, bool FromImageNet, class To>
io::mean_image train_source_into(const experiment_inputs& in, const data::dataset* source, const std::string& what, To& to) {
    if (!source)
        throw config_error("transfer from " + what + " (" + Model::name() + "): no " + what +
                           " dataset given; pass one (e.g. --retinopathy LABELS.csv --retinopathy-images DIR, or "
                           "--synthetic to generate one)");
    if (source->num_classes() != K)
        throw config_error("transfer from " + what + ": expected a source dataset with " + std::to_string(K) +
                           " classes, found " + std::to_string(source->num_classes()) + " in '" + source->name + "'");
    nn::network<typename Model::template net<K>, Backend> net(in.seed);
    std::vector<std::size_t> all(source->size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    io::mean_image mean;
    if constexpr (FromImageNet)
        mean = load_imagenet_into<Model, Backend>(in, net);
    else
        mean = data::training_mean(*source, all, *in.cache, in.mean_kind);
    auto sources = train::paper_sources(*source, all, *in.cache, mean, in.seed);
    train::trainer_options opt = in.source_training;
    opt.seed = in.seed;
    opt.checkpoint = in.work_dir / "sources" /
                     (sanitized(Model::name() + "-" + std::string(Backend::name) + "-" + what) + "-" +
                      source_key(Model::name(), Backend::name, what, *source, in) + ".ckpt");
    // One process trains it; a concurrent one waits, then resumes the finished checkpoint.
    const io::file_lock lock(opt.checkpoint.string() + ".lock");
    const auto trained = train::train_network(net, sources.train, sources.validation, opt);
    if (in.verbose)
        std::cerr << (trained.resumed_after == opt.epochs ? "reused the cached " : "trained the ") << what
                  << " source model " << opt.checkpoint.filename().string() << "\n";
    train::replace_classifier(net, to);
    return mean;
}

}  // namespace source_detail

template <source_kind K>
struct transfer_dispatch {
    static_assert(K != K, "protocol::transfer_dispatch<K>: no behaviour for this source kind; specialize "
                          "transfer_dispatch for it in protocol/source_models.hpp");
};

template <>
struct transfer_dispatch<source_kind::none> {
    // The target keeps its orthogonal initialization.
    template <class Model, class Backend, class Transfer, class To>
    static io::mean_image apply(To&, const experiment_inputs&) {
        return {};
    }
};

template <>
struct transfer_dispatch<source_kind::imagenet> {
    template <class Model, class Backend, class Transfer, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        return source_detail::load_imagenet_into<Model, Backend>(in, to);
    }
};

template <>
struct transfer_dispatch<source_kind::retinopathy> {
    template <class Model, class Backend, class Transfer, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        source_detail::train_source_into<Model, Backend, Transfer::source_classes, false>(in, in.retinopathy,
                                                                                        "retinopathy", to);
        return {};
    }
};

template <>
struct transfer_dispatch<source_kind::imagenet_then_retinopathy> {
    template <class Model, class Backend, class Transfer, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        // The double-transferred net descends from ImageNet: it keeps VGG's average image.
        return source_detail::train_source_into<Model, Backend, Transfer::source_classes, true>(
            in, in.retinopathy, "imagenet-retinopathy", to);
    }
};

template <>
struct transfer_dispatch<source_kind::source_dataset> {
    template <class Model, class Backend, class Transfer, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        source_detail::train_source_into<Model, Backend, Transfer::source_classes, false>(in, in.source_task,
                                                                                        "source-task", to);
        return {};
    }
};

// The experiment's starting point: `to` (constructed with the paper's initialization) receives
// the transferred weights; returns the pretrained mean when Transfer uses one.
template <class Model, class Backend, transfer_policy Transfer, class To>
io::mean_image prepare_start(To& to, const experiment_inputs& in) {
    return transfer_dispatch<Transfer::source>::template apply<Model, Backend, Transfer>(to, in);
}

}  // namespace dermtl::protocol
