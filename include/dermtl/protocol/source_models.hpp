#pragma once
// The transfer dispatcher: how each transfer policy produces an experiment's starting weights.
//
// transfer_source<Transfer> is specialized once per transfer policy; each `apply` fills the target
// network (a K-class head, K = the design's classes) with the transferred weights -- everything
// but the head -- and returns the pretrained average image when the policy uses one (the paper:
// ImageNet-derived nets subtract VGG's mean; the others the training set's).
// Source networks trained here (Retinopathy, double transfer, a source task) are checkpointed in
// work_dir/sources/ under a key of (network, backend, source data, seed, training parameters), so
// every cell and fold of a grid reuses one training run, an interrupted run resumes it, and two
// processes take turns through a file lock instead of both writing it.
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/hash.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/core/type_list.hpp"
#include "dermtl/io/file_lock.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/imagenet_weights.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/runner.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

// What a transfer's source needs from experiment_inputs beyond the target: each
// transfer_source<T> says so in `inputs` (none when it does not say).
struct source_inputs {
    bool imagenet_weights = false, retinopathy = false, source_task = false;
};

namespace source_detail {

// What determines a trained source model: network family, backend, what it was trained from
// (the source dataset's ids, labels and image contents; the ImageNet file's content when it
// starts from ImageNet), seed and training parameters. Never a path; its hex() names the cache file.
inline fingerprint source_fingerprint(const std::string& model, const std::string& backend, const std::string& what,
                                      bool from_imagenet, const data::dataset& source, const experiment_inputs& in,
                                      content_hashes& hashes) {
    fingerprint f;
    f.set("model", model).set("backend", backend).set("source", what).set("format", results_format);
    f.set("source_data", dataset_hash(source, hashes)).set("source_samples", source.size());
    f.set("seed", in.seed).set("source_training", training_json(in.source_training));
    f.set("preprocess", preprocess_json(in.cache->options().preprocess));
    if (from_imagenet) f.set("source_weights", hashes.of(in.imagenet_weights));
    if (from_imagenet) describe_imagenet_preprocessing(f, in.imagenet_weights);  // safetensors only
    // The numerics only when not float32's, so float32 sources keep their fingerprints.
    if (!in.numerics.is_default()) f.set("numerics", in.numerics.str());
    return f;
}

// What a source adds to a cell's fingerprint: the weights file's content, or the source data and
// its training.
inline void describe_weights(fingerprint& f, const experiment_inputs& in, content_hashes& hashes) {
    f.set("source_weights", in.imagenet_weights.empty() ? std::string("none") : hashes.of(in.imagenet_weights));
    describe_imagenet_preprocessing(f, in.imagenet_weights);  // a safetensors file's preset; nothing for a .mat
}
inline void describe_source_data(fingerprint& f, const data::dataset* source, const experiment_inputs& in,
                                 content_hashes& hashes) {
    f.set("source_data", source ? dataset_hash(*source, hashes) : std::string("none"));
    f.set("source_samples", source ? source->size() : std::size_t{0});
    f.set("source_training", training_json(in.source_training));
}

// Loads the user's ImageNet weights into a 1000-class network of the family and copies all but
// the head into `to`; returns the mean to subtract: VGG's average image at the input size (.mat),
// or the safetensors source's mean at 0-255 (its std folded into conv1).
template <class Model, class Backend, class To>
io::mean_image load_imagenet_into(const experiment_inputs& in, To& to) {
    if (in.imagenet_weights.empty())
        throw config_error("transfer from ImageNet (" + Model::name() + "): no ImageNet weights given; download " +
                           std::string(Model::matconvnet) +
                           " from http://www.vlfeat.org/matconvnet/pretrained/ and pass its path "
                           "(--imagenet-weights); dermtl never substitutes other weights");
    // The file's own architecture (models::pretrained_family_t): a variant such as VGG-M's 2x2
    // pool2 then receives the weights by layer name.
    using imagenet_net = typename models::pretrained_family_t<Model>::template net<1000>;
    nn::network<imagenet_net, Backend> imagenet(nn::uninitialized);
    // A .mat or a safetensors file, told apart by content (protocol/imagenet_weights.hpp).
    io::mean_image mean = load_imagenet_weights(in.imagenet_weights, imagenet);
    train::replace_classifier(imagenet, to);
    return mean;
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
    net.set_numerics(in.numerics);
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
    content_hashes hashes(in.work_dir / "content-hashes.json");
    const std::string key = source_fingerprint(Model::name(), Backend::name, what, FromImageNet, *source, in, hashes).hex();
    hashes.save();
    opt.fingerprint = key;
    opt.on_damaged = train::damaged_checkpoint::restart;  // a damaged source checkpoint is trained again
    opt.checkpoint = in.work_dir / "sources" / (Model::name() + "-" + std::string(Backend::name) + "-" + what + "-" + key + ".ckpt");
    // One process trains it; a concurrent one waits, then resumes the finished checkpoint.
    const io::file_lock lock(opt.checkpoint.string() + ".lock");
    const auto trained = train::train_network(net, sources.train, sources.validation, opt);
    if (in.verbose)
        log::info((trained.resumed_after == opt.epochs ? "reused the cached " : "trained the ") + what + " source model " +
                  opt.checkpoint.filename().string());
    train::replace_classifier(net, to);
    return mean;
}

}  // namespace source_detail

