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
//   using cell = protocol::experiment<models::vgg_m_family<>, backend::cpu, transfer::from_imagenet,
//                                     finetune::full, labeling::malignant_vs_benign>;
//   auto result = cell::run(inputs);        // result.auc.mean, result.folds[k].predictions, ...
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/backend/tags.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/train/features.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/classifier.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/finetune.hpp"
#include "dermtl/protocol/inputs.hpp"
#include "dermtl/protocol/labeling.hpp"
#include "dermtl/protocol/published.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/protocol/source_models.hpp"
#include "dermtl/protocol/training.hpp"
#include "dermtl/protocol/transfer.hpp"
#include "dermtl/protocol/validity.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "dermtl/train/stop_request.hpp"
#include "dermtl/train/trainer.hpp"

namespace dermtl::protocol {

// The target dataset relabelled for one design, and its folds with the dropped samples removed
// (indices renumbered into the relabelled dataset).
struct labelled_task {
    data::dataset dataset;
    data::fold_set folds;
};

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
        f.imagenet_finetuned = std::is_same_v<Transfer, protocol::transfer::from_imagenet> && FineTune::trains_network;
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
                (void)prepare_start<Model, Backend, Transfer>(start, in);
            } catch (const error& e) {
                rethrow_with_context(e, "experiment " + name() + ", source model " + facts().source + ": ");
            }
        }
    }

    static experiment_result run(const experiment_inputs& in) {
        in.check("experiment " + name());
        const labelled_task task = label_for<Labeling>(*in.target, *in.folds, in.rules);
        results_store store(in.work_dir / "results" / folder_name(id()));

        // The transferred starting point, shared by every fold.
        std::optional<network> start;
        io::mean_image pretrained_mean;
        // A protocol with means fixed per experiment (the reference's) computes one, here, for every fold.
        std::optional<io::mean_image> fixed;
        if constexpr (Training::means == mean_source::fixed_per_experiment)
            fixed = fixed_mean<Transfer>(task.dataset, *in.cache, in.quirks);
        auto starting_point = [&]() -> network& {
            if (!start) {
                start.emplace(in.seed);
                pretrained_mean = prepare_start<Model, Backend, Transfer>(*start, in);
            }
            return *start;
        };

        experiment_result result;
        result.id = id();
        content_hashes hashes(in.work_dir / "content-hashes.json");
        const fingerprint base = fingerprint_of(in, task, hashes);
        hashes.save();
        const std::size_t n_folds = std::min(in.fold_count(), task.folds.size());
        for (std::size_t k = 0; k < n_folds; ++k) {
            if (!in.shard.owns(in.first_item + k)) continue;  // another shard's work item
            const data::fold& fold = task.folds[k];
            fingerprint made_by = base;
            made_by.set("fold", nlohmann::json{{"name", fold.name}, {"ids", folds_hash(task.dataset, {fold})}});
            if (auto done = store.load(fold.name, made_by, in.recompute)) {
                result.folds.push_back(std::move(*done));
                continue;
            }
            // A stop request (train/stop_request.hpp) also ends a grid between work items, where
            // no training step would read it (cells that only extract features).
            if (train::stop_requested())
                throw train::stop_requested_error("experiment " + name() + ": stopped on request before " + fold.name +
                                                      "; the folds done so far are stored; run again to continue",
                                                  {}, 0, 0);
            const auto started = std::chrono::steady_clock::now();
            fold_result r;
            try {
                network net(in.seed);
                train::copy_layers(starting_point(), net);
                const io::mean_image mean = fixed                      ? *fixed
                                            : Transfer::pretrained_mean ? pretrained_mean
                                                                        : data::training_mean(task.dataset, fold.train, *in.cache, in.mean_kind);
                r = run_fold(net, task.dataset, fold, mean, in, made_by);
            } catch (const error& e) {
                rethrow_with_context(e, "experiment " + name() + ", " + fold.name + ": ");
            }
            r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            r.config = config(in);
            r.config["fingerprint"] = made_by.to_json();
            if (in.verbose) {
                std::ostringstream line;
                line << name() << " " << fold.name << ": AUC " << r.auc << " (C = " << r.chosen_c << ")";
                log::info(line.str());
            }
            store.save(r);
            result.folds.push_back(std::move(r));
        }
        std::vector<double> aucs;
        for (const auto& f : result.folds) aucs.push_back(f.auc);
        result.auc = metrics::summarize_folds(aucs);
        return result;
    }

    // What produced a result, stored beside it.
    static nlohmann::json config(const experiment_inputs& in) {
        const auto& t = in.target_training;
        return {{"cell", id()},
                {"protocol", std::string(Training::name)},
                {"seed", in.seed},
                {"target", in.target->name},
                {"epochs", t.epochs},
                {"batch_size", t.batch_size},
                {"learning_rate", t.sgd.learning_rate},
                {"momentum", t.sgd.momentum},
                {"l2", t.sgd.l2},
                {"imagenet_weights", in.imagenet_weights.string()},  // for information: not part of the fingerprint
                {"dermtl", std::string(version)}};
    }

    // Everything that determines this cell's results on `in` (protocol/fingerprint.hpp); each
    // fold adds its own "fold" field.
    static fingerprint fingerprint_of(const experiment_inputs& in, const labelled_task& task, content_hashes& hashes) {
        fingerprint f;
        f.set("cell", id().str());
        f.set("format", results_format);
        f.set("data", dataset_hash(*in.target, hashes));
        f.set("data_samples", in.target->size());
        f.set("target", dataset_hash(task.dataset, hashes));
        f.set("target_samples", task.dataset.size());
        f.set("seed", in.seed);
        f.set("target_training", FineTune::trains_network ? training_json(in.target_training) : nlohmann::json("none"));
        // The protocol's augmentation, balancing and validation split; its name only when it is not
        // the paper's, so results stored before protocols existed keep their fingerprints.
        if constexpr (!std::is_same_v<Training, training::paper>) f.set("protocol", std::string(Training::name));
        f.set("augmentation", augmentation_json(Training::augmentation()));
        f.set("balance", balance_json(Training::balance()));
        f.set("validation_fraction", Training::validation_fraction);
        if (in.quirks.any()) f.set("reference_quirks", to_json(in.quirks));
        // Labeling rules and a given validation split enter only when not at their defaults, so the
        // results stored before they existed keep their fingerprints.
        if constexpr (requires { Labeling::task; })
            if (const auto r = data::rules_for(Labeling::task, in.rules); r != data::labeling_rules{})
                f.set("labeling_rules", data::describe(r));
        if (std::any_of(task.folds.begin(), task.folds.end(), [](const data::fold& k) { return !k.validation.empty(); }))
            f.set("validation", "given by the data (the official validation set)");
        f.set("preprocess", preprocess_json(in.cache->options().preprocess));
        if constexpr (Training::means == mean_source::fixed_per_experiment)
            f.set("mean", fixed_mean_description<Transfer>(in.quirks));
        else
            f.set("mean", Transfer::pretrained_mean ? "pretrained"
                          : in.mean_kind == io::mean_image::kind::per_pixel ? "training set, per pixel"
                                                                              : "training set, per channel");
        f.set("svm", nlohmann::json{{"classifier", std::string(Classifier::name)}, {"c_grid", svm::paper_c_grid()}});
        f.set("feature_batch_size", in.target_training.batch_size);
        transfer_source<Transfer>::template describe<Model, Backend>(f, in, hashes);
        return f;
    }

