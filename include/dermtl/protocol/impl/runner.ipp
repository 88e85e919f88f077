// Definitions of protocol/runner.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/log.hpp"
#include "dermtl/core/version.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/io/predictions.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/svm/svm_classifier.hpp"
#include "dermtl/train/stop_request.hpp"

namespace dermtl::protocol {

DERMTL_DECL void rethrow_with_context(const error& e, const std::string& context) {
    const std::string msg = context + e.what();
    if (const auto* stop = dynamic_cast<const train::stop_requested_error*>(&e))
        throw train::stop_requested_error(msg, stop->checkpoint, stop->epoch, stop->step);
    if (dynamic_cast<const io_error*>(&e)) throw io_error(msg);
    if (dynamic_cast<const shape_error*>(&e)) throw shape_error(msg);
    if (dynamic_cast<const config_error*>(&e)) throw config_error(msg);
    if (dynamic_cast<const backend_error*>(&e)) throw backend_error(msg);
    if (dynamic_cast<const numeric_error*>(&e)) throw numeric_error(msg);
    throw error(msg);
}

DERMTL_DECL io::mean_image fixed_mean(mean_lineage lineage, const data::dataset& target, io::image_cache& cache,
                                      const reference_quirks& quirks) {
    auto of = [](const float (&m)[3]) { return io::mean_image::per_channel(m[0], m[1], m[2]); };
    switch (lineage) {
        case mean_lineage::imagenet: return of(quirks.swap_rg_mean ? imagenet_mean_swapped : imagenet_mean);
        case mean_lineage::retinopathy: return of(retina_mean);
        case mean_lineage::target_channel_mean: break;
    }
    std::vector<std::size_t> all(target.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return data::training_mean(target, all, cache, io::mean_image::kind::per_channel);
}

DERMTL_DECL std::string fixed_mean_description(mean_lineage lineage, const reference_quirks& quirks) {
    switch (lineage) {
        case mean_lineage::imagenet:
            return quirks.swap_rg_mean ? "fixed: the reference's imagenet_mean (R/G swapped)" : "fixed: VGG's channel mean";
        case mean_lineage::retinopathy: return "fixed: the reference's retina_mean";
        case mean_lineage::target_channel_mean: break;
    }
    return "fixed: the whole target dataset's channel mean";
}

namespace runner_detail {
// The cell's traits with the run's numerics in its id (cell_id::set_numerics): the types give
// every axis but this one, which the run sets, like `target`.
DERMTL_DECL cell_traits with_numerics(const cell_traits& types, const experiment_inputs& in) {
    cell_traits t = types;
    t.id.set_numerics(in.numerics);
    return t;
}
}  // namespace runner_detail

DERMTL_DECL nlohmann::json cell_config(const cell_traits& types, const experiment_inputs& in) {
    const cell_traits traits = runner_detail::with_numerics(types, in);
    const auto& t = in.target_training;
    return {{"cell", traits.id},
            {"protocol", traits.training_name},
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

DERMTL_DECL fingerprint cell_fingerprint(const cell_traits& types, const experiment_inputs& in, const labelled_task& task,
                                         content_hashes& hashes, describe_transfer_fn describe) {
    const cell_traits traits = runner_detail::with_numerics(types, in);  // bf16/TF32 change the "cell" field
    fingerprint f;
    f.set("cell", traits.id.str());
    f.set("format", results_format);
    f.set("data", dataset_hash(*in.target, hashes));
    f.set("data_samples", in.target->size());
    f.set("target", dataset_hash(task.dataset, hashes));
    f.set("target_samples", task.dataset.size());
    f.set("seed", in.seed);
    f.set("target_training", traits.trains_network ? training_json(in.target_training) : nlohmann::json("none"));
    // The protocol's augmentation, balancing and validation split; its name only when it is not
    // the paper's, so results stored before protocols existed keep their fingerprints.
    if (!traits.paper_training) f.set("protocol", traits.training_name);
    f.set("augmentation", augmentation_json(traits.augmentation));
    f.set("balance", balance_json(traits.balance));
    f.set("validation_fraction", traits.validation_fraction);
    if (in.quirks.any()) f.set("reference_quirks", to_json(in.quirks));
    // Labeling rules and a given validation split enter only when not at their defaults, so the
    // results stored before they existed keep their fingerprints.
    if (traits.task)
        if (const auto r = data::rules_for(*traits.task, in.rules); r != data::labeling_rules{})
            f.set("labeling_rules", data::describe(r));
    if (std::any_of(task.folds.begin(), task.folds.end(), [](const data::fold& k) { return !k.validation.empty(); }))
        f.set("validation", "given by the data (the official validation set)");
    f.set("preprocess", preprocess_json(in.cache->options().preprocess));
    if (traits.means == mean_source::fixed_per_experiment)
        f.set("mean", fixed_mean_description(traits.fixed_mean, in.quirks));
    else
        f.set("mean", traits.pretrained_mean                             ? "pretrained"
                      : in.mean_kind == io::mean_image::kind::per_pixel ? "training set, per pixel"
                                                                          : "training set, per channel");
    f.set("svm", nlohmann::json{{"classifier", traits.classifier_name}, {"c_grid", svm::paper_c_grid()}});
    f.set("feature_batch_size", in.target_training.batch_size);
    describe(f, in, hashes);
    return f;
}

namespace runner_detail {

// Fine-tunes the fold's network (its checkpoint named after the cell, fold and fingerprint, so an
// interrupted run resumes); returns the best epoch. Shared by run_fold and the final model's fold.
DERMTL_DECL std::size_t fine_tune_fold(const cell_traits& traits, cell_network& network, const data::dataset& d,
                                       const data::fold& fold, const io::mean_image& mean, const experiment_inputs& in,
                                       const fingerprint& made_by) {
    train::trainer_options opt = in.target_training;
    opt.seed = in.seed;
    opt.fingerprint = made_by.hex();
    opt.on_damaged = train::damaged_checkpoint::restart;  // recompute the work item, naming the file
    opt.checkpoint =
        in.work_dir / "checkpoints" / (folder_name(traits.id) + "-" + fold.name + "-" + opt.fingerprint + ".ckpt");
    std::filesystem::create_directories(opt.checkpoint.parent_path());
    return network.fine_tune(d, fold, mean, in, opt, traits);
}

// The mean a fold subtracts: the protocol's fixed one, the pretrained one, or the training set's.
DERMTL_DECL io::mean_image fold_mean(const cell_traits& traits, const std::optional<io::mean_image>& fixed,
                                     const io::mean_image& pretrained, const data::dataset& d, const data::fold& fold,
                                     const experiment_inputs& in) {
    return fixed                    ? *fixed
           : traits.pretrained_mean ? pretrained
                                    : data::training_mean(d, fold.train, *in.cache, in.mean_kind);
}

// One fold: fine-tune (when the cell trains), extract the fold's features, classify, measure.
DERMTL_DECL fold_result run_fold(const cell_traits& traits, cell_network& network, const data::dataset& d,
                                 const data::fold& fold, const io::mean_image& mean, const experiment_inputs& in,
                                 const fingerprint& made_by, classify_fn classify) {
    fold_result r;
    r.fold = fold.name;
    if (traits.trains_network) r.best_epoch = fine_tune_fold(traits, network, d, fold, mean, in, made_by);
    const svm::feature_matrix x_train = network.features(d, fold.train, mean, in);
    const svm::feature_matrix x_test = network.features(d, fold.test, mean, in);
    std::vector<int> y_train, y_test;
    for (auto i : fold.train) y_train.push_back(d[i].label);
    for (auto i : fold.test) {
        y_test.push_back(d[i].label);
        r.ids.push_back(d[i].id);
        r.predictions.strata.push_back(static_cast<int>(d[i].level));
    }
    // The classifier's uniform interface (protocol/classifier.hpp): chosen_c, scores (what the
    // AUC is computed on), confidences (two classes), predict (its decision).
    classified c = classify(x_train, y_train, x_test, int(traits.classes), in.seed, traits.accuracy_from_decision);
    r.chosen_c = c.chosen_c;
    r.predictions.labels = y_test;
    r.predictions.scores = std::move(c.scores);
    if (traits.classes == 2) r.confidences = std::move(c.confidences);
    r.auc = metrics::fold_auc(r.predictions);
    if (traits.one_vs_rest_auc && traits.classes > 2)
        r.auc_one_vs_rest = metrics::one_vs_rest_macro_auc(r.predictions.labels, r.predictions.scores);
    if (traits.accuracy_from_decision) {
        std::size_t right = 0;
        for (std::size_t i = 0; i < c.decisions.size(); ++i) right += c.decisions[i] == y_test[i];
        r.decision_accuracy = c.decisions.empty() ? 0.0 : double(right) / double(c.decisions.size());
    }
    return r;
}

// One fold's per-image predictions (io/predictions.hpp), from its result as stored.
DERMTL_DECL io::image_predictions predictions_of(const fold_result& r, const std::vector<std::string>& class_names) {
    io::image_predictions p;
    p.class_names = class_names;
    p.ids = r.ids;
    p.labels = r.predictions.labels;
    p.folds.assign(r.ids.size(), r.fold);
    const auto& s = r.predictions.scores;
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        std::vector<double> row(std::size_t(s.cols()));
        for (Eigen::Index k = 0; k < s.cols(); ++k) row[std::size_t(k)] = s(i, k);
        p.scores.push_back(std::move(row));
    }
    if (class_names.size() == 2) p.confidences = r.confidences;
    return p;
}

// OUT/predictions for a run whose work folder is OUT/work (the tool's layout), else
// <work folder>/predictions.
DERMTL_DECL std::filesystem::path predictions_folder(const experiment_inputs& in) {
    return in.work_dir.filename() == "work" ? in.work_dir.parent_path() / "predictions" : in.work_dir / "predictions";
}

// The pooled out-of-fold files: the folds in order, grouped into passes in which no image is
// tested twice (5x2 CV: one pass per repetition). One pass: pooled.csv; more: pooled-1.csv, ...
DERMTL_DECL void write_pooled_predictions(const std::filesystem::path& folder, const std::vector<const fold_result*>& folds,
                                          const std::vector<std::string>& class_names) {
    std::vector<io::image_predictions> passes;
    std::vector<std::set<std::string>> tested;
    for (const fold_result* f : folds) {
        const bool overlaps = !tested.empty() && std::any_of(f->ids.begin(), f->ids.end(), [&](const std::string& id) {
            return tested.back().count(id) != 0;
        });
        if (passes.empty() || overlaps) {
            passes.emplace_back();
            passes.back().class_names = class_names;
            tested.emplace_back();
        }
        passes.back().append(predictions_of(*f, class_names));
        tested.back().insert(f->ids.begin(), f->ids.end());
    }
    for (std::size_t k = 0; k < passes.size(); ++k)
        io::write_predictions(folder / (passes.size() == 1 ? std::string("pooled.csv")
                                                           : "pooled-" + std::to_string(k + 1) + ".csv"),
                              passes[k]);
}

}  // namespace runner_detail

DERMTL_DECL experiment_result run_cell(const cell_traits& types, const experiment_inputs& in, const labelled_task& task,
                                       cell_network& network, classify_fn classify, describe_transfer_fn describe) {
    const cell_traits traits = runner_detail::with_numerics(types, in);  // results, folders, ids: per numerics
    const std::string name = traits.id.str();
    results_store store(in.work_dir / "results" / folder_name(traits.id));

    // A protocol with means fixed per experiment (the reference's) computes one, here, for every fold.
    std::optional<io::mean_image> fixed;
    if (traits.means == mean_source::fixed_per_experiment)
        fixed = fixed_mean(traits.fixed_mean, task.dataset, *in.cache, in.quirks);

    experiment_result result;
    result.id = traits.id;
    content_hashes hashes(in.work_dir / "content-hashes.json");
    const fingerprint base = cell_fingerprint(traits, in, task, hashes, describe);
    hashes.save();
    const std::size_t n_folds = std::min(in.fold_count(), task.folds.size());
    // Per-image predictions (io/predictions.hpp), an output beside the results: OUT/predictions/<cell>/.
    const std::filesystem::path predictions = runner_detail::predictions_folder(in) / folder_name(traits.id);
    std::vector<fold_result> others;  // folds other shards stored
    for (std::size_t k = 0; k < n_folds; ++k) {
        const data::fold& fold = task.folds[k];
        fingerprint made_by = base;
        made_by.set("fold", nlohmann::json{{"name", fold.name}, {"ids", folds_hash(task.dataset, {fold})}});
        if (!in.shard.owns(in.first_item + k)) {  // another shard's work item
            // Its result, when that shard already stored it for this experiment, completes the
            // pooled predictions file; it is never computed here.
            try {
                if (auto other = store.load(fold.name))
                    if (!made_by.first_difference(other->config.contains("fingerprint") ? other->config.at("fingerprint")
                                                                                         : nlohmann::json()))
                        others.push_back(std::move(*other));
            } catch (const io_error&) {
                // That shard's file is its own to report; the pooled file waits for a readable one.
            }
            continue;
        }
        if (auto done = store.load(fold.name, made_by, in.recompute)) {
            // A fold stored before its predictions file was written (or by an older dermtl):
            // the file comes from the stored result, without retraining.
            const auto file = predictions / (fold.name + ".csv");
            if (!std::filesystem::exists(file))
                io::write_predictions(file, runner_detail::predictions_of(*done, task.dataset.class_names));
            result.folds.push_back(std::move(*done));
            continue;
        }
        // A stop request (train/stop_request.hpp) also ends a grid between work items, where
        // no training step would read it (cells that only extract features).
        if (train::stop_requested())
            throw train::stop_requested_error("experiment " + name + ": stopped on request before " + fold.name +
                                                  "; the folds done so far are stored; run again to continue",
                                              {}, 0, 0);
        const auto started = std::chrono::steady_clock::now();
        fold_result r;
        try {
            const io::mean_image& pretrained = network.begin_fold(in);
            const io::mean_image mean = runner_detail::fold_mean(traits, fixed, pretrained, task.dataset, fold, in);
            r = runner_detail::run_fold(traits, network, task.dataset, fold, mean, in, made_by, classify);
        } catch (const error& e) {
            rethrow_with_context(e, "experiment " + name + ", " + fold.name + ": ");
        }
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        r.config = cell_config(traits, in);
        r.config["fingerprint"] = made_by.to_json();
        if (in.verbose) {
            std::ostringstream line;
            line << name << " " << fold.name << ": AUC " << r.auc << " (C = " << r.chosen_c << ")";
            log::info(line.str());
        }
        store.save(r);
        io::write_predictions(predictions / (r.fold + ".csv"), runner_detail::predictions_of(r, task.dataset.class_names));
        result.folds.push_back(std::move(r));
    }
    // The pooled out-of-fold predictions, once every fold of the cell is stored (by any shard).
    if (result.folds.size() + others.size() == n_folds && n_folds > 0) {
        std::vector<const fold_result*> in_order;
        for (std::size_t k = 0; k < n_folds; ++k) {
            for (const auto* pool : {&result.folds, &others})
                for (const auto& f : *pool)
                    if (f.fold == task.folds[k].name) in_order.push_back(&f);
        }
        if (in_order.size() == n_folds) try {
                runner_detail::write_pooled_predictions(predictions, in_order, task.dataset.class_names);
            } catch (const config_error& e) {
                // Folds that disagree in their columns (Platt confidences in some only): the
                // per-fold files stand; the run's results do not depend on the pooled one.
                log::info("warning: experiment " + name + ": no pooled predictions file: " + e.what());
            }
    }
    std::vector<double> aucs;
    for (const auto& f : result.folds) aucs.push_back(f.auc);
    result.auc = metrics::summarize_folds(aucs);
    return result;
}

}  // namespace dermtl::protocol
