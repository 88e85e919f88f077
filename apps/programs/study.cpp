// The data a paper program runs on, and the command-line options that name it.
#include "programs/study.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <vector>

#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/data/synthetic_retina.hpp"
#include "dermtl/core/log.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/output_folder.hpp"
#include "programs/datasets.hpp"
#include "programs/datasets/retinopathy.hpp"
#include "programs/option_checks.hpp"
#include "dermtl/protocol/imagenet_weights.hpp"
#include "dermtl/protocol/training.hpp"

namespace dermtl::programs {

void add_data_options(CLI::App& app, data_paths& p) {
    app.add_flag("--synthetic", p.synthetic, "Generate synthetic lesion, retina and general-task data (no downloads)");
    // The datasets (programs/datasets/: the paper's, the Retinopathy source, the user's own data,
    // docs/reproducing.md "Your own data").
    add_dataset_options(app, p, dataset_options::study);
    app.add_option("--imagenet-weights", p.imagenet_weights,
                   "ImageNet weights: MatConvNet's .mat (imagenet-vgg-m.mat; VGG-16 programs: "
                   "imagenet-vgg-verydeep-16.mat), or for VGG-16 a safetensors file with torchvision's or timm's names "
                   "(told apart by content; docs/datasets.md)");
    app.add_option("--imagenet-weights-vgg16", p.imagenet_weights_vgg16,
                   "imagenet-vgg-verydeep-16.mat, when a program runs VGG-M and VGG-16 (Table 3)");
    app.add_option("--reference-folds", p.reference_folds,
                   "Fold file of the reference implementation (YAML: Fold_1..Fold_K with train/test ids)");
    const std::map<std::string, data::fold_mapping> mappings = {{"folds", data::fold_mapping::folds},
                                                                {"reference-runs", data::fold_mapping::reference_runs}};
    app.add_option("--fold-mapping", p.fold_mapping,
                   "With --reference-folds: folds (each Fold_k as written: a valid 5x2 CV) or reference-runs (the "
                   "reference code's ten runs 1x1..5x2, Fold_i with list j training: 6 distinct splits from 3 "
                   "partitions, to reproduce its numbers run for run; the 5x2cv tests then flag their p-values); default folds")
        ->transform(CLI::CheckedTransformer(mappings));
    app.add_flag("--akiec-as-carcinoma", p.rules.actinic_keratosis_as_carcinoma,
                 "3-class design: put actinic keratosis / Bowen's disease (HAM10000 akiec) into the carcinoma class "
                 "instead of removing it");
}

void add_run_options(CLI::App& app, run_settings& s) {
    app.add_option("--out", s.out, "Output folder: results, cached models and the report (a rerun continues there)")
        ->capture_default_str();
    namespace oc = option_checks;
    app.add_option("--protocol", s.protocol_name,
                   "Training protocol: paper (the paper's text) or reference (the reference code's: 80 epochs, its "
                   "augmentation and class balance, fixed means, VGG-M's 2x2 pool2, libsvm's SVC; docs/reproducing.md)")
        ->capture_default_str()
        ->check(CLI::IsMember(protocol::training_protocol_names()));
    const std::map<std::string, bool protocol::reference_quirks::*> quirks = {
        {"transpose-images", &protocol::reference_quirks::transpose_images},
        {"swap-rg-mean", &protocol::reference_quirks::swap_rg_mean}};
    app.add_option_function<std::vector<std::string>>(
           "--reference-quirk",
           [&s, quirks](const std::vector<std::string>& names) {
               for (const auto& n : names) s.quirks.*(quirks.at(n)) = true;
           },
           "With --protocol reference: reproduce a quirk of the reference code (repeatable): transpose-images "
           "(it feeds C x W x H), swap-rg-mean (its ImageNet mean has R and G swapped); off by default")
        ->check(CLI::IsMember({"transpose-images", "swap-rg-mean"}));
    app.add_option("--epochs", s.epochs, "Training epochs for every network (the protocol's: paper 60, reference 80)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_epochs))
        ->each([&s](const std::string&) { s.given.epochs = true; });
    app.add_option("--batch-size", s.batch_size, "Training batch size")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_batch_size))
        ->each([&s](const std::string&) { s.given.batch_size = true; });
    app.add_option("--lr", s.learning_rate, "SGD learning rate")
        ->capture_default_str()
        ->check(oc::real_number(0, true, oc::max_learning_rate, false))
        ->each([&s](const std::string&) { s.given.learning_rate = true; });
    app.add_option("--momentum", s.momentum, "Nesterov momentum (the paper prints 0.1)")
        ->capture_default_str()
        ->check(oc::real_number(0, false, 1, true))
        ->each([&s](const std::string&) { s.given.momentum = true; });
    app.add_option("--l2", s.l2, "L2 regularization")
        ->capture_default_str()
        ->check(oc::real_number(0, false, 1, true))
        ->each([&s](const std::string&) { s.given.l2 = true; });
    app.add_option("--folds", s.folds, "Cross-validation: 5x2 (the paper's), 2 (one 2-fold repetition) or Rx2")
        ->capture_default_str()
        ->check(folds_option());
    app.add_option("--seed", s.seed, "Seed of every random sequence")->capture_default_str()->transform(oc::seed());
    app.add_option("--max-folds", s.max_folds, "Stop after this many folds per experiment (0: all)")
        ->transform(oc::whole_number(0, oc::max_folds));
    app.add_option("--cache-dir", s.cache_dir,
                   "Keep preprocessed images on disk here (large sets such as Kaggle DR; default: 1 GiB in memory)");
    oc::add_max_image_pixels(app, s.max_image_pixels);
    app.add_flag("!--no-progress", s.progress, "No per-epoch progress lines");
    app.add_flag("--recompute", s.recompute,
                 "Recompute and replace stored results made by another experiment (other data or settings); "
                 "without it such a rerun stops and says what differs");
}

