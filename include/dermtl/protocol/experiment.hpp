#pragma once
// experiment<Model, Backend, Transfer, FineTune, Labeling, Classifier, Training>: one fully
// specialized pipeline of the paper, from a lesion dataset and its folds to per-fold scores and
// metrics. Training is the protocol (protocol/training.hpp): the paper's text by default, or the
// reference code's (training::reference, with classifier::libsvm_svc and VGG-M's 2x2 pool2).
//
// For every fold: start from the transferred weights (protocol/source_models.hpp, computed once
// per run and cached on disk), fine-tune with the paper's protocol when FineTune says so, extract
// the L2-normalized fc7 features of the fold's training and test images, train the classifier on
// the training features, and score the test images. Fold results are written atomically to
// `work_dir/results/<cell>/<fold>.json` as they finish; a run started again skips finished folds
// and resumes an interrupted fine-tuning from its checkpoint.
//
// experiment<...> is an adapter over the compiled runner (protocol/runner.hpp): it states its types
// as values (traits()), and gives the runner its network (cell_network_of, one per network family,
// backend, transfer and class count, shared by every cell with those) and its classifier
// (classify_with<Classifier>). The fold loop, fingerprints, storage and measures are compiled once.
//
//   using cell = protocol::experiment<models::vgg_m_family<>, backend::cpu, transfer::from_imagenet,
//                                     finetune::full, labeling::malignant_vs_benign>;
//   auto result = cell::run(inputs);        // result.auc.mean, result.folds[k].predictions, ...
#include <algorithm>
#include <cstdint>
#include <concepts>
#include <filesystem>
#include <memory>
#include <span>
#include <type_traits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/backend/tags.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/train/features.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/models/weight_maps.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/classifier.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/final_fit.hpp"
#include "dermtl/protocol/finetune.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/labeling.hpp"
#include "dermtl/protocol/published.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/protocol/runner.hpp"
#include "dermtl/protocol/source_models.hpp"
#include "dermtl/protocol/training.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/protocol/validity.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/stop_request.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

template <labeling_policy L>
labelled_task label_for(const data::dataset& d, const data::fold_set& folds, const data::labeling_rules& rules = {}) {
    labelled_task t;
    t.dataset.name = d.name;
    if constexpr (requires { L::keeps_dataset_labels; }) {
        t.dataset.class_names = d.class_names;
        if (d.num_classes() != L::classes)
            throw config_error("labeling '" + std::string(L::name) + "': expected a dataset with " +
                               std::to_string(L::classes) + " classes, found " + std::to_string(d.num_classes()));
    } else {
        t.dataset.class_names = L::class_names(rules);
    }
    std::vector<std::ptrdiff_t> renumber(d.size(), -1);
    for (std::size_t i = 0; i < d.size(); ++i) {
        int label = d[i].label;
        if constexpr (!requires { L::keeps_dataset_labels; }) label = L::label(d[i].dx, rules);
        if (label < 0) continue;
        renumber[i] = std::ptrdiff_t(t.dataset.samples.size());
        t.dataset.samples.push_back(d[i]);
        t.dataset.samples.back().label = label;
    }
    if (t.dataset.samples.empty())
        throw config_error("labeling '" + std::string(L::name) + "': no sample of '" + d.name + "' has a label in this design");
    auto keep = [&](const std::vector<std::size_t>& in) {
        std::vector<std::size_t> out;
        for (auto i : in)
            if (renumber.at(i) >= 0) out.push_back(std::size_t(renumber[i]));
        return out;
    };
    for (const auto& f : folds) t.folds.push_back({f.name, keep(f.train), keep(f.test), keep(f.validation)});
    return t;
}

// The parts of the network half that depend only on the network (family, backend and class count),
// so the cells of every transfer share one instantiation of them: fine-tuning, features, tensors.
template <models::model_family Model, backend::tag Backend, std::size_t Classes>
class cell_network_on : public cell_network {
public:
    using network = nn::network<typename Model::template net<Classes>, Backend>;

    std::size_t fine_tune(const data::dataset& d, const data::fold& fold, const io::mean_image& mean,
                          const experiment_inputs& in, const train::trainer_options& options,
                          const cell_traits& traits) override {
        auto sources = train::paper_sources(d, fold, *in.cache, mean, in.seed, traits.validation_fraction,
                                            traits.augmentation, traits.balance);
        return train::train_network(*fold_net_, sources.train, sources.validation, options).best_epoch;
    }