private:
    // Rethrows e as its own type with `context` in front, so callers can still catch io/config errors.
    [[noreturn]] static void rethrow_with_context(const error& e, const std::string& context) {
        const std::string msg = context + e.what();
        // A stop request keeps its type and position, so the program still exits with the requeue code.
        if (const auto* stop = dynamic_cast<const train::stop_requested_error*>(&e))
            throw train::stop_requested_error(msg, stop->checkpoint, stop->epoch, stop->step);
        if (dynamic_cast<const io_error*>(&e)) throw io_error(msg);
        if (dynamic_cast<const shape_error*>(&e)) throw shape_error(msg);
        if (dynamic_cast<const config_error*>(&e)) throw config_error(msg);
        if (dynamic_cast<const backend_error*>(&e)) throw backend_error(msg);
        if (dynamic_cast<const numeric_error*>(&e)) throw numeric_error(msg);
        throw error(msg);
    }

    static fold_result run_fold(network& net, const data::dataset& d, const data::fold& fold, const io::mean_image& mean,
                                const experiment_inputs& in, const fingerprint& made_by) {
        fold_result r;
        r.fold = fold.name;
        if constexpr (FineTune::trains_network) {
            auto sources = train::paper_sources(d, fold, *in.cache, mean, in.seed, Training::validation_fraction,
                                                Training::augmentation(), Training::balance());
            train::trainer_options opt = in.target_training;
            opt.seed = in.seed;
            opt.fingerprint = made_by.hex();
            opt.on_damaged = train::damaged_checkpoint::restart;  // recompute the work item, naming the file
            opt.checkpoint = in.work_dir / "checkpoints" / (folder_name(id()) + "-" + fold.name + "-" + opt.fingerprint + ".ckpt");
            std::filesystem::create_directories(opt.checkpoint.parent_path());
            const auto trained = train::train_network(net, sources.train, sources.validation, opt);
            r.best_epoch = trained.best_epoch;
        }
        auto features_of = [&](const std::vector<std::size_t>& indices) {
            std::vector<int> scratch;
            return train::extract_features<"fc7">(
                net, indices.size(),
                [&](std::span<const std::size_t> positions, host_tensor& images) {
                    std::vector<std::size_t> chosen(positions.size());
                    for (std::size_t i = 0; i < positions.size(); ++i) chosen[i] = indices[positions[i]];
                    data::fill_batch(d, chosen, *in.cache, mean, images, scratch);
                },
                {.batch_size = in.target_training.batch_size});
        };
        const svm::feature_matrix x_train = features_of(fold.train), x_test = features_of(fold.test);
        std::vector<int> y_train, y_test;
        for (auto i : fold.train) y_train.push_back(d[i].label);
        for (auto i : fold.test) {
            y_test.push_back(d[i].label);
            r.ids.push_back(d[i].id);
            r.predictions.strata.push_back(static_cast<int>(d[i].level));
        }
        // The classifier's uniform interface (protocol/classifier.hpp): chosen_c, scores (what the
        // AUC is computed on), confidences (two classes), predict (its decision).
        const auto clf = Classifier::train(x_train, y_train, int(classes), in.seed);
        r.chosen_c = clf.chosen_c();
        r.predictions.labels = y_test;
        r.predictions.scores = clf.scores(x_test);
        if constexpr (classes == 2) r.confidences = clf.confidences(x_test);
        r.auc = metrics::fold_auc(r.predictions);
        if constexpr (Training::one_vs_rest_auc && classes > 2)
            r.auc_one_vs_rest = metrics::one_vs_rest_macro_auc(r.predictions.labels, r.predictions.scores);
        if constexpr (Training::accuracy_from_decision) {
            const std::vector<int> decided = clf.predict(x_test);
            std::size_t right = 0;
            for (std::size_t i = 0; i < decided.size(); ++i) right += decided[i] == y_test[i];
            r.decision_accuracy = decided.empty() ? 0.0 : double(right) / double(decided.size());
        }
        return r;
    }
};

}  // namespace dermtl::protocol