// The dispatcher: one specialization per transfer policy, the one place a transfer's behaviour and
// lineage live. `apply<Model, Backend>(to, in)` fills
// `to` with the transferred weights (all but the head) and returns the pretrained average image
// when the policy uses one (empty otherwise). `trained_source`, when there, names the source model
// the policy trains here ("retinopathy"); empty or absent when it trains none: a grid schedules those models as work
// items of their own, which the cells using them wait for (`dermtl grid --part`, docs/cluster.md).
// Its lineage, where it says (defaults otherwise, lineage_of<T>()): `fixed_mean`, the mean its
// networks subtract under a fixed-mean protocol (mean_lineage; the whole target's by default), and
// `feeds_imagenet_tables`, whether its fine-tuned cells are the ImageNet cells that Tables 2-4
// compare (false by default).
template <class Transfer>
struct transfer_source {
    static_assert(sizeof(Transfer) == 0,
                  "protocol::transfer_source<Transfer>: this transfer policy has no source; specialize "
                  "protocol::transfer_source<Transfer> with `template <class Model, class Backend, class To> static "
                  "io::mean_image apply(To&, const experiment_inputs&)` and `template <class Model, class Backend> "
                  "static void describe(fingerprint&, const experiment_inputs&, content_hashes&)` (what the source "
                  "depends on, for the results' fingerprint; see protocol/source_models.hpp)");
};

template <>
struct transfer_source<transfer::none> {
    static constexpr std::string_view trained_source{};  // trains no source model
    // The target keeps its orthogonal initialization.
    template <class Model, class Backend, class To>
    static io::mean_image apply(To&, const experiment_inputs&) {
        return {};
    }
    template <class Model, class Backend>
    static void describe(fingerprint&, const experiment_inputs&, content_hashes&) {}
};

template <>
struct transfer_source<transfer::from_imagenet> {
    static constexpr std::string_view trained_source{};  // loads the user's weights: nothing to train
    static constexpr source_inputs inputs{.imagenet_weights = true};
    static constexpr mean_lineage fixed_mean = mean_lineage::imagenet;
    static constexpr bool feeds_imagenet_tables = true;
    template <class Model, class Backend, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        return source_detail::load_imagenet_into<Model, Backend>(in, to);
    }
    template <class Model, class Backend>
    static void describe(fingerprint& f, const experiment_inputs& in, content_hashes& hashes) {
        source_detail::describe_weights(f, in, hashes);
    }
};

