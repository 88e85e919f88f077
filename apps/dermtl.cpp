// dermtl: the command-line tool. Every command is a thin front end over apps/programs/ (dermtl_programs).
//
//   dermtl demo                          the embedded default: synthetic data, Tables 1, 3, 4, a report
//   dermtl inspect --labels L.csv [--folds F.yml] [--images DIR]   what a dataset holds
//   dermtl grid --list                   the compiled experiment cells
//   dermtl grid --cells 'vgg_m/cpu/imagenet/*' --atlas meta.csv --imagenet-weights imagenet-vgg-m.mat
//   dermtl run vgg_m/cpu/none/finetune/malignant_vs_benign --atlas meta.csv
//   dermtl report --results OUT/work/results --out DIR
//   dermtl synth lesions --out DIR
//   dermtl extract --network vgg_m --weights imagenet-vgg-m.mat --atlas meta.csv --out fc7.npy
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cells.hpp"

#include "dermtl/data/atlas.hpp"
#include "dermtl/data/folder_tree.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/data/synthetic_retina.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "programs/inspect.hpp"
#include "programs/option_checks.hpp"
#include "programs/shard_option.hpp"
#include "programs/slurm.hpp"
#include "programs/paper_programs.hpp"
#include "programs/protocol_comparison.hpp"
#include "programs/runner.hpp"
#include "programs/validity.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/published.hpp"
#include "dermtl/report/markdown.hpp"
#include "dermtl/train/stop_request.hpp"

using namespace dermtl;

namespace {

// --backend, --precision, --deterministic: one set of options for every command that trains.
struct backend_choice {
    std::string backend = apps::default_backend();
    apps::precision precision = apps::precision::float32;
    bool deterministic = false;

    void add_to(CLI::App& c) {
        c.add_option("--backend", backend,
                     "Backend: " + apps::joined(apps::backend_names()) +
                         " (cpu is the reference path; onednn runs oneDNN's kernels and gives the same results "
                         "within float32 rounding)")
            ->capture_default_str();
        const std::map<std::string, apps::precision> precisions = {{"float32", apps::precision::float32},
                                                                   {"tf32", apps::precision::tf32}};
        c.add_option("--precision", precision, "CUDA only: float32 (default) or tf32 (tensor cores)")
            ->transform(CLI::CheckedTransformer(precisions));
        c.add_flag("--deterministic", deterministic, "CUDA only: cuDNN's deterministic algorithms");
    }
    const programs::model_cells& cells(const std::string& network) const {
        const auto& c = apps::cells_of(network, backend);
        apps::use_numerics(backend, precision, deterministic);
        return c;
    }
    // The cells of --protocol; the training options not given take that protocol's defaults.
    const programs::model_cells& cells(const std::string& network, programs::run_settings& s) const {
        const auto& c = apps::cells_of(network, backend, s.protocol_name);
        programs::apply_protocol_defaults(s, c);
        apps::use_numerics(backend, precision, deterministic);
        return c;
    }
};

// demo ------------------------------------------------------------------------------------------
int demo(const programs::demo_options& o, const backend_choice& b) {
    const auto& first = b.cells("vgg_m_scaled");
    const auto r = programs::run_demo(o, first, b.cells("vgg_16_scaled"), std::cerr);
    for (const auto& t : r.report.tables) std::cout << report::to_markdown(t) << "\n";
    std::printf("This run took %.0f s (stored results and cached models are reused). Report: %s\n", r.seconds,
                r.written.html().c_str());
    return 0;
}

// inspect ---------------------------------------------------------------------------------------
struct inspect_args {
    std::filesystem::path labels, folds, images, atlas, isic2016, retinopathy, tree;
};

int inspect(const inspect_args& a) {
    data::dataset d;
    std::optional<std::filesystem::path> images;
    if (!a.images.empty()) images = a.images;
    const int given = !a.labels.empty() + !a.atlas.empty() + !a.isic2016.empty() + !a.retinopathy.empty() + !a.tree.empty();
    if (given != 1)
        throw config_error("inspect: expected exactly one of --labels, --atlas, --isic2016, --retinopathy, --tree; "
                           "found " + std::to_string(given));
    auto require = [](const std::filesystem::path& p, const char* option) {
        std::error_code ec;
        const bool there = std::filesystem::exists(p, ec);
        if (ec && ec != std::errc::no_such_file_or_directory)
            throw io_error(std::string("inspect ") + option + ": cannot reach '" + p.string() + "' (" + ec.message() + ")");
        if (!there)
            throw io_error(std::string("inspect ") + option + ": expected a file or folder, found nothing at '" +
                           p.string() + "'");
    };
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
        if (file.format == data::label_format::derm7pt && !images) {  // as --atlas: release_v0/images
            images = a.labels.parent_path().parent_path() / "images";
            if (!std::filesystem::is_directory(*images)) images.reset();
        }
    } else if (!a.atlas.empty()) {
        require(a.atlas, "--atlas");
        data::atlas_options o;
        o.resolve_images = false;
        d = data::load_atlas(a.atlas, o);
        if (!images) images = a.atlas.parent_path().parent_path() / "images";
        if (!std::filesystem::is_directory(*images)) images.reset();
    } else if (!a.isic2016.empty()) {
        require(a.isic2016, "--isic2016");
        const auto split = data::load_isic2016_challenge(a.isic2016);
        std::cout << programs::inspect(split.training, nullptr).text << programs::inspect(split.test, nullptr).text;
        // The paper's text misstates these counts: say so once, beside this copy's own.
        const auto& text = protocol::paper_text_isic2016_melanomas;
        const auto& official = protocol::official_isic2016_melanomas;
        std::cout << "note: this copy holds " << split.training.class_counts().at(1) << " malignant (melanoma) cases in "
                  << "training and " << split.test.class_counts().at(1) << " in test; the official files hold "
                  << official[0] << " and " << official[1] << ", while the paper's text says " << text[0] << " and "
                  << text[1] << " (the text's figures do not match the data)\n";
        return 0;
    } else if (!a.retinopathy.empty()) {
        require(a.retinopathy, "--retinopathy");
        d = data::load_retinopathy(a.retinopathy);
    } else {
        require(a.tree, "--tree");
        d = data::load_folder_tree(a.tree);
    }
    data::fold_set folds;
    if (!a.folds.empty()) {
        require(a.folds, "--folds");
        folds = data::read_fold_yaml(a.folds, d);
    }
    std::cout << programs::inspect(d, a.folds.empty() ? nullptr : &folds, images).text;
    return 0;
}

