#pragma once
// A study: the data a paper program runs on -- the lesion dataset and its folds, the Retinopathy
// and general source tasks, the ImageNet weight files -- loaded from the user's paths or generated
// (--synthetic), plus the command-line options that name them (CLI11), shared by `dermtl` and the
// table programs in examples/.
//
//   programs::data_paths paths;  programs::run_settings settings;
//   programs::add_data_options(app, paths);  programs::add_run_options(app, settings);
//   CLI11_PARSE(app, argc, argv);
//   programs::study s = programs::load_study(paths, settings, programs::atlas_dataset());
//
// The formats a study's data may come in are the registry's (programs/datasets.hpp).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace CLI {
class App;
class Validator;
}

#include "dermtl/backend/precision.hpp"
#include "dermtl/protocol/shard.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/data/reference_runs.hpp"
#include "dermtl/io/image_cache.hpp"
#include "programs/model_cells.hpp"
#include "dermtl/protocol/inputs.hpp"

namespace dermtl::programs {

struct dataset_format;  // programs/datasets.hpp

// Where the data lies (real runs) or that it is to be generated (synthetic).
struct data_paths {
    bool synthetic = false;
    std::filesystem::path atlas;                 // derm7pt release_v0/meta/meta.csv
    std::filesystem::path atlas_images;          // default: release_v0/images
    std::filesystem::path isic2016;              // the ISIC 2016 Part 3 folder (Table 2)
    std::filesystem::path retinopathy;           // Kaggle trainLabels.csv
    std::filesystem::path retinopathy_images;    // Kaggle train/ folder
    std::filesystem::path imagenet_weights;      // imagenet-vgg-m.mat (or the table's model)
    std::filesystem::path imagenet_weights_vgg16;  // imagenet-vgg-verydeep-16.mat (Table 3)
    std::filesystem::path reference_folds;       // the reference implementation's fold YAML
    // How its folds are read: as written (a valid 5x2 CV), or as the reference code's ten runs ixj
    // (--fold-mapping reference-runs; data/reference_runs.hpp), to reproduce its numbers run for run.
    data::fold_mapping fold_mapping = data::fold_mapping::folds;
    // The user's own data (issue 16): each of these is a target, like --atlas and --isic2016.
    std::filesystem::path isic2017;              // the ISIC 2017 Part 3 folder (official layout)
    std::filesystem::path tree;                  // a folder per class, named by diagnosis
    std::filesystem::path manifest;              // a CSV naming each image and its diagnosis
    std::filesystem::path ham10000;              // HAM10000_metadata.csv (a manifest with HAM10000's columns)
    std::filesystem::path images;                // the image folder of --manifest / --ham10000 (searched recursively)
    // --manifest's columns (default: image, diagnosis); given, they also override --ham10000's.
    std::optional<std::string> image_column, diagnosis_column, difficulty_column, group_column, fold_column;
    std::filesystem::path diagnosis_map;         // a CSV value,diagnosis over the default table
    // ISIC 2016 / 2017: the official split as one fold (the paper's Table 2), or 5x2 CV over all.
    bool cross_validate_isic = false;
    data::isic2017_validation isic2017_validation = data::isic2017_validation::merged_into_training;
    data::labeling_rules rules{};                // --akiec-as-carcinoma
};

// How to run: the paper's protocol by default.
struct run_settings {
    std::filesystem::path out = "dermtl-results";
    // --protocol: "paper" (the paper's text) or "reference" (the reference code's;
    // protocol/training.hpp). It selects the compiled cells and the training defaults below.
    std::string protocol_name = "paper";
    protocol::reference_quirks quirks{};  // --reference-quirk (reference protocol only)
    std::size_t epochs = 60;
    std::size_t batch_size = 48;
    float learning_rate = 1e-3f, momentum = 0.1f, l2 = 5e-3f;  // the paper's (momentum as printed)
    // Which of the training options the user gave: the others take the protocol's defaults
    // (apply_protocol_defaults).
    struct given_options {
        bool epochs = false, batch_size = false, learning_rate = false, momentum = false, l2 = false;
    } given;
    std::string folds = "5x2";   // "5x2", "2" (one 2-fold repetition) or "RxK"-style "Rx2"
    std::uint64_t seed = 2017;
    std::size_t max_folds = 0;   // 0: all
    std::filesystem::path cache_dir;  // preprocessed images on disk here (empty: memory, 1 GiB)
    bool progress = true;        // a progress line per epoch while fine-tuning
    bool verbose = true;         // a line per finished fold
    bool recompute = false;      // replace stored results made by another experiment (else: refuse)
    // --max-image-pixels: the largest width x height read, checked from each image's header.
    std::uint64_t max_image_pixels = io::image_read_options{}.max_pixels;
    // `grid --shard K/N` or the Slurm job array's task: which (cell, fold) items this process runs.
    protocol::shard shard{};
    // `grid --part`: the sources, or the cells that need none / use one (protocol/shard.hpp).
    protocol::grid_part part = protocol::grid_part::all;
    // --precision / --deterministic as checked for the backend (backend_choice::cells).
    backend::numerics numerics{};
};

// Generated data sizes (synthetic runs).
struct synthetic_sizes {
    int image_size = 64;
    std::size_t lesions = 600;
    std::size_t retinas = 300;
    int general_classes = 24;
    std::size_t general_per_class = 30;
};

// --synthetic, every dataset format's options (programs/datasets.hpp), the ImageNet weights, the
// reference folds and the designs' rules.
void add_data_options(CLI::App& app, data_paths& p);

// The training and protocol options, each range-checked while parsing (programs/option_checks.hpp
// lists the bounds), so a bad value fails before any work with a message naming the option.
void add_run_options(CLI::App& app, run_settings& s);

// --folds: "5x2", "2" or "Rx2", R from 1 to max_fold_repetitions. fold_repetitions throws a
// config_error naming --folds; folds_option() is the same check as a CLI11 validator.
inline constexpr int max_fold_repetitions = 1000;
int fold_repetitions(const std::string& folds);
CLI::Validator folds_option();

struct study {
    bool synthetic = false;
    // The lesion dataset's format: the paper's (the Atlas; ISIC 2016 for Table 2), or the user's
    // (programs::given_dataset names the one the data options give). Synthetic data stands in for it.
    const dataset_format* format = nullptr;
    data::labeling_rules rules{};  // how the designs label diagnoses outside the Atlas
    bool folds_made_here = false;  // the folds are dermtl's stratified 5x2 (else given: a split, column or file)
    data::dataset target;
    data::fold_set folds;
    std::optional<data::dataset> retinopathy, general;
    bool imagenet_weights_given = false;  // --imagenet-weights (or --synthetic: the stand-in)
    std::map<std::string, std::filesystem::path> imagenet_weights;  // by model name (model_cells::model)
    std::string description;                                        // for the report's metadata
};

// Loads (or generates under OUT/data) the data of a study, its target in the format `target`.
// Throws io_error / config_error naming the option, the path and what was expected.
study load_study(const data_paths& p, const run_settings& s, const dataset_format& target,
                 const synthetic_sizes& sizes = {});

// The trainer's options from the run settings (every network a program trains uses them).
train::trainer_options training_options(const run_settings& s);

// Sets the training options the user did not give to the defaults of the cells' protocol
// (model_cells::training_defaults: the reference's 80 epochs, ...); refuses --reference-quirk
// outside the reference protocol.
void apply_protocol_defaults(run_settings& s, const model_cells& m);

// The ImageNet weights of one model: the user's file (real runs) or the general-task stand-in,
// trained and written once under OUT/data (synthetic runs).
void attach_imagenet_weights(study& st, const model_cells& m, const data_paths& p, const run_settings& s,
                             io::image_cache& cache);

// The experiment inputs of a study for one model (its own image cache, at its input size).
protocol::experiment_inputs inputs_for(const study& st, const model_cells& m, const run_settings& s,
                                       io::image_cache& cache);

// Preprocessed images at the model's input size: in memory (1 GiB, least recently used out),
// or on disk under settings.cache_dir/<size> when given.
io::image_cache make_cache(const model_cells& m, const run_settings& s = {});

}  // namespace dermtl::programs
