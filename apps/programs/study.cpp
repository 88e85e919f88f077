// The data a paper program runs on, and the command-line options that name it.
#include "programs/study.hpp"

#include <system_error>

#include <CLI/CLI.hpp>

#include <map>
#include <set>
#include <vector>

#include "dermtl/data/atlas.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/manifest.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/data/synthetic_retina.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "programs/option_checks.hpp"
#include "dermtl/protocol/training.hpp"

namespace dermtl::programs {

namespace {

void require_file(const std::filesystem::path& p, const std::string& option, const std::string& what) {
    std::error_code ec;
    const bool there = std::filesystem::exists(p, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw io_error(option + ": cannot reach '" + p.string() + "' (" + ec.message() + ")");
    if (!there)
        throw io_error(option + ": expected " + what + ", found nothing at '" + p.string() +
                       "'; check the path (docs/reproducing.md says where to get it), or run with --synthetic");
}

}  // namespace

void add_data_options(CLI::App& app, data_paths& p) {
    app.add_flag("--synthetic", p.synthetic, "Generate synthetic lesion, retina and general-task data (no downloads)");
    app.add_option("--atlas", p.atlas, "derm7pt Atlas metadata: release_v0/meta/meta.csv");
    app.add_option("--atlas-images", p.atlas_images, "Atlas image folder (default: release_v0/images)");
    app.add_option("--isic2016", p.isic2016, "ISIC 2016 Part 3 folder (training/test images and ground-truth CSVs)");
    app.add_option("--retinopathy", p.retinopathy, "Kaggle Diabetic Retinopathy trainLabels.csv");
    app.add_option("--retinopathy-images", p.retinopathy_images, "Kaggle Diabetic Retinopathy image folder (train/)");
    app.add_option("--imagenet-weights", p.imagenet_weights,
                   "MatConvNet ImageNet weights (imagenet-vgg-m.mat; VGG-16 programs: imagenet-vgg-verydeep-16.mat)");
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
    // The user's own data (docs/reproducing.md, "Your own data").
    app.add_option("--isic2017", p.isic2017, "ISIC 2017 Part 3 folder (training/validation/test images and ground truth)");
    app.add_option("--tree", p.tree, "A folder with one subfolder of images per diagnosis (melanoma/, nevus/, bcc/, ...)");
    app.add_option("--manifest", p.manifest,
                   "A CSV naming each image and its diagnosis (--image-column, --diagnosis-column; optionally "
                   "--difficulty-column, --group-column, --fold-column), images under --images");
    app.add_option("--ham10000", p.ham10000, "HAM10000_metadata.csv (image_id, dx, lesion_id), images under --images");
    app.add_option("--images", p.images, "The image folder of --manifest / --ham10000 (searched with its subfolders)");
    app.add_option("--image-column", p.image_column, "--manifest: the column naming the image (default: image)");
    app.add_option("--diagnosis-column", p.diagnosis_column, "--manifest: the diagnosis column (default: diagnosis)");
    app.add_option("--difficulty-column", p.difficulty_column, "--manifest: a column of low/medium/high (optional)");
    app.add_option("--group-column", p.group_column,
                   "--manifest: a lesion id; folds never split the images of one lesion (optional)");
    app.add_option("--fold-column", p.fold_column,
                   "--manifest: your own folds; fold k tests the rows holding the k-th value (optional)");
    app.add_option("--diagnosis-map", p.diagnosis_map,
                   "A CSV value,diagnosis mapping your data's diagnosis spellings onto dermtl's vocabulary, over "
                   "the default table (docs/reproducing.md)");
    const std::map<std::string, bool> splits{{"official", false}, {"cv", true}};
    app.add_option("--split", p.cross_validate_isic,
                   "ISIC 2016/2017: official (the challenge's train/test split as one fold, the paper's Table 2) or "
                   "cv (--folds cross-validation over all the images); default official")
        ->transform(CLI::CheckedTransformer(splits));
    const std::map<std::string, data::isic2017_validation> uses{
        {"merge", data::isic2017_validation::merged_into_training},
        {"split", data::isic2017_validation::validation_split}};
    app.add_option("--isic2017-validation", p.isic2017_validation,
                   "ISIC 2017's official validation set: merge (into training; dermtl takes its own 10%) or split "
                   "(the validation split of fine-tuning); default merge")
        ->transform(CLI::CheckedTransformer(uses));
    app.add_flag("--akiec-as-carcinoma", p.rules.actinic_keratosis_as_carcinoma,
                 "3-class design: put actinic keratosis / Bowen's disease (HAM10000 akiec) into the carcinoma class "
                 "instead of removing it");
}

std::optional<target_kind> target_given(const data_paths& p) {
    std::vector<std::pair<target_kind, std::string>> given;
    if (!p.atlas.empty()) given.push_back({target_kind::atlas, "--atlas"});
    if (!p.isic2016.empty()) given.push_back({target_kind::isic2016, "--isic2016"});
    if (!p.isic2017.empty()) given.push_back({target_kind::isic2017, "--isic2017"});
    if (!p.tree.empty()) given.push_back({target_kind::tree, "--tree"});
    if (!p.manifest.empty()) given.push_back({target_kind::manifest, "--manifest"});
    if (!p.ham10000.empty()) given.push_back({target_kind::manifest, "--ham10000"});
    if (given.empty()) return std::nullopt;
    if (given.size() > 1)
        throw config_error(given[0].second + " and " + given[1].second +
                           ": expected one target dataset, found several; run each in its own --out");
    return given.front().first;
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


study load_study(const data_paths& p, const run_settings& s, target_kind kind, const synthetic_sizes& sizes) {
    study st;
    st.synthetic = p.synthetic;
    st.imagenet_weights_given = p.synthetic || !p.imagenet_weights.empty() || !p.imagenet_weights_vgg16.empty();
    if (p.fold_mapping != data::fold_mapping::folds && p.reference_folds.empty())
        throw config_error("--fold-mapping reference-runs: reads a reference fold file; give it with --reference-folds FILE");
    st.kind = kind;
    st.rules = p.rules;
    const int reps = fold_repetitions(s.folds);
    io::prepare_folder(s.out, "--out");  // fail now, not after hours of training
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
        if (kind == target_kind::isic2016) {
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
    // The official split of a challenge as one fold, or --folds cross-validation over its images.
    auto official = [&](data::dataset training, data::dataset test, data::dataset validation, const std::string& name) {
        data::fold f;
        f.name = "official_split";
        st.target = std::move(training);
        st.target.name = name;
        for (std::size_t i = 0; i < st.target.size(); ++i) f.train.push_back(i);
        for (auto* part : {&validation, &test})
            for (auto& smp : part->samples) {
                (part == &test ? f.test : f.validation).push_back(st.target.size());
                st.target.samples.push_back(std::move(smp));
            }
        st.target.check();
        st.folds_made_here = p.cross_validate_isic;
        if (p.cross_validate_isic)
            st.folds = data::make_5x2_folds(st.target, s.seed, reps);
        else
            st.folds = {f};
    };
    auto map = [&] {
        auto m = data::diagnosis_map::defaults();
        if (!p.diagnosis_map.empty()) {
            require_file(p.diagnosis_map, "--diagnosis-map", "a CSV value,diagnosis");
            m.read_overrides(p.diagnosis_map);
        }
        return m;
    };
    const std::string split_text = p.cross_validate_isic ? ", " + s.folds + " cross-validation over all images"
                                                         : ", official split";
    switch (kind) {
        case target_kind::atlas: {
            if (p.atlas.empty())
                throw config_error("no lesion data given: pass --atlas release_v0/meta/meta.csv (the derm7pt Atlas), "
                                   "--isic2016, --isic2017, --tree, --manifest or --ham10000 (your own data), or "
                                   "--synthetic to run on generated data");
            require_file(p.atlas, "--atlas", "the derm7pt metadata file release_v0/meta/meta.csv");
            data::atlas_options ao;
            st.target = data::load_atlas(p.atlas, ao, p.atlas_images);
            st.description = "derm7pt Atlas (" + p.atlas.string() + "), " + std::to_string(st.target.size()) + " lesions";
            st.folds = data::make_5x2_folds(st.target, s.seed, reps);
            st.folds_made_here = true;
            break;
        }
        case target_kind::isic2016: {
            if (p.isic2016.empty())
                throw config_error("no ISIC data given: pass --isic2016 FOLDER (holding " +
                                   std::string(data::isic2016_training_folder) + " and the ground-truth CSVs), or --synthetic");
            require_file(p.isic2016 / data::isic2016_training_ground_truth, "--isic2016",
                         "the ISIC 2016 Part 3 folder with " + std::string(data::isic2016_training_ground_truth));
            auto split = data::load_isic2016_challenge(p.isic2016);
            official(std::move(split.training), std::move(split.test), {}, "isic2016");
            st.description = "ISIC 2016 Part 3 (" + p.isic2016.string() + ")" + split_text;
            break;
        }
        case target_kind::isic2017: {
            require_file(p.isic2017 / data::isic2017_training_ground_truth, "--isic2017",
                         "the ISIC 2017 Part 3 folder with " + std::string(data::isic2017_training_ground_truth));
            const auto use = p.cross_validate_isic ? data::isic2017_validation::merged_into_training : p.isic2017_validation;
            auto split = data::load_isic2017_challenge(p.isic2017, use);
            official(std::move(split.training), std::move(split.test), std::move(split.validation), "isic2017");
            st.description = "ISIC 2017 Part 3 (" + p.isic2017.string() + ")" + split_text +
                             (!p.cross_validate_isic && use == data::isic2017_validation::validation_split
                                  ? ", the official validation set as the validation split"
                                  : ", the official validation set merged into training");
            break;
        }
        case target_kind::tree: {
            require_file(p.tree, "--tree", "a folder with one subfolder of images per diagnosis");
            st.target = data::load_folder_tree(p.tree, map());
            st.description = "folder tree (" + p.tree.string() + "), " + std::to_string(st.target.size()) + " images";
            st.folds = data::make_5x2_folds(st.target, s.seed, reps);
            st.folds_made_here = true;
            break;
        }
        case target_kind::manifest: {
            const bool ham = !p.ham10000.empty();
            const auto& csv = ham ? p.ham10000 : p.manifest;
            const std::string option = ham ? "--ham10000" : "--manifest";
            require_file(csv, option, ham ? "HAM10000_metadata.csv" : "a CSV naming images and diagnoses");
            if (p.images.empty())
                throw config_error(option + ": expected --images FOLDER, the folder holding its images (searched with "
                                   "its subfolders)");
            require_file(p.images, "--images", "the image folder of " + option);
            data::manifest_options o = ham ? data::ham10000_manifest() : data::manifest_options{};
            if (p.image_column) o.image_column = *p.image_column;
            if (p.diagnosis_column) o.diagnosis_column = *p.diagnosis_column;
            if (p.difficulty_column) o.difficulty_column = *p.difficulty_column;
            if (p.group_column) o.group_column = *p.group_column;
            if (p.fold_column) o.fold_column = *p.fold_column;
            o.map = map();
            st.target = data::load_manifest(csv, p.images, o);
            std::size_t groups = 0;
            {
                std::set<std::string> seen;
                for (const auto& smp : st.target.samples) seen.insert(smp.group.empty() ? "#" + smp.id : smp.group);
                groups = seen.size();
            }
            st.description = (ham ? "HAM10000 (" : "manifest (") + csv.string() + "), " +
                             std::to_string(st.target.size()) + " images of " + std::to_string(groups) + " lesions";
            if (!o.fold_column.empty()) {
                st.folds = data::folds_from_column(st.target, data::fold_values(st.target));
                st.description += ", folds from column '" + o.fold_column + "'";
            } else {
                st.folds = data::make_5x2_folds(st.target, s.seed, reps);
                st.folds_made_here = true;
                if (!o.group_column.empty()) st.description += ", folds split by '" + o.group_column + "'";
            }
            break;
        }
    }
    if (!p.reference_folds.empty()) {
        require_file(p.reference_folds, "--reference-folds", "a fold YAML file");
        st.folds = data::read_fold_yaml(p.reference_folds, st.target, p.fold_mapping);
        st.folds_made_here = false;
        st.description += ", folds from " + p.reference_folds.string();
        if (p.fold_mapping == data::fold_mapping::reference_runs)
            st.description += " read as the reference code's runs 1x1..5x2";
    }
    if (!p.retinopathy.empty()) {
        require_file(p.retinopathy, "--retinopathy", "Kaggle's trainLabels.csv");
        st.retinopathy = data::load_retinopathy(p.retinopathy, p.retinopathy_images);
        st.description += ", Retinopathy " + std::to_string(st.retinopathy->size()) + " images";
    }
    for (const auto& [path, option] : {std::pair{p.imagenet_weights, "--imagenet-weights"},
                                       std::pair{p.imagenet_weights_vgg16, "--imagenet-weights-vgg16"}})
        if (!path.empty()) require_file(path, option, "a MatConvNet .mat file");
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