// grid / run / report -----------------------------------------------------------------------------
// The target data: the one the data options name (--atlas, --isic2016, --isic2017, --tree,
// --manifest, --ham10000); without one, generated data (--synthetic) in the layout the cells
// need (ISIC's own label: the ISIC 2016 split; else the Atlas'), or the error naming the options.
programs::target_kind target_of(const programs::model_cells& m, const std::string& pattern,
                                const programs::data_paths& p) {
    if (const auto given = programs::target_given(p); given && !p.synthetic) return *given;
    const auto cells = m.registry.match(pattern);
    const auto isic = std::count_if(cells.begin(), cells.end(), [](const auto* e) { return e->facts.isic_label; });
    if (isic != 0 && std::size_t(isic) != cells.size())
        throw config_error("--cells '" + pattern + "': picks " + std::to_string(isic) + " ISIC-label cell(s), which run on "
                           "--isic2016, and " + std::to_string(cells.size() - std::size_t(isic)) + " other cell(s); run "
                           "them with two patterns");
    return isic ? programs::target_kind::isic2016 : programs::target_kind::atlas;
}

// The folds each cell runs (--max-folds caps them), as experiment_inputs::fold_count counts them.
std::size_t folds_per_cell(const programs::study& st, const programs::run_settings& s) {
    return std::min(s.max_folds ? s.max_folds : st.folds.size(), st.folds.size());
}

// Which published values a report shows (--paper, --compare-with-paper), with the architecture
// of every compiled model: the paper's network a scaled one is compared with.
programs::paper_comparison paper_comparison_of(programs::paper_values shown) {
    programs::paper_comparison compare;
    compare.shown = shown;
    for (const auto* m : apps::compiled_cells()) compare.architectures.emplace(m->model, m->architecture);
    return compare;
}

