// The registry of dataset formats (programs/datasets.hpp): the list, and what the entries share.
#include "programs/datasets.hpp"

#include <system_error>
#include <utility>

#include <CLI/CLI.hpp>

#include "programs/datasets/atlas.hpp"
#include "programs/datasets/ham10000.hpp"
#include "programs/datasets/isic2016.hpp"
#include "programs/datasets/isic2017.hpp"
#include "programs/datasets/manifest.hpp"
#include "programs/datasets/reference_labels.hpp"
#include "programs/datasets/retinopathy.hpp"
#include "programs/datasets/tree.hpp"

namespace dermtl::programs {

const std::vector<const dataset_format*>& dataset_formats() {
    static const std::vector<const dataset_format*> all = {
        &formats::atlas,    &formats::isic2016, &formats::isic2017,    &formats::tree,
        &formats::manifest, &formats::ham10000, &formats::retinopathy, &formats::reference_labels,
    };
    return all;
}

const dataset_format& atlas_dataset() { return formats::atlas; }
const dataset_format& isic2016_dataset() { return formats::isic2016; }

void add_dataset_options(CLI::App& app, data_paths& p, dataset_options which) {
    for (const auto* f : dataset_formats())
        if (f->add_options) f->add_options(app, p, which);
}

std::string dataset_option_list(bool targets_only, std::string_view last_separator, std::string_view except) {
    std::vector<std::string_view> options;
    for (const auto* f : dataset_formats())
        if (!f->option.empty() && f->option != except && (f->target || !targets_only)) options.push_back(f->option);
    std::string out;
    for (std::size_t i = 0; i < options.size(); ++i)
        out += std::string(i == 0 ? "" : i + 1 == options.size() ? last_separator : ", ") + std::string(options[i]);
    return out;
}

const dataset_format* given_dataset(const data_paths& p, bool targets_only, const std::string& command) {
    std::vector<const dataset_format*> given;
    for (const auto* f : dataset_formats())
        if ((f->target || !targets_only) && f->given(p)) given.push_back(f);
    if (given.size() > 1)
        throw config_error((command.empty() ? "" : command + " ") + std::string(given[0]->option) + " and " +
                           std::string(given[1]->option) + ": expected one " + (targets_only ? "target " : "") +
                           "dataset, found several; " +
                           (command.empty() ? "run each in its own --out" : "give one at a time"));
    return given.empty() ? nullptr : given.front();
}

void require_dataset_path(const std::filesystem::path& path, std::string_view option, const std::string& what,
                          const dataset_read& how) {
    const std::string named = (how.command.empty() ? "" : how.command + " ") + std::string(option);
    std::error_code ec;
    const bool there = std::filesystem::exists(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw io_error(named + ": cannot reach '" + path.string() + "' (" + ec.message() + ")");
    if (!there)
        throw io_error(named + ": expected " + what + ", found nothing at '" + path.string() +
                       "'; check the path (docs/reproducing.md says where to get it)" +
                       (how.command.empty() ? ", or run with --synthetic" : ""));
}

void require_regular_file(const std::filesystem::path& path, std::string_view option, const std::string& why,
                          const dataset_read& how) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto type = fs::status(path, ec).type();
    if (ec || type == fs::file_type::regular || type == fs::file_type::directory) return;  // missing: said elsewhere
    const char* found = type == fs::file_type::fifo        ? "a pipe (or a process substitution such as <(...))"
                        : type == fs::file_type::character ? "a character device"
                        : type == fs::file_type::block     ? "a block device"
                        : type == fs::file_type::socket    ? "a socket"
                                                           : "a special file";
    throw io_error((how.command.empty() ? "" : how.command + " ") + std::string(option) +
                   ": expected a regular file, found " + found + " at '" + path.string() + "': " + why +
                   ", and a pipe can be read only once; save it to a file and pass that file's path");
}

void require_rereadable_data(const data_paths& p, const std::string& command) {
    const std::string why = "each task of the job array reads it again when it starts";
    dataset_read how;
    how.command = command;
    const std::pair<const std::filesystem::path*, const char*> options[] = {
        {&p.atlas, "--atlas"},
        {&p.atlas_images, "--atlas-images"},
        {&p.isic2016, "--isic2016"},
        {&p.isic2017, "--isic2017"},
        {&p.retinopathy, "--retinopathy"},
        {&p.retinopathy_images, "--retinopathy-images"},
        {&p.imagenet_weights, "--imagenet-weights"},
        {&p.imagenet_weights_vgg16, "--imagenet-weights-vgg16"},
        {&p.reference_folds, "--reference-folds"},
        {&p.tree, "--tree"},
        {&p.manifest, "--manifest"},
        {&p.ham10000, "--ham10000"},
        {&p.images, "--images"},
        {&p.diagnosis_map, "--diagnosis-map"},
    };
    for (const auto& [path, option] : options)
        if (!path->empty()) require_regular_file(*path, option, why, how);
}

data::diagnosis_map diagnosis_map_of(const data_paths& p, const dataset_read& how) {
    auto m = data::diagnosis_map::defaults();
    if (!p.diagnosis_map.empty()) {
        require_dataset_path(p.diagnosis_map, "--diagnosis-map", "a CSV value,diagnosis", how);
        m.read_overrides(p.diagnosis_map);
    }
    return m;
}

bool lacks_option(CLI::App& app, std::string_view name) {
    return app.get_option_no_throw(std::string(name)) == nullptr;
}

void add_split_option(CLI::App& app, data_paths& p) {
    if (!lacks_option(app, "--split")) return;
    const std::map<std::string, bool> splits{{"official", false}, {"cv", true}};
    app.add_option("--split", p.cross_validate_isic,
                   "ISIC 2016/2017: official (the challenge's train/test split as one fold, the paper's Table 2) or "
                   "cv (--folds cross-validation over all the images); default official")
        ->transform(CLI::CheckedTransformer(splits));
}

void add_diagnosis_map_option(CLI::App& app, data_paths& p) {
    if (lacks_option(app, "--diagnosis-map"))
        app.add_option("--diagnosis-map", p.diagnosis_map,
                       "A CSV value,diagnosis mapping your data's diagnosis spellings onto dermtl's vocabulary, over "
                       "the default table (docs/reproducing.md)");
}

void add_images_option(CLI::App& app, data_paths& p) {
    if (lacks_option(app, "--images"))
        app.add_option("--images", p.images,
                       "The image folder of --manifest / --ham10000 (searched with its subfolders)");
}

std::string split_description(const data_paths& p, const dataset_read& how) {
    return p.cross_validate_isic ? ", " + how.folds + " cross-validation over all images" : ", official split";
}

loaded_dataset official_split(data::dataset training, data::dataset validation, data::dataset test,
                              const std::string& name, const data_paths& p) {
    loaded_dataset out;
    data::fold f;
    f.name = "official_split";
    out.dataset = std::move(training);
    out.dataset.name = name;
    for (std::size_t i = 0; i < out.dataset.size(); ++i) f.train.push_back(i);
    for (auto* part : {&validation, &test})
        for (auto& smp : part->samples) {
            (part == &test ? f.test : f.validation).push_back(out.dataset.size());
            out.dataset.samples.push_back(std::move(smp));
        }
    out.dataset.check();
    if (!p.cross_validate_isic) out.folds = data::fold_set{f};
    return out;
}

label_file read_label_file(const std::filesystem::path& csv) {
    const auto table = io::read_csv(csv);
    const auto format = data::detect_label_format(table);
    for (const auto* f : dataset_formats())
        if (f->labels == format && f->read_labels) {
            auto out = f->read_labels(csv, table);
            out.format = format;
            out.text = "'" + csv.string() + "': " + std::string(data::to_string(format)) + " (" +
                       std::string(data::info(format).signature) + ")\n" + out.text;
            return out;
        }
    throw config_error("inspect --labels: '" + csv.string() + "' is " + std::string(data::to_string(format)) +
                       ", which no dataset format of this build reads (programs/datasets.cpp)");
}

}  // namespace dermtl::programs