    svm::feature_matrix features(const data::dataset& d, const std::vector<std::size_t>& indices,
                                 const io::mean_image& mean, const experiment_inputs& in) override {
        std::vector<int> scratch;
        return train::extract_features<"fc7">(
            *fold_net_, indices.size(),
            [&](std::span<const std::size_t> positions, host_tensor& images) {
                std::vector<std::size_t> chosen(positions.size());
                for (std::size_t i = 0; i < positions.size(); ++i) chosen[i] = indices[positions[i]];
                data::fill_batch(d, chosen, *in.cache, mean, images, scratch);
            },
            {.batch_size = in.target_training.batch_size});
    }

    std::vector<io::safetensors_tensor> tensors() const override {
        if (!fold_net_) throw config_error("cell_network::tensors: expected a fold's network, found none (no begin_fold)");
        return models::network_tensors(*fold_net_);
    }

    void load(const io::safetensors_file& tensors, const std::string& file) override {
        fold_net_.emplace(nn::uninitialized);
        models::load_network_tensors(*fold_net_, tensors, models::weight_names::dermtl, {}, file);
    }

protected:
    std::optional<network> fold_net_;
};

// The network half of a cell's run (protocol/runner.hpp's cell_network) for a family, backend,
// transfer and class count: every cell with those four shares this one instantiation.
template <models::model_family Model, backend::tag Backend, transfer_policy Transfer, std::size_t Classes>
class cell_network_of final : public cell_network_on<Model, Backend, Classes> {
public:
    using network = typename cell_network_on<Model, Backend, Classes>::network;

    const io::mean_image& begin_fold(const experiment_inputs& in) override {
        this->fold_net_.emplace(in.seed);
        this->fold_net_->set_numerics(in.numerics);
        if (!start_) {  // the transferred starting point, shared by every fold
            start_.emplace(in.seed);
            start_->set_numerics(in.numerics);
            pretrained_mean_ = prepare_start<Model, Backend, Transfer>(*start_, in);
        }
        train::copy_layers(*start_, *this->fold_net_);
        return pretrained_mean_;
    }

private:
    std::optional<network> start_;
    io::mean_image pretrained_mean_;
};

// The classifier half (protocol/runner.hpp's classify_fn) of every cell classified by Classifier.
template <class Classifier>
classified classify_with(const svm::feature_matrix& x_train, const std::vector<int>& y_train,
                         const svm::feature_matrix& x_test, int classes, std::uint64_t seed, bool want_decisions) {
    const auto clf = Classifier::train(x_train, y_train, classes, seed);
    classified c;
    c.chosen_c = clf.chosen_c();
    c.scores = clf.scores(x_test);
    if (classes == 2) c.confidences = clf.confidences(x_test);
    if (want_decisions) c.decisions = clf.predict(x_test);
    return c;
}

// Whether a final model (protocol/final_fit.hpp) can keep Classifier: a linear SVM's weights.
template <class Classifier>
inline constexpr bool keeps_linear_svm = requires(const svm::feature_matrix& x, std::span<const int> y) {
    { Classifier::train(x, y, 2, std::uint64_t{}) } -> std::same_as<svm::svm_classifier>;
};

template <class Classifier>
svm::svm_classifier fit_final_with(const svm::feature_matrix& x, const std::vector<int>& y, int classes,
                                   std::uint64_t seed) {
    return Classifier::train(x, y, classes, seed);
}

template <models::model_family Model, backend::tag Backend, transfer_policy Transfer, finetune_policy FineTune,
          labeling_policy Labeling, class Classifier = classifier::linear_svm<>,
          training_protocol Training = training::paper>
struct experiment {
    static_assert(valid_combination<Transfer, FineTune>,
                  "experiment<Model,Backend,Transfer,FineTune,Labeling>: no transfer with frozen features trains "
                  "nothing (an untrained network's features, which the paper does not run); use finetune::full, or "
                  "finetune::frozen_random_features to opt in to a random-feature baseline");

    using model = Model;
    using backend_type = Backend;
    using transfer = Transfer;
    using finetune = FineTune;
    using labeling = Labeling;
    using classifier_type = Classifier;
    using training_type = Training;
    static constexpr std::size_t classes = Labeling::classes;
    using target_net = typename Model::template net<classes>;
    using network = nn::network<target_net, Backend>;

    // The identity of this cell, from its types (the one place a cell_id is built).
    static cell_id id() {
        cell_id c;
        c.model = policy_id_of<Model>();
        c.backend = policy_id_of<Backend>();
        c.transfer = policy_id_of<Transfer>();
        c.finetune = policy_id_of<FineTune>();
        c.labeling = policy_id_of<Labeling>();
        c.classifier = policy_id_of<Classifier>();
        c.training = policy_id_of<Training>();
        return c;
    }
    // "vgg_m/cpu/imagenet/finetune/malignant_vs_benign": id().str(), for messages and logs.
    static std::string name() { return id().str(); }

