// dermtl synth: a synthetic dataset written in its real format (derm7pt, Kaggle, folders).
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/data/synthetic_retina.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/output_folder.hpp"
#include "programs/inspect.hpp"
#include "programs/option_checks.hpp"

namespace dermtl::commands {

namespace {

int synth(const std::string& kind, const std::filesystem::path& out, std::size_t count, int size, std::uint64_t seed) {
    constexpr std::size_t general_classes = 24;
    if (kind == "general" && count * general_classes > programs::option_checks::max_image_count)
        throw config_error("synth general --count: expected at most " +
                           std::to_string(programs::option_checks::max_image_count / general_classes) +
                           " images per class (" + std::to_string(general_classes) + " classes, at most " +
                           std::to_string(programs::option_checks::max_image_count) + " images), found " +
                           std::to_string(count));
    io::prepare_folder(out, "synth");
    // A generation killed part way is done again (data/synthetic_canvas.hpp); its writes' temporaries go.
    for (const auto& t : io::remove_stale_temporaries(out))
        std::cerr << "removed '" << t.path.string() << "', the temporary of a write interrupted when process " << t.pid
                  << " ended\n";
    data::dataset d;
    if (kind == "lesions") {
        d = data::generate_lesions(out, {.size = size, .count = count ? count : 400, .seed = seed});
    } else if (kind == "retina") {
        d = data::generate_retinas(out, {.size = size, .count = count ? count : 300, .seed = seed});
    } else {
        d = data::generate_general(
            out, {.size = size, .num_classes = int(general_classes), .per_class = count ? count : 30, .seed = seed});
    }
    std::cout << programs::inspect(d, nullptr).text << "written under " << out.string() << "\n";
    return 0;
}

}  // namespace

command add_synth(CLI::App& app) {
    struct state {
        std::string kind;
        std::filesystem::path out;
        std::size_t count = 0;
        int size = 64;
        std::uint64_t seed = 2017;
    };
    auto st = std::make_shared<state>();
    namespace oc = programs::option_checks;
    auto* c = app.add_subcommand("synth", "Write a synthetic dataset in its real format (derm7pt, Kaggle, folders)");
    c->add_option("kind", st->kind, "lesions, retina or general")
        ->required()
        ->check(CLI::IsMember({"lesions", "retina", "general"}));
    c->add_option("--out", st->out, "Folder to write")->required();
    c->add_option("--count", st->count, "Images (general: per class, 24 classes)")
        ->transform(oc::whole_number(1, oc::max_image_count));
    c->add_option("--size", st->size, "Image side in pixels")
        ->capture_default_str()
        ->transform(oc::whole_number(32, oc::max_image_side));  // the generators draw on at least 32x32
    c->add_option("--seed", st->seed, "Seed")->capture_default_str()->transform(oc::seed());
    return {c, [st](int, char**) { return synth(st->kind, st->out, st->count, st->size, st->seed); }};
}

}  // namespace dermtl::commands