int grid(const programs::model_cells& m, const std::string& pattern, bool list, const programs::data_paths& p,
         const programs::run_settings& s, bool compare_with_paper = false) {
    if (list) {
        // With data options: which cells can run on that data, and why the others cannot.
        std::optional<programs::study> st;
        if (p.synthetic || programs::target_given(p))
            st = programs::load_study(p, s, target_of(m, m.registry.entries().front().id.str(), p));
        for (const auto& e : m.registry.entries()) {
            std::cout << e.id.str();
            if (st)
                if (const auto why = programs::cell_problem(*st, e); !why.empty()) std::cout << "  (not here: " << why << ")";
            std::cout << "\n";
        }
        return 0;
    }
    programs::study st = programs::load_study(p, s, target_of(m, pattern, p));
    const auto selected = m.registry.match(pattern);
    programs::require_runnable(st, selected);
    const auto results = programs::run_model(st, m, p, s, {pattern}, std::cerr);
    if (!s.shard.whole() || s.part != protocol::grid_part::all) {
        // One shard or part holds part of the grid: the report is built from the shared results
        // folder once every shard of every part has run.
        const std::size_t items = programs::work_items(m.registry, pattern, s.part, folds_per_cell(st, s));
        std::cout << "part " << protocol::name_of(s.part) << ", shard " << s.shard.str() << ": ";
        if (s.part == protocol::grid_part::sources) {
            std::cout << items << " source model(s) in the part\n";
            return 0;
        }
        std::size_t folds = 0;
        for (const auto& r : results) folds += r.folds.size();
        std::cout << folds << " (cell, fold) work item(s) of " << items << " done, in " << results.size()
                  << " cell(s); after every shard: dermtl report --results " << (s.out / "work" / "results").string()
                  << "\n";
        return 0;
    }
    // Real data: the paper's values beside our results of its configuration; --compare-with-paper:
    // beside any, with notes saying what differs; synthetic data: none unless asked.
    const auto shown = compare_with_paper ? programs::paper_values::any_configuration
                       : st.synthetic    ? programs::paper_values::none
                                         : programs::paper_values::same_configuration;
    auto rep = programs::report_of(results, apps::all_cells(), "dermtl: " + pattern, paper_comparison_of(shown));
    for (const auto& note : programs::design_notes(st, selected)) rep.metadata.emplace_back("note", note);
    const auto written = report::write_report(rep, s.out / "report");
    for (const auto& t : rep.tables) std::cout << report::to_markdown(t) << "\n";
    std::cout << "report: " << written.html().string() << "\n";
    return 0;
}

// slurm submit ------------------------------------------------------------------------------------
// What determines a submitted grid's results, recorded in OUT/slurm/submission.json: a second
// submission into the same folder must have the same (programs/slurm.hpp).
nlohmann::json grid_configuration(const programs::model_cells& m, const std::string& pattern,
                                  const programs::study& st, const programs::run_settings& s) {
    protocol::content_hashes hashes(s.out / "work" / "content-hashes.json");
    nlohmann::json c = {{"network", m.model},
                        {"cells", pattern},
                        {"epochs", s.epochs},
                        {"batch_size", s.batch_size},
                        {"learning_rate", s.learning_rate},
                        {"momentum", s.momentum},
                        {"l2", s.l2},
                        {"folds", s.folds},
                        {"max_folds", s.max_folds},
                        {"seed", s.seed},
                        {"target", protocol::dataset_hash(st.target, hashes)},
                        {"target_folds", protocol::folds_hash(st.target, st.folds)},
                        {"retinopathy", st.retinopathy ? protocol::dataset_hash(*st.retinopathy, hashes) : "none"}};
    // The protocol only when it is not the paper's, so folders submitted before protocols existed
    // keep their configuration.
    if (m.protocol_name != protocol::training::paper::name) c["protocol"] = m.protocol_name;
    if (s.quirks.any()) c["reference_quirks"] = protocol::to_json(s.quirks);
    const auto weights = st.imagenet_weights.find(m.model);
    c["imagenet_weights"] = weights == st.imagenet_weights.end() ? std::string("none") : hashes.of(weights->second);
    hashes.save();
    return c;
}