    // What the paper's tables need to know of this cell, from its types.
    static cell_facts facts() {
        cell_facts f;
        f.paper_design = Labeling::paper_design;
        f.imagenet_finetuned = lineage_of<Transfer>().feeds_imagenet_tables && FineTune::trains_network;
        f.isic_label = std::is_same_v<Labeling, protocol::labeling::isic_binary>;
        if constexpr (requires { Labeling::task; }) f.design = Labeling::task;
        f.classes = classes;
        if constexpr (!trained_source_of<Transfer>().empty())
            f.source = name_of<Model>() + "/" + name_of<Backend>() + "/" + std::string(trained_source_of<Transfer>());
        constexpr source_inputs needs = inputs_of<Transfer>();
        f.needs_imagenet_weights = needs.imagenet_weights;
        f.needs_retinopathy = needs.retinopathy;
        f.needs_source_task = needs.source_task;
        f.published_auc = published_auc<Model, Transfer, FineTune, Labeling>;
        f.published_strata_auc = published_strata_auc<Model, Transfer, FineTune, Labeling>;
        return f;
    }

    // Trains (or finds, finished, in work_dir/sources/) the source model this cell's transfer uses,
    // and nothing else; a no-op for a transfer that trains none (facts().source is empty). A grid
    // runs it as a work item of its own, so the cells using the source find it done.
    static void prepare_source(const experiment_inputs& in) {
        if constexpr (!trained_source_of<Transfer>().empty()) {
            in.check("experiment " + name() + ", its source model");
            network start(in.seed);
            try {
                start.set_numerics(in.numerics);
                (void)prepare_start<Model, Backend, Transfer>(start, in);
            } catch (const error& e) {
                rethrow_with_context(e, "experiment " + name() + ", source model " + facts().source + ": ");
            }
        }
    }

    static experiment_result run(const experiment_inputs& in) {
        in.check("experiment " + name());
        const labelled_task task = label_for<Labeling>(*in.target, *in.folds, in.rules);
        cell_network_of<Model, Backend, Transfer, classes> network;
        return run_cell(traits(), in, task, network, &classify_with<Classifier>,
                        &transfer_source<Transfer>::template describe<Model, Backend>);
    }

    // The final model (protocol/final_fit.hpp): this cell's protocol on all of in.target as one fold.
    static final_fit train_final(const experiment_inputs& in) {
        if constexpr (!keeps_linear_svm<Classifier>) {
            throw config_error("final model of " + name() + ": the classifier '" + std::string(Classifier::name) +
                               "' is not a linear SVM whose weights a model folder keeps; use the cell's 'svm' twin");
        } else {
            in.check("final model of " + name());
            const labelled_task task = label_for<Labeling>(*in.target, everything_fold(*in.target), in.rules);
            cell_network_of<Model, Backend, Transfer, classes> network;
            return train_final_cell(traits(), in, task, network, &fit_final_with<Classifier>,
                                    &transfer_source<Transfer>::template describe<Model, Backend>);
        }
    }

    // A network of this cell's type for applying a final model (cell_network::load, features).
    static std::unique_ptr<cell_network> make_network() {
        return std::make_unique<cell_network_of<Model, Backend, Transfer, classes>>();
    }

    // This cell's types as the values the runner needs.
    static cell_traits traits() {
        cell_traits t;
        t.id = id();
        t.classes = classes;
        if constexpr (requires { Labeling::task; }) t.task = Labeling::task;
        t.trains_network = FineTune::trains_network;
        t.pretrained_mean = Transfer::pretrained_mean;
        t.fixed_mean = lineage_of<Transfer>().fixed_mean;
        t.training_name = std::string(Training::name);
        t.paper_training = std::is_same_v<Training, training::paper>;
        t.augmentation = Training::augmentation();
        t.balance = Training::balance();
        t.validation_fraction = Training::validation_fraction;
        t.means = Training::means;
        t.accuracy_from_decision = Training::accuracy_from_decision;
        t.one_vs_rest_auc = Training::one_vs_rest_auc;
        t.classifier_name = std::string(Classifier::name);
        return t;
    }

    // What produced a result, stored beside it.
    static nlohmann::json config(const experiment_inputs& in) { return cell_config(traits(), in); }

    // Everything that determines this cell's results on `in` (protocol/fingerprint.hpp); each
    // fold adds its own "fold" field.
    static fingerprint fingerprint_of(const experiment_inputs& in, const labelled_task& task, content_hashes& hashes) {
        return cell_fingerprint(traits(), in, task, hashes, &transfer_source<Transfer>::template describe<Model, Backend>);
    }
};

}  // namespace dermtl::protocol