namespace {
std::string fold_repetitions_problem(const std::string& folds, int& repetitions) {
    repetitions = folds == "5x2" ? 5 : folds == "2" ? 1 : 0;
    if (repetitions) return {};
    if (folds.size() >= 3 && folds.substr(folds.size() - 2) == "x2") {
        const std::string r = folds.substr(0, folds.size() - 2);
        if (r.find_first_not_of("0123456789") == std::string::npos && r.size() <= 4) {
            repetitions = std::stoi(r);
            if (repetitions >= 1 && repetitions <= max_fold_repetitions) return {};
        }
    }
    return "expected 5x2, 2 or Rx2 (R repetitions of 2-fold cross-validation, R from 1 to " +
           std::to_string(max_fold_repetitions) + "), found " + option_checks::shown(folds);
}
}  // namespace

CLI::Validator folds_option() {
    return CLI::Validator(
        [](std::string& folds) {
            int r = 0;
            return fold_repetitions_problem(folds, r);
        },
        "5x2|2|Rx2");
}

int fold_repetitions(const std::string& folds) {
    int r = 0;
    if (const auto problem = fold_repetitions_problem(folds, r); !problem.empty())
        throw config_error("--folds: " + problem);
    return r;
}


study load_study(const data_paths& p, const run_settings& s, const dataset_format& target, const synthetic_sizes& sizes) {
    study st;
    st.synthetic = p.synthetic;
    st.imagenet_weights_given = p.synthetic || !p.imagenet_weights.empty() || !p.imagenet_weights_vgg16.empty();
    if (p.fold_mapping != data::fold_mapping::folds && p.reference_folds.empty())
        throw config_error("--fold-mapping reference-runs: reads a reference fold file; give it with --reference-folds FILE");
    st.format = &target;
    st.rules = p.rules;
    const int reps = fold_repetitions(s.folds);
    // The weights first: refused before anything is written or loaded.
    if (!p.synthetic) {
        dataset_read how;
        for (const auto& [path, option] : {std::pair{p.imagenet_weights, "--imagenet-weights"},
                                           std::pair{p.imagenet_weights_vgg16, "--imagenet-weights-vgg16"}})
            if (!path.empty()) {
                require_dataset_path(path, option, "a MatConvNet .mat or a safetensors file", how);
                require_regular_file(path, option,
                                     "a weights file is read twice (hashed for the results' fingerprint, "
                                     "then loaded, seeking in it)",
                                     how);
                protocol::check_imagenet_weights_file(path, option);  // a safetensors header: checked now
            }
    }
    // Fail now, not after hours of training: a folder that cannot be written (a read-only mount, no
    // permission) is refused before anything runs. What a killed run left half written is removed.
    io::prepare_folder(s.out, "--out");
    io::require_writable_folder(s.out, "--out");
    for (const auto& folder : {s.out, s.cache_dir})
        if (!folder.empty() && std::filesystem::is_directory(folder))
            for (const auto& t : io::remove_stale_temporaries(folder))
                log::info("removed '" + t.path.string() + "', the temporary of a write interrupted when process " +
                          std::to_string(t.pid) + " ended");
    if (p.synthetic) {
        const auto root = s.out / "data";
        data::synthetic_lesion_options lo;
        lo.size = sizes.image_size;
        lo.count = sizes.lesions;
        lo.seed = s.seed;
        st.target = data::generate_lesions(root / "lesions", lo);
        data::synthetic_retina_options ro;
        ro.size = sizes.image_size;
        ro.count = sizes.retinas;
        ro.seed = s.seed + 1;
        st.retinopathy = data::generate_retinas(root / "retinas", ro);
        data::synthetic_general_options go;
        go.size = sizes.image_size;
        go.num_classes = sizes.general_classes;
        go.per_class = sizes.general_per_class;
        go.seed = s.seed + 2;
        st.general = data::generate_general(root / "general", go);
        if (target.isic_label) {  // standing in for ISIC 2016: one fold, as its official split
            st.folds = data::make_5x2_folds(st.target, s.seed, 1);
            st.folds.resize(1);
            st.folds[0].name = "official_split";
        } else {
            st.folds = data::make_5x2_folds(st.target, s.seed, reps);
            st.folds_made_here = true;
        }
        st.description = "synthetic: " + std::to_string(st.target.size()) + " lesions, " +
                         std::to_string(st.retinopathy->size()) + " retinas, " + std::to_string(st.general->size()) +
                         " general-task images (" + std::to_string(sizes.general_classes) + " classes, the stand-in for "
                         "ImageNet), " + std::to_string(sizes.image_size) + " px";
        return st;
    }
    // The target in its format (programs/datasets/): its own folds (a challenge's official split, a
    // manifest's fold column), or --folds cross-validation made here.
    dataset_read how;
    how.folds = s.folds;
    auto loaded = target.load(p, how);
    st.target = std::move(loaded.dataset);
    st.description = std::move(loaded.description);
    if (loaded.folds) {
        st.folds = std::move(*loaded.folds);
    } else {
        st.folds = data::make_5x2_folds(st.target, s.seed, reps);
        st.folds_made_here = true;
    }
    if (!p.reference_folds.empty()) {
        require_dataset_path(p.reference_folds, "--reference-folds", "a fold YAML file", how);
        st.folds = data::read_fold_yaml(p.reference_folds, st.target, p.fold_mapping);
        st.folds_made_here = false;
        st.description += ", folds from " + p.reference_folds.string();
        if (p.fold_mapping == data::fold_mapping::reference_runs)
            st.description += " read as the reference code's runs 1x1..5x2";
    }
    if (!p.retinopathy.empty()) {  // the source
        auto source = formats::retinopathy.load(p, how);
        st.retinopathy = std::move(source.dataset);
        st.description += ", " + source.description;
    }
    return st;
}