// The study is loaded here, once, before any task starts: synthetic data and the ImageNet stand-in
// are generated into OUT now, so the array's tasks only read them.
int slurm_submit(const programs::model_cells& m, const std::string& pattern, const programs::data_paths& p,
                 programs::run_settings s, programs::slurm_request r, bool cuda, int argc, char** argv) {
    using protocol::grid_part;
    const auto cells = m.registry.match(pattern);
    if (cells.empty()) throw config_error("--cells: no experiment matches '" + pattern + "' (see `dermtl grid --list`)");
    s.out = std::filesystem::absolute(s.out);
    programs::study st = programs::load_study(p, s, target_of(m, pattern, p));
    programs::require_runnable(st, cells);  // refused here, not in a task hours later
    auto cache = programs::make_cache(m, s);
    programs::attach_imagenet_weights(st, m, p, s, cache);
    const std::size_t folds = folds_per_cell(st, s);
    // The grid's parts: its source models, then the cells that need none and those that use one.
    std::vector<programs::slurm_part> parts;
    for (const auto part : {grid_part::sources, grid_part::independent, grid_part::dependent}) {
        programs::slurm_part sp{part, {}};
        const auto selected = programs::cells_of_part(m.registry, pattern, part);
        if (part == grid_part::sources)
            for (const auto& source : programs::sources_of(selected))
                sp.items.push_back({source.source, programs::source_done_file(source.source)});
        else
            for (const auto* c : selected)
                for (std::size_t k = 0; k < folds; ++k)
                    sp.items.push_back({c->id.str(), "results/" + protocol::folder_name(c->id) + "/" + st.folds[k].name + ".json"});
        parts.push_back(std::move(sp));
    }
    r.gpu = cuda;
    const auto args = programs::grid_arguments(argc, argv);
    const auto sub = programs::submit_grid(r, args, std::filesystem::read_symlink("/proc/self/exe"), s.out, parts,
                                           grid_configuration(m, pattern, st, s));
    for (std::size_t i = 0; i < sub.arrays.size(); ++i) {
        const auto& a = sub.arrays[i];
        std::cout << "wrote " << a.script.string() << " (" << a.items
                  << (a.part == grid_part::sources ? " source model(s)" : " (cell, fold) work items") << " in " << a.tasks
                  << " array task(s))\n";
        if (!a.job_id.empty())
            std::cout << "submitted job " << a.job_id << " (" << protocol::name_of(a.part) << ")"
                      << (a.part == grid_part::dependent && i > 0 && sub.arrays[0].part == grid_part::sources
                              ? ", after job " + sub.arrays[0].job_id
                              : std::string())
                      << "\n";
    }
    if (!sub.arrays.empty() && !sub.arrays.front().job_id.empty())
        std::cout << "`dermtl slurm status --out " << s.out.string() << "` shows its progress\n";
    return 0;
}

int report_command(const std::filesystem::path& results, const std::filesystem::path& out, programs::paper_values paper,
                   bool mixed) {
    const auto all = programs::load_results(results);
    const auto compare = paper_comparison_of(paper);
    const auto rep = programs::report_of(all, apps::all_cells(), "dermtl report of " + results.string(), compare, mixed);
    const auto written = report::write_report(rep, out);
    for (const auto& t : rep.tables) std::cout << report::to_markdown(t) << "\n";
    std::cout << "report: " << written.html().string() << "\n";
    return 0;
}

// synth -------------------------------------------------------------------------------------------
int synth(const std::string& kind, const std::filesystem::path& out, std::size_t count, int size, std::uint64_t seed) {
    constexpr std::size_t general_classes = 24;
    if (kind == "general" && count * general_classes > programs::option_checks::max_image_count)
        throw config_error("synth general --count: expected at most " +
                           std::to_string(programs::option_checks::max_image_count / general_classes) +
                           " images per class (" + std::to_string(general_classes) + " classes, at most " +
                           std::to_string(programs::option_checks::max_image_count) + " images), found " +
                           std::to_string(count));
    io::prepare_folder(out, "synth");
    data::dataset d;
    if (kind == "lesions") {
        d = data::generate_lesions(out, {.size = size, .count = count ? count : 400, .seed = seed});
    } else if (kind == "retina") {
        d = data::generate_retinas(out, {.size = size, .count = count ? count : 300, .seed = seed});
    } else {
        d = data::generate_general(out, {.size = size, .num_classes = int(general_classes), .per_class = count ? count : 30, .seed = seed});
    }
    std::cout << programs::inspect(d, nullptr).text << "written under " << out.string() << "\n";
    return 0;
}