template <>
struct transfer_source<transfer::from_retinopathy> {
    static constexpr std::string_view trained_source = "retinopathy";
    static constexpr source_inputs inputs{.retinopathy = true};
    static constexpr mean_lineage fixed_mean = mean_lineage::retinopathy;
    template <class Model, class Backend, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        source_detail::train_source_into<Model, Backend, transfer::from_retinopathy::source_classes, false>(
            in, in.retinopathy, std::string(trained_source), to);
        return {};
    }
    template <class Model, class Backend>
    static void describe(fingerprint& f, const experiment_inputs& in, content_hashes& hashes) {
        source_detail::describe_source_data(f, in.retinopathy, in, hashes);
    }
};

template <>
struct transfer_source<transfer::double_transfer> {
    static constexpr std::string_view trained_source = "imagenet-retinopathy";
    static constexpr source_inputs inputs{.imagenet_weights = true, .retinopathy = true};
    // It descends from ImageNet: under the reference protocol it keeps VGG's channel mean.
    static constexpr mean_lineage fixed_mean = mean_lineage::imagenet;
    template <class Model, class Backend, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        // The double-transferred net descends from ImageNet: it keeps VGG's average image.
        return source_detail::train_source_into<Model, Backend, transfer::double_transfer::source_classes, true>(
            in, in.retinopathy, std::string(trained_source), to);
    }
    template <class Model, class Backend>
    static void describe(fingerprint& f, const experiment_inputs& in, content_hashes& hashes) {
        source_detail::describe_weights(f, in, hashes);
        source_detail::describe_source_data(f, in.retinopathy, in, hashes);
    }
};

template <std::size_t K>
struct transfer_source<transfer::from_source<K>> {
    static constexpr std::string_view trained_source = "source-task";
    static constexpr source_inputs inputs{.source_task = true};
    template <class Model, class Backend, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        source_detail::train_source_into<Model, Backend, K, false>(in, in.source_task, std::string(trained_source), to);
        return {};
    }
    template <class Model, class Backend>
    static void describe(fingerprint& f, const experiment_inputs& in, content_hashes& hashes) {
        source_detail::describe_source_data(f, in.source_task, in, hashes);
    }
};

// The source model Transfer trains here (transfer_source<Transfer>::trained_source), empty when it
// trains none; a specialization that does not say trains none.
template <class Transfer>
constexpr std::string_view trained_source_of() {
    if constexpr (requires { transfer_source<Transfer>::trained_source; })
        return transfer_source<Transfer>::trained_source;
    else
        return {};
}

// What Transfer's source needs (transfer_source<Transfer>::inputs; nothing when it does not say).
template <class Transfer>
constexpr source_inputs inputs_of() {
    if constexpr (requires { transfer_source<Transfer>::inputs; })
        return transfer_source<Transfer>::inputs;
    else
        return {};
}

// What a transfer descends from (transfer_source<Transfer>'s fixed_mean and feeds_imagenet_tables;
// the defaults where it does not say).
struct transfer_lineage {
    mean_lineage fixed_mean = mean_lineage::target_channel_mean;
    bool feeds_imagenet_tables = false;
};
template <class Transfer>
constexpr transfer_lineage lineage_of() {
    transfer_lineage l;
    if constexpr (requires { transfer_source<Transfer>::fixed_mean; }) l.fixed_mean = transfer_source<Transfer>::fixed_mean;
    if constexpr (requires { transfer_source<Transfer>::feeds_imagenet_tables; })
        l.feeds_imagenet_tables = transfer_source<Transfer>::feeds_imagenet_tables;
    return l;
}

// The reference's fixed mean of one experiment of Transfer (protocol::fixed_mean, runner.hpp).
template <transfer_policy Transfer>
io::mean_image fixed_mean(const data::dataset& target, io::image_cache& cache, const reference_quirks& quirks) {
    return fixed_mean(lineage_of<Transfer>().fixed_mean, target, cache, quirks);
}

// The experiment's starting point: `to` (constructed with the paper's initialization) receives
// the transferred weights; returns the pretrained mean when Transfer uses one.
template <class Model, class Backend, transfer_policy Transfer, class To>
io::mean_image prepare_start(To& to, const experiment_inputs& in) {
    return transfer_source<Transfer>::template apply<Model, Backend>(to, in);
}

}  // namespace dermtl::protocol