void apply_protocol_defaults(run_settings& s, const model_cells& m) {
    if (s.quirks.any() && !m.takes_reference_quirks)
        throw config_error("--reference-quirk: only with --protocol reference (the quirks are the reference code's; "
                           "this run's protocol is " + m.protocol_name + ")");
    const auto& d = m.training_defaults;
    if (!s.given.epochs) s.epochs = d.epochs;
    if (!s.given.batch_size) s.batch_size = d.batch_size;
    if (!s.given.learning_rate) s.learning_rate = d.sgd.learning_rate;
    if (!s.given.momentum) s.momentum = d.sgd.momentum;
    if (!s.given.l2) s.l2 = d.sgd.l2;
}

train::trainer_options training_options(const run_settings& s) {
    train::trainer_options t;
    t.epochs = s.epochs;
    t.batch_size = s.batch_size;
    t.sgd = {.learning_rate = s.learning_rate, .momentum = s.momentum, .l2 = s.l2};
    t.seed = s.seed;
    t.print_progress = s.progress;
    return t;
}

void attach_imagenet_weights(study& st, const model_cells& m, const data_paths& p, const run_settings& s,
                                    io::image_cache& cache) {
    if (st.synthetic) {
        // A variant of a pretrained architecture (VGG-M's 2x2 pool2) shares the original's stand-in.
        const auto mat = s.out / "data" / ("standin-" + m.pretrained_model + ".mat");
        m.write_imagenet_standin(*st.general, cache, mat, training_options(s));
        st.imagenet_weights[m.model] = mat;
        return;
    }
    const bool vgg16 = m.architecture == models::architecture::vgg_16;
    const auto& given = vgg16 && !p.imagenet_weights_vgg16.empty() ? p.imagenet_weights_vgg16 : p.imagenet_weights;
    if (!given.empty()) st.imagenet_weights[m.model] = given;
}

protocol::experiment_inputs inputs_for(const study& st, const model_cells& m, const run_settings& s,
                                              io::image_cache& cache) {
    protocol::experiment_inputs in;
    in.target = &st.target;
    in.folds = &st.folds;
    in.cache = &cache;
    if (auto it = st.imagenet_weights.find(m.model); it != st.imagenet_weights.end()) in.imagenet_weights = it->second;
    in.retinopathy = st.retinopathy ? &*st.retinopathy : nullptr;
    in.source_task = st.general ? &*st.general : nullptr;
    in.target_training = in.source_training = training_options(s);
    in.seed = s.seed;
    in.numerics = s.numerics;
    in.rules = st.rules;
    in.quirks = s.quirks;
    in.work_dir = s.out / "work";
    in.max_folds = s.max_folds;
    in.shard = s.shard;
    in.verbose = s.verbose;
    in.recompute = s.recompute;
    return in;
}

io::image_cache make_cache(const model_cells& m, const run_settings& s) {
    io::image_cache_options o;
    o.preprocess.width = o.preprocess.height = m.input_size;
    o.preprocess.read.max_pixels = s.max_image_pixels;
    o.preprocess.read.max_pixels_option = "--max-image-pixels";
    o.preprocess.transpose = s.quirks.transpose_images;  // the reference's quirk, on request
    if (!s.cache_dir.empty()) {
        o.storage = io::cache_storage::disk;
        o.disk_dir = s.cache_dir / std::to_string(m.input_size);
    }
    return io::image_cache(o);
}

}  // namespace dermtl::programs