// extract -----------------------------------------------------------------------------------------
int extract(const programs::model_cells& m, const std::filesystem::path& weights, const programs::data_paths& p,
            const std::filesystem::path& tree, const std::filesystem::path& out, std::size_t batch,
            const programs::run_settings& s) {
    if (!std::filesystem::exists(weights))
        throw io_error("extract --weights: expected a MatConvNet file (" + m.matconvnet_file + "), found nothing at '" +
                       weights.string() + "'");
    // The output's folder is made (or refused) now, not after the features are computed.
    std::error_code ec;
    if (std::filesystem::is_directory(out, ec))
        throw io_error("extract --out: expected a .npy file to write, found the folder '" + out.string() +
                       "'; give a file name inside it, such as '" + (out / "fc7.npy").string() + "'");
    if (out.has_parent_path()) io::prepare_folder(out.parent_path(), "extract --out");
    data::dataset d;
    if (!p.atlas.empty()) d = data::load_atlas(p.atlas, {}, p.atlas_images);
    else if (!tree.empty()) d = data::load_folder_tree(tree);
    else throw config_error("extract: expected --atlas META_CSV or --tree FOLDER (one subfolder per class)");
    auto cache = programs::make_cache(m, s);
    m.extract(d, cache, weights, out, batch);
    std::cout << d.size() << " fc7 feature vectors written to " << out.string() << " (ids beside it)\n";
    return 0;
}

