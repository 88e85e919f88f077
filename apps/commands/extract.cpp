// dermtl extract: fc7 features (after ReLU, L2-normalized) of a dataset in any format of the
// registry (programs/datasets.hpp), written as .npy + ids.
#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "programs/backend_choice.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "programs/datasets.hpp"
#include "programs/option_checks.hpp"
#include "dermtl/protocol/imagenet_weights.hpp"

namespace dermtl::commands {

namespace {

int extract(const programs::model_cells& m, const std::filesystem::path& weights, const programs::data_paths& p,
            const std::filesystem::path& out, std::size_t batch, const programs::run_settings& s) {
    if (!std::filesystem::exists(weights))
        throw io_error("extract --weights: expected a MatConvNet file (" + m.matconvnet_file + "), found nothing at '" +
                       weights.string() + "'");
    programs::require_regular_file(weights, "--weights",
                                   "a weights file (.mat or safetensors) is read seeking in it",
                                   {.command = "extract"});
    protocol::check_imagenet_weights_file(weights, "extract --weights");  // a safetensors header: checked now
    // The output's folder is made (or refused) now, not after the features are computed.
    std::error_code ec;
    if (std::filesystem::is_directory(out, ec))
        throw io_error("extract --out: expected a .npy file to write, found the folder '" + out.string() +
                       "'; give a file name inside it, such as '" + (out / "fc7.npy").string() + "'");
    if (out.has_parent_path()) io::prepare_folder(out.parent_path(), "extract --out");
    const auto* format = programs::given_dataset(p, false, "extract");
    if (!format)
        throw config_error("extract: expected the dataset to extract, one of " + programs::dataset_option_list(false) +
                           " (e.g. --atlas META_CSV, or --tree FOLDER: one subfolder per class)");
    programs::dataset_read how;
    how.command = "extract";
    const data::dataset d = format->load(p, how).dataset;
    auto cache = programs::make_cache(m, s);
    m.extract(d, cache, weights, out, batch);
    std::cout << d.size() << " fc7 feature vectors written to " << out.string() << " (ids beside it)\n";
    return 0;
}

}  // namespace

command add_extract(CLI::App& app) {
    struct state {
        std::string network = "vgg_m";
        programs::backend_choice backend;
        std::filesystem::path weights, out;
        programs::data_paths paths;
        programs::run_settings settings;
        std::size_t batch = 32;
    };
    auto st = std::make_shared<state>();
    namespace oc = programs::option_checks;
    auto* c =
        app.add_subcommand("extract", "Write fc7 features (after ReLU, L2-normalized) of a dataset as .npy + ids");
    c->add_option("--network", st->network, "Network: " + apps::joined(apps::network_names()))->capture_default_str();
    st->backend.add_to(*c);
    c->add_option("--weights", st->weights,
                  "ImageNet weights (1000-way network): a MatConvNet .mat, or a safetensors file with torchvision's "
                  "or timm's VGG-16 names (told apart by content)")
        ->required();
    programs::add_dataset_options(*c, st->paths, programs::dataset_options::data);
    c->add_option("--out", st->out, "Output .npy file")->required();
    c->add_option("--batch-size", st->batch, "Batch size")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_batch_size));
    oc::add_max_image_pixels(*c, st->settings.max_image_pixels);
    c->add_option("--cache-dir", st->settings.cache_dir,
                  "Keep the preprocessed images on disk here, checked on every read, for a later extract or run "
                  "(default: 1 GiB in memory)");
    return {c, [st](int, char**) {
                if (!st->backend.numerics().is_default())
                    throw config_error("extract --precision " + st->backend.numerics().str() +
                                       ": the features of a MatConvNet network are extracted in float32 only; "
                                       "leave out --precision (bf16 applies to the cells that train: grid, run, demo)");
                return extract(st->backend.cells(st->network), st->weights, st->paths, st->out, st->batch,
                               st->settings);
            }};
}

}  // namespace dermtl::commands
