#pragma once
// The registry of dataset formats: every format the tool reads, each one entry (its options, the
// label files detect_label_format tells as it, its loader, its description), in
// apps/programs/datasets/<format>.hpp. Every command that takes data reads it through here, so
// `grid`, `run`, `slurm submit`, `compare-protocols`, `inspect` and `extract` all take every format:
//
//   programs::data_paths paths;
//   programs::add_dataset_options(app, paths, programs::dataset_options::data);
//   CLI11_PARSE(app, argc, argv);
//   const auto* f = programs::given_dataset(paths, "extract");  // the one format named, or none
//   programs::loaded_dataset d = f->load(paths, {.command = "extract"});
//
// A new format is its entry (a header in datasets/ and a line in datasets.cpp's list), its test
// (tests/programs/cli_formats_test.sh) and its docs line (docs/reproducing.md, "Your own data").
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis_map.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/label_format.hpp"
#include "programs/study.hpp"

namespace CLI {
class App;
}

namespace dermtl::programs {

// Which options a command takes: a study's (grid, run, the tables: also how a challenge's split
// is used, --split and --isic2017-validation) or the data's only (inspect, extract).
enum class dataset_options { study, data };

// How a command reads a dataset.
struct dataset_read {
    // "" for a study (its errors suggest --synthetic); "inspect", "extract": named in the errors.
    std::string command;
    // false: the labels only, images not looked up (inspect lists the ids without an image itself).
    // A challenge folder's loader always resolves its images.
    bool resolve_images = true;
    std::string folds = "5x2";  // --folds, named in the description of cross-validation
};

// A dataset as its format loaded it.
struct loaded_dataset {
    data::dataset dataset;  // every sample (a challenge's parts in one: training, validation, test)
    // The format's own folds: a challenge's official split as one fold, a manifest's fold column.
    // None: a study makes --folds cross-validation (folds_made_here).
    std::optional<data::fold_set> folds;
    std::string description;  // for the report's metadata and the study's log
    // Where its images are looked up when they were not resolved (inspect), e.g. release_v0/images.
    std::optional<std::filesystem::path> images;
};

// `dermtl inspect --labels FILE`: a label CSV of any format data::detect_label_format knows, read
// by that format's entry (without images). `text` opens with the format the file was taken for;
// a format that has no label-file loader (HAM10000: its loader needs its images) is summarised
// from its columns there (rows per diagnosis, images, lesions) and has no dataset.
struct label_file {
    data::label_format format = data::label_format::reference;
    std::optional<data::dataset> dataset;
    std::optional<std::filesystem::path> images;  // where its images usually are (derm7pt: ../images)
    std::string text;
};
label_file read_label_file(const std::filesystem::path& csv);

// One dataset format. Every member but option, title and path may be left out (null).
struct dataset_format {
    std::string_view option;  // the option naming it, "--atlas"; empty: reached through --labels only
    std::string_view title;   // "derm7pt Atlas"
    // What `option` sets (its path; empty: not given).
    std::filesystem::path data_paths::*path = nullptr;
    bool target = true;       // a target dataset of `grid`; false: a transfer source (Retinopathy)
    bool isic_label = false;  // its samples carry ISIC 2016's own benign/malignant label (isic_binary)
    // The label files data::detect_label_format tells as this format (`inspect --labels`).
    std::optional<data::label_format> labels;
    // Adds `option` and the options it reads (a shared one, such as --images, once per command).
    void (*add_options)(CLI::App& app, data_paths& p, dataset_options which) = nullptr;
    // Loads it from the options; io_error / config_error naming the option, the path, what was
    // expected. A study loads its target with an empty `path` too: the error then says what to pass.
    loaded_dataset (*load)(const data_paths& p, const dataset_read& how) = nullptr;
    // Reads one label file of it (`inspect --labels`), `table` being the file as read: from `table`
    // only, never by opening `csv` again (a pipe or process substitution can be read once).
    label_file (*read_labels)(const std::filesystem::path& csv, const io::csv_table& table) = nullptr;
    // `inspect --OPTION`: a summary of its own; null: programs::inspect of what load() gives.
    std::string (*inspect)(const data_paths& p) = nullptr;

    bool given(const data_paths& p) const { return !option.empty() && !(p.*path).empty(); }
};

// Every format, in the order of the options' help: the targets, then the sources.
const std::vector<const dataset_format*>& dataset_formats();

// The paper's datasets, which the paper's programs name: the Atlas (Tables 1, 3, 4) and ISIC 2016
// Part 3 (Table 2). The tool reaches the others only through the registry.
const dataset_format& atlas_dataset();
const dataset_format& isic2016_dataset();

// Adds every format's options to a command, in registry order.
void add_dataset_options(CLI::App& app, data_paths& p, dataset_options which);

// The formats' options, "--atlas, --isic2016, ... or --ham10000": the targets only, or every
// format; `except` left out.
std::string dataset_option_list(bool targets_only, std::string_view last_separator = " or ",
                                std::string_view except = {});

// The one format whose option is given (the targets only, or every format); nullptr when none is.
// Several: config_error naming two of them, prefixed by `command` ("" for a study).
const dataset_format* given_dataset(const data_paths& p, bool targets_only, const std::string& command = {});

// For the entries: an io_error naming the option when nothing is at `path` (`what` was expected),
// worded for `how.command`.
void require_dataset_path(const std::filesystem::path& path, std::string_view option, const std::string& what,
                          const dataset_read& how);

// For the entries and the commands: an io_error naming the option when `path` is neither a regular
// file nor a folder (a pipe, a process substitution such as <(cat f), a device), which can be read
// only once. `why` says why this option's file is read more than once ("it is hashed for the
// results' fingerprint, then read by matio"); every other file option reads its file once, and
// takes a pipe.
void require_regular_file(const std::filesystem::path& path, std::string_view option, const std::string& why,
                          const dataset_read& how);

// `dermtl slurm submit`: every data option's path (the data options of grid, above and in
// programs/study.hpp), since each task of the array reads it again, much later: require_regular_file.
void require_rereadable_data(const data_paths& p, const std::string& command);

// For the entries: the default diagnosis table, with --diagnosis-map's overrides when given.
data::diagnosis_map diagnosis_map_of(const data_paths& p, const dataset_read& how);

// For the entries: adds an option unless the command has it already (a format's option shared
// with another format, or the command's own, e.g. inspect's --images).
bool lacks_option(CLI::App& app, std::string_view name);

// For the entries: the options several formats read, each added once per command: --split
// (ISIC 2016/2017), --diagnosis-map (formats naming diagnoses in their own words), --images (the
// image folder of --manifest / --ham10000).
void add_split_option(CLI::App& app, data_paths& p);
void add_diagnosis_map_option(CLI::App& app, data_paths& p);
void add_images_option(CLI::App& app, data_paths& p);

// For the entries: ", official split" or ", 5x2 cross-validation over all images" (--split).
std::string split_description(const data_paths& p, const dataset_read& how);

// For the entries: a challenge's official split as one dataset (training, then validation and test)
// and one fold `official_split`; with --split cv no fold (the study cross-validates all the images).
loaded_dataset official_split(data::dataset training, data::dataset validation, data::dataset test,
                              const std::string& name, const data_paths& p);

}  // namespace dermtl::programs