// compare-protocols -------------------------------------------------------------------------------
// One cell under both protocols on the same data and folds (programs/protocol_comparison.hpp).
int compare_protocols(const backend_choice& b, const std::string& network, const std::string& cell,
                      const programs::data_paths& p, const programs::run_settings& given) {
    if (given.protocol_name != "paper")
        throw config_error("compare-protocols: runs the cell under every protocol; drop --protocol");
    programs::run_settings paper_settings = given, reference_settings = given;
    reference_settings.protocol_name = "reference";
    const auto& paper = b.cells(network, paper_settings);
    const auto& reference = b.cells(network, reference_settings);
    // The same transfer/finetune/labeling in both grids.
    auto pick = [&](const programs::model_cells& m) -> const protocol::registry_entry& {
        const auto found = m.registry.match(m.model + "/" + b.backend + "/" + cell + "*");
        if (found.size() != 1)
            throw config_error("compare-protocols: '" + cell + "' picks " + std::to_string(found.size()) + " cells of " +
                               m.model + "; expected TRANSFER/FINETUNE/LABELING, e.g. imagenet/finetune/malignant_vs_benign");
        return *found.front();
    };
    const auto& paper_cell = pick(paper);
    const auto& reference_cell = pick(reference);
    programs::study st = programs::load_study(p, paper_settings, target_of(paper, paper_cell.id.str(), p));
    programs::require_runnable(st, {&paper_cell});
    const auto a = programs::run_model(st, paper, p, paper_settings, {paper_cell.id.str()}, std::cerr);
    const auto r = programs::run_model(st, reference, p, reference_settings, {reference_cell.id.str()}, std::cerr);
    const auto c = programs::compare_protocols(a.front(), r.front());
    std::ostringstream md;
    md << "# " << paper_cell.id.str() << " under both protocols\n\n"
       << "Data: " << st.description << "; " << st.folds.size() << " folds; seed " << given.seed << "; paper "
       << paper_settings.epochs << " epochs, reference " << reference_settings.epochs << " epochs.\n\n"
       << programs::to_markdown(c);
    const auto out = given.out / "protocol-comparison.md";
    std::filesystem::create_directories(given.out);
    io::write_file_atomically(out, md.str());
    std::cout << md.str() << "\nwritten: " << out.string() << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"dermtl: transfer learning for melanoma screening (Menegola et al., ISBI 2017).\n"
                 "Start with `dermtl demo` (no downloads: synthetic data, about 4 minutes on 2 cores), then "
                 "`dermtl inspect` on your data; docs/reproducing.md runs the paper's tables."};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Help for every command");

    programs::demo_options demo_opt;
    auto* demo_cmd = app.add_subcommand("demo", "Generate synthetic data and run Tables 1, 3 and 4 with scaled networks; "
                                                "write a report (Markdown, CSV, JSON, PNG, HTML)");
    demo_cmd->add_option("--out", demo_opt.out, "Output folder (a rerun continues there)")->capture_default_str();
    namespace oc = programs::option_checks;
    demo_cmd->add_option("--folds", demo_opt.folds, "2 (one 2-fold repetition) or 5x2 (the paper's; about 4.5x longer)")
        ->capture_default_str()
        ->check(programs::folds_option());
    demo_cmd->add_option("--epochs", demo_opt.epochs, "Training epochs")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_epochs));
    demo_cmd->add_option("--seed", demo_opt.seed, "Seed")->capture_default_str()->transform(oc::seed());
    demo_cmd->add_option("--lesions", demo_opt.sizes.lesions, "Synthetic lesions")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_image_count));
    demo_cmd->add_option("--retinas", demo_opt.sizes.retinas, "Synthetic retinas (the Retinopathy source)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_image_count));
    demo_cmd->add_option("--general-per-class", demo_opt.sizes.general_per_class,
                         "Images per class of the general task (the ImageNet stand-in, 24 classes)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_image_count / 24));
    demo_cmd->add_flag("--progress", demo_opt.progress, "A progress line per training epoch");
    backend_choice backend;
    backend.add_to(*demo_cmd);

    inspect_args ins;
    auto* inspect_cmd = app.add_subcommand("inspect", "Summarise a dataset's labels and folds: per-class counts overall "
                                                      "and per fold, train/test sizes, ids without an image");
    inspect_cmd->add_option("--labels", ins.labels,
                            "Label CSV of any known format, detected from its header and content: the reference "
                            "implementation's image,level; ISIC 2016 or 2017 Part 3 ground truth; Kaggle "
                            "trainLabels.csv; derm7pt meta.csv; a HAM10000-style manifest");
    inspect_cmd->add_option("--folds", ins.folds, "Fold YAML in the reference implementation's format");
    inspect_cmd->add_option("--images", ins.images, "Image folder, to list ids without an image (optional)");
    inspect_cmd->add_option("--atlas", ins.atlas, "derm7pt release_v0/meta/meta.csv");
    inspect_cmd->add_option("--isic2016", ins.isic2016, "ISIC 2016 Part 3 folder");
    inspect_cmd->add_option("--retinopathy", ins.retinopathy, "Kaggle trainLabels.csv");
    inspect_cmd->add_option("--tree", ins.tree, "A folder with one subfolder of images per class");

    std::string network = "vgg_m", pattern = "*";
    bool list = false;
    programs::data_paths paths;
    programs::run_settings settings;
    auto* grid_cmd = app.add_subcommand("grid", "Run the experiment cells matching --cells (default: all of the "
                                                "network's) and write a report");
    grid_cmd->add_option("--cells", pattern, "Cell name or glob, e.g. 'vgg_m/cpu/imagenet/*'")->capture_default_str();
    grid_cmd->add_flag("--list", list, "List the compiled cells of --network and exit");
    std::string shard_text;
    grid_cmd->add_option("--shard", shard_text,
                         "Run the K-th of N disjoint shards of the (cell, fold) work items, K/N counted from 0 "
                         "(default: the Slurm job array's task, else all)");
    std::string part_text = "all";
    grid_cmd->add_option("--part", part_text,
                         "Which work items: all; sources (only the source models the cells train, e.g. Retinopathy); "
                         "independent (the cells that train no source); dependent (the cells that use one, once the "
                         "sources are trained)")
        ->capture_default_str();
    auto* run_cmd = app.add_subcommand("run", "Run one experiment cell (a name from `dermtl grid --list`) and write a report");
    run_cmd->add_option("cell", pattern, "The cell's name, e.g. vgg_m/cpu/imagenet/finetune/malignant_vs_benign")->required();
    programs::slurm_request slurm;
    std::filesystem::path status_out;
    auto* slurm_cmd = app.add_subcommand("slurm", "Run a grid as a Slurm job array on a cluster (docs/cluster.md)");
    slurm_cmd->require_subcommand(1);
    auto* submit_cmd = slurm_cmd->add_subcommand(
        "submit", "Write OUT/slurm/grid.sbatch, a job array running the grid --cells selects in shards, and submit it "
                  "with sbatch (the same selection and data options as `grid`)");
    submit_cmd->add_option("--cells", pattern, "Cell name or glob, e.g. 'vgg_m/onednn/imagenet/*'")->capture_default_str();
    submit_cmd->add_option("--tasks", slurm.tasks, "Array tasks (0: one per (cell, fold) work item, at most 100)")
        ->capture_default_str()
        ->transform(oc::whole_number(0, 100000));
    submit_cmd->add_option("--throttle", slurm.throttle, "Tasks running at once (--array=0-N%K)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, 100000));
    submit_cmd->add_option("--cpus-per-task", slurm.cpus_per_task, "CPUs per task (its OpenMP threads)")
        ->capture_default_str()
        ->transform(oc::whole_number(1, 1024));
    submit_cmd->add_option("--mem", slurm.memory, "Memory per task, as sbatch takes it (8G)")->capture_default_str();
    submit_cmd->add_option("--time", slurm.time_limit, "Time limit per task, as sbatch takes it")->capture_default_str();
    submit_cmd->add_option("--partition", slurm.partition, "Partition (default: the cluster's)");
    submit_cmd->add_option("--account", slurm.account, "Account to charge (default: yours)");
    submit_cmd->add_option("--warning-seconds", slurm.warning_seconds,
                           "USR1 this long before a time limit or preemption: the task checkpoints and requeues")
        ->capture_default_str()
        ->transform(oc::whole_number(10, 86400));
    submit_cmd->add_option("--setup", slurm.setup,
                           "A shell line each task runs before dermtl, e.g. 'module load gcc/12' (repeatable)")
        ->allow_extra_args(false);  // one line per --setup
    submit_cmd->add_option("--launcher", slurm.launcher,
                           "A command dermtl runs under in each task, e.g. 'apptainer exec --nv dermtl.sif'");
    submit_cmd->add_flag("--dry-run", slurm.dry_run, "Write the script and the work items; do not submit");
    auto* status_cmd = slurm_cmd->add_subcommand("status", "Each work item of a submitted grid: done, pending, running "
                                                           "or failed (from the results and squeue)");
    status_cmd->add_option("--out", status_out, "The --out of `dermtl slurm submit`")->required();
    for (auto* c : {grid_cmd, run_cmd, submit_cmd}) {
        c->add_option("--network", network, "Network: " + apps::joined(apps::network_names()))->capture_default_str();
        backend.add_to(*c);
        programs::add_data_options(*c, paths);
        programs::add_run_options(*c, settings);
    }
    std::string compared_cell;
    auto* compare_cmd = app.add_subcommand(
        "compare-protocols", "Run one cell under the paper's and the reference code's protocol on the same data and "
                             "folds; print the per-fold AUC difference and its 5x2cv significance");
    compare_cmd->add_option("cell", compared_cell, "TRANSFER/FINETUNE/LABELING, e.g. imagenet/finetune/malignant_vs_benign")
        ->required();
    compare_cmd->add_option("--network", network, "Network: vgg_m or vgg_m_scaled (the reference protocol's)")
        ->capture_default_str();
    backend.add_to(*compare_cmd);
    programs::add_data_options(*compare_cmd, paths);
    programs::add_run_options(*compare_cmd, settings);
    bool grid_compare_with_paper = false;
    for (auto* c : {grid_cmd, run_cmd})
        c->add_flag("--compare-with-paper", grid_compare_with_paper,
                    "In the report, show the paper's published values beside results of another configuration too (a "
                    "scaled network, other data, folds or training), each table saying what differs");

    std::filesystem::path results, report_out = "dermtl-report";
    bool references = false, compare_with_paper = false;
    auto* report_cmd = app.add_subcommand("report", "Rebuild the report from stored results (OUT/work/results)");
    report_cmd->add_option("--results", results, "The results folder, OUT/work/results")->required();
    report_cmd->add_option("--out", report_out, "Report folder")->capture_default_str();
    report_cmd->add_flag("--paper", references,
                         "Show the paper's published values beside our results of the paper's configuration (its "
                         "network at full size, its data, folds and training); for real data only");
    report_cmd->add_flag("--compare-with-paper", compare_with_paper,
                         "Also show them beside results of another configuration (a scaled network, other data, "
                         "other folds or training); each table then says what differs");
    bool mixed = false;
    report_cmd->add_flag("--mixed", mixed,
                         "Put results made with different configurations (data, seed, training) in one report; "
                         "the report then says so");

    std::string kind;
    std::filesystem::path synth_out;
    std::size_t count = 0;
    int size = 64;
    std::uint64_t seed = 2017;
    auto* synth_cmd = app.add_subcommand("synth", "Write a synthetic dataset in its real format (derm7pt, Kaggle, folders)");
    synth_cmd->add_option("kind", kind, "lesions, retina or general")->required()->check(CLI::IsMember({"lesions", "retina", "general"}));
    synth_cmd->add_option("--out", synth_out, "Folder to write")->required();
    synth_cmd->add_option("--count", count, "Images (general: per class, 24 classes)")
        ->transform(oc::whole_number(1, oc::max_image_count));
    synth_cmd->add_option("--size", size, "Image side in pixels")
        ->capture_default_str()
        ->transform(oc::whole_number(32, oc::max_image_side));  // the generators draw on at least 32x32
    synth_cmd->add_option("--seed", seed, "Seed")->capture_default_str()->transform(oc::seed());

    std::filesystem::path weights, tree, features_out;
    std::size_t batch = 32;
    auto* extract_cmd = app.add_subcommand("extract", "Write fc7 features (after ReLU, L2-normalized) of a dataset as .npy + ids");
    extract_cmd->add_option("--network", network, "Network: " + apps::joined(apps::network_names()))->capture_default_str();
    backend.add_to(*extract_cmd);
    extract_cmd->add_option("--weights", weights, "MatConvNet file (1000-way ImageNet network)")->required();
    extract_cmd->add_option("--atlas", paths.atlas, "derm7pt release_v0/meta/meta.csv");
    extract_cmd->add_option("--atlas-images", paths.atlas_images, "Atlas image folder");
    extract_cmd->add_option("--tree", tree, "A folder with one subfolder of images per class");
    extract_cmd->add_option("--out", features_out, "Output .npy file")->required();
    extract_cmd->add_option("--batch-size", batch, "Batch size")
        ->capture_default_str()
        ->transform(oc::whole_number(1, oc::max_batch_size));
    oc::add_max_image_pixels(*extract_cmd, settings.max_image_pixels);

    CLI11_PARSE(app, argc, argv);
    // The commands that train: SIGUSR1 (Slurm's warning, forwarded by the batch script) and SIGTERM
    // make training stop after its current step and save a step-level checkpoint; dermtl then exits
    // with train::requeue_exit_code (85) and a rerun resumes there (docs/cluster.md, "Preemption").
    std::optional<train::stop_on_signals> stop_guard;
    if (*demo_cmd || *grid_cmd || *run_cmd) stop_guard.emplace({SIGUSR1, SIGTERM});
    try {
        if (*demo_cmd) return demo(demo_opt, backend);
        if (*inspect_cmd) return inspect(ins);
        if (*grid_cmd) {
            if (!list) {
                settings.shard = programs::choose_shard(shard_text);
                settings.part = programs::parse_part(part_text);
            }
            return grid(backend.cells(network, settings), pattern, list, paths, settings, grid_compare_with_paper);
        }
        if (*run_cmd) {
            const auto& cells = backend.cells(network, settings);
            if (cells.registry.match(pattern).size() != 1)
                throw config_error("run: expected one cell, '" + pattern + "' matches several; use `dermtl grid --cells`");
            return grid(cells, pattern, false, paths, settings, grid_compare_with_paper);
        }
        if (*submit_cmd)
            return slurm_submit(backend.cells(network, settings), pattern, paths, settings, slurm, backend.backend == "cuda", argc,
                                argv);
        if (*compare_cmd) return compare_protocols(backend, network, compared_cell, paths, settings);
        if (*status_cmd) {
            programs::print_slurm_status(status_out, std::cout);
            return 0;
        }
        if (*report_cmd)
            return report_command(results, report_out,
                                  compare_with_paper ? programs::paper_values::any_configuration
                                  : references       ? programs::paper_values::same_configuration
                                                     : programs::paper_values::none,
                                  mixed);
        if (*synth_cmd) return synth(kind, synth_out, count, size, seed);
        if (*extract_cmd) return extract(backend.cells(network), weights, paths, tree, features_out, batch, settings);
    } catch (const train::stop_requested_error& e) {
        std::cerr << "dermtl: " << e.what() << "\n";
        return train::requeue_exit_code;
    } catch (const std::exception& e) {
        std::cerr << "dermtl: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
