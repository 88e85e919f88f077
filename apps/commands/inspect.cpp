// dermtl inspect: what a dataset holds -- a label file of any known format (--labels), or a dataset
// in any format of the registry (programs/datasets.hpp) -- with its folds and missing images.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "programs/datasets.hpp"
#include "programs/inspect.hpp"

namespace dermtl::commands {

namespace {

struct inspect_args {
    std::filesystem::path labels, folds;
    programs::data_paths paths;  // a dataset format's options; paths.images: the image folder
};

int inspect(const inspect_args& a) {
    const auto& p = a.paths;
    int given = !a.labels.empty();
    const programs::dataset_format* format = nullptr;
    for (const auto* f : programs::dataset_formats())
        if (f->given(p)) {
            ++given;
            format = f;
        }
    if (given != 1)
        throw config_error("inspect: expected exactly one of --labels, " + programs::dataset_option_list(false, ", ") +
                           "; found " + std::to_string(given));
    auto require = [](const std::filesystem::path& path, std::string_view option) {
        std::error_code ec;
        const bool there = std::filesystem::exists(path, ec);
        if (ec && ec != std::errc::no_such_file_or_directory)
            throw io_error("inspect " + std::string(option) + ": cannot reach '" + path.string() + "' (" +
                           ec.message() + ")");
        if (!there)
            throw io_error("inspect " + std::string(option) + ": expected a file or folder, found nothing at '" +
                           path.string() + "'");
    };
    data::dataset d;
    std::optional<std::filesystem::path> images;
    if (!p.images.empty()) images = p.images;
    std::optional<data::fold_set> own_folds;  // the format's own (a challenge's official split)
    if (!a.labels.empty()) {
        require(a.labels, "--labels");
        auto file = programs::read_label_file(a.labels);  // any format it can tell; says which it took
        std::cout << file.text;
        if (!file.dataset) {
            if (!a.folds.empty())
                throw config_error("inspect --folds: expected a label file that loads as a dataset, found " +
                                   std::string(data::to_string(file.format)) + " '" + a.labels.string() +
                                   "' (summarised from its columns only)");
            if (images) std::cout << "images: not checked (" << data::to_string(file.format) << " has no loader yet)\n";
            return 0;
        }
        d = std::move(*file.dataset);
        if (!images) images = file.images;
    } else {
        require(p.*format->path, format->option);
        if (format->inspect) {  // a summary of its own
            std::cout << format->inspect(p);
            return 0;
        }
        programs::dataset_read how;
        how.command = "inspect";
        how.resolve_images = false;
        auto loaded = format->load(p, how);
        d = std::move(loaded.dataset);
        if (!images) images = loaded.images;
        own_folds = std::move(loaded.folds);
    }
    data::fold_set folds;
    const data::fold_set* shown = own_folds ? &*own_folds : nullptr;
    if (!a.folds.empty()) {
        require(a.folds, "--folds");
        folds = data::read_fold_yaml(a.folds, d);
        shown = &folds;
    }
    std::cout << programs::inspect(d, shown, images).text;
    return 0;
}

}  // namespace

command add_inspect(CLI::App& app) {
    auto a = std::make_shared<inspect_args>();
    auto* c = app.add_subcommand("inspect",
                                 "Summarise a dataset's labels and folds: per-class counts overall "
                                 "and per fold, train/test sizes, ids without an image");
    c->add_option("--labels", a->labels,
                  "Label CSV of any known format, detected from its header and content: the reference "
                  "implementation's image,level; ISIC 2016 or 2017 Part 3 ground truth; Kaggle "
                  "trainLabels.csv; derm7pt meta.csv; a HAM10000-style manifest");
    c->add_option("--folds", a->folds, "Fold YAML in the reference implementation's format");
    c->add_option("--images", a->paths.images,
                  "Image folder, to list ids without an image (optional); --manifest / --ham10000: their images");
    programs::add_dataset_options(*c, a->paths, programs::dataset_options::data);
    return {c, [a](int, char**) { return inspect(*a); }};
}

}  // namespace dermtl::commands
