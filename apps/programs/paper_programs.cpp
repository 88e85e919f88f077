// The paper's programs: Tables 1-4 and the embedded demo, from compiled model cells.
#include "programs/paper_programs.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "dermtl/core/version.hpp"
#include "programs/datasets.hpp"
#include "programs/runner.hpp"
#include "programs/subgroups.hpp"

namespace dermtl::programs {

namespace {

std::string g(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

std::vector<std::pair<std::string, std::string>> metadata(const study& st, const run_settings& s,
                                                                 const std::string& models) {
    const std::time_t now = std::time(nullptr);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return {{"dermtl", std::string(version)},
            {"data", st.description},
            {"networks", models},
            {"cross-validation", s.folds == "2" ? "2-fold" : s.folds + " folds"},
            {"training", std::to_string(s.epochs) + " epochs, batch " + std::to_string(s.batch_size) + ", lr " +
                             g(s.learning_rate) + ", Nesterov momentum " +
                             g(s.momentum) + ", L2 " + g(s.l2)},
            {"seed", std::to_string(s.seed)},
            {"written", when}};
}

void append(std::vector<protocol::experiment_result>& to, std::vector<protocol::experiment_result> from) {
    for (auto& r : from) to.push_back(std::move(r));
}

// The paper's values beside ours on real data, for the paper's configurations only (a scaled
// network, other folds or training: none).
paper_comparison paper_of(const study& st) {
    paper_comparison p;
    p.shown = st.synthetic ? paper_values::none : paper_values::same_configuration;
    return p;
}

report::written_report finish(report::report& rep, const run_settings& s, std::ostream& log) {
    const auto written = report::write_report(rep, s.out / "report");
    log << "report: " << written.html().string() << "\n";
    return written;
}

}  // namespace

// Runs the cells of one model that `patterns` pick, in that order, on a study: the model's own
// image cache (at its input size) and ImageNet weights (the user's, or the synthetic stand-in).
std::vector<protocol::experiment_result> run_model(study& st, const model_cells& m, const data_paths& p,
                                                          const run_settings& s, const std::vector<std::string>& patterns,
                                                   std::ostream& log) {
    auto cache = make_cache(m, s);
    attach_imagenet_weights(st, m, p, s, cache);
    auto in = inputs_for(st, m, s, cache);
    std::vector<protocol::experiment_result> results;
    for (const auto& pattern : patterns) {
        append(results, run_cells(m.registry, pattern, in, log, s.part));
        in.first_item += work_items(m.registry, pattern, s.part, in.fold_count());  // the next pattern's items follow
    }
    return results;
}

std::vector<std::string> per_design(const model_cells& m, const std::string& prefix, bool binary_only) {
    std::vector<std::string> out, seen;
    for (const auto& e : m.registry.entries()) {
        if (!e.facts.paper_design || (binary_only && e.facts.classes != 2)) continue;
        if (std::find(seen.begin(), seen.end(), e.id.labeling.name) != seen.end()) continue;
        seen.push_back(e.id.labeling.name);
        out.push_back(prefix + e.id.labeling.name);
    }
    return out;
}

// Table 1: every valid transfer x fine-tuning column x the three designs, one model.
report::written_report run_table1(const model_cells& m, const data_paths& p, const run_settings& s,
                                         std::ostream& log) {
    study st = load_study(p, s, atlas_dataset());
    const auto results = run_model(st, m, p, s, per_design(m, "*/"), log);
    report::report rep;
    rep.title = "dermtl: Table 1, " + m.title;
    rep.metadata = metadata(st, s, m.model);
    rep.tables.push_back(table1(results, m.registry, m.model, paper_of(st)));
    if (const auto* best = best_binary(results, m.model)) rep.referrals.push_back(referral(*best));
    return finish(rep, s, log);
}

// Table 2: the ISIC 2016 official split, ImageNet + FT, the ISIC measures beside the published rows.
report::written_report run_table2(const model_cells& m, const data_paths& p, const run_settings& s,
                                         std::ostream& log) {
    study st = load_study(p, s, isic2016_dataset());
    const auto results = run_model(st, m, p, s, {"*/imagenet/finetune/isic_binary"}, log);
    report::report rep;
    rep.title = "dermtl: Table 2, " + m.title;
    rep.metadata = metadata(st, s, m.model);
    rep.tables.push_back(table2(results.front(), m.registry, "dermtl, " + m.title + (st.synthetic ? " (synthetic data)" : ""),
                                    paper_of(st)));
    rep.referrals.push_back(referral(results.front()));
    return finish(rep, s, log);
}

// Table 3: architectures compared with ImageNet + FT on the three designs.
report::written_report run_table3(const std::vector<const model_cells*>& models, const data_paths& p,
                                         const run_settings& s, std::ostream& log) {
    study st = load_study(p, s, atlas_dataset());
    std::vector<protocol::experiment_result> results;
    std::vector<std::string> rows;
    protocol::registry catalog;
    std::string names;
    for (const auto* m : models) {
        append(results, run_model(st, *m, p, s, per_design(*m, "*/imagenet/finetune/"), log));
        rows.push_back(m->model);
        catalog.merge(m->registry);
        names += (names.empty() ? "" : ", ") + m->model;
    }
    report::report rep;
    rep.title = "dermtl: Table 3";
    rep.metadata = metadata(st, s, names);
    rep.tables.push_back(table3(results, catalog, rows, paper_of(st)));
    return finish(rep, s, log);
}

// Table 4: ImageNet + FT on the two binary designs, stratified by difficulty.
report::written_report run_table4(const model_cells& m, const data_paths& p, const run_settings& s,
                                         std::ostream& log) {
    study st = load_study(p, s, atlas_dataset());
    const auto results =
        run_model(st, m, p, s, per_design(m, "*/imagenet/finetune/", true), log);
    report::report rep;
    rep.title = "dermtl: Table 4, " + m.title;
    rep.metadata = metadata(st, s, m.model);
    rep.tables.push_back(table4(results, m.registry, m.model, paper_of(st)));
    return finish(rep, s, log);
}

run_settings demo_settings(const demo_options& o) {
    run_settings s;
    s.out = o.out;
    s.folds = o.folds;
    s.epochs = o.epochs;
    s.seed = o.seed;
    // A schedule that learns in a few epochs on small generated sets; the paper's is --lr 1e-3
    // --momentum 0.1 --l2 5e-3 over 60 epochs (the table programs' default).
    s.batch_size = 32;
    s.learning_rate = 3e-3f;
    s.momentum = 0.9f;
    s.l2 = 5e-4f;
    s.progress = o.progress;
    s.numerics = o.numerics;
    return s;
}

demo_result run_demo(const demo_options& o, const model_cells& first, const model_cells& second,
                            std::ostream& log) {
    const auto start = std::chrono::steady_clock::now();
    const run_settings s = demo_settings(o);
    data_paths p;
    p.synthetic = true;
    log << "dermtl demo: generating synthetic lesions, retinas and a general task under " << (s.out / "data").string()
        << std::endl;
    study st = load_study(p, s, atlas_dataset(), o.sizes);
    log << "  " << st.description << "\n  " << st.folds.size() << " folds; " << s.epochs
        << " epochs per training; results and models under " << (s.out / "work").string() << std::endl;

    demo_result out;
    std::vector<std::string> architectures;
    protocol::registry catalog;
    for (const model_cells* m : {&first, &second}) {
        log << "ImageNet stand-in for " << m->model << ": trained on the general task (once)" << std::endl;
        const bool whole_grid = m == &first;  // Table 1 for the first model, Table 3's cells for both
        append(out.results,
                                run_model(st, *m, p, s, per_design(*m, whole_grid ? "*/" : "*/imagenet/finetune/"), log));
        architectures.push_back(m->model);
        catalog.merge(m->registry);
    }
    report::report rep;
    rep.title = "dermtl demo: the paper's tables on synthetic data";
    rep.metadata = metadata(st, s, first.model + ", " + second.model);
    rep.metadata.emplace_back("note", "Synthetic data and scaled networks: the numbers show the pipeline working, not "
                                      "the paper's findings. 'From ImageNet' loads a network trained on the generated "
                                      "general task, written as a MatConvNet file. docs/reproducing.md runs the real "
                                      "protocol.");
    rep.tables.push_back(table1(out.results, catalog, first.model, {}));
    rep.tables.push_back(table3(out.results, catalog, architectures, {}));
    // Issue 26: Table 4 under the subgroups' too-small rule; subgroup tables by the synthetic
    // lesions' age (15-year bands), sex and location; operating points; calibration.
    subgroup_settings subgroups;
    subgroups.metadata = metadata_of(st.target);
    for (const auto& [column, values] : subgroups.metadata) subgroups.columns.push_back(column);
    add_table_or_note(rep, "Table 4", [&] { return table4(out.results, catalog, first.model, {}, subgroups); });
    add_evaluation(rep, out.results, {first.model}, subgroups);
    if (const auto* best = best_binary(out.results, first.model)) rep.referrals.push_back(referral(*best));
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double folds_seconds = 0;
    for (const auto& r : out.results)
        for (const auto& f : r.folds) folds_seconds += f.seconds;
    rep.metadata.emplace_back("time", "folds: " + std::to_string(int(folds_seconds)) + " s in all (as stored with "
                                      "each fold); this run: " + std::to_string(int(out.seconds)) +
                                      " s (stored folds and cached models are reused)");
    out.written = finish(rep, s, log);
    out.report = std::move(rep);
    return out;
}

}  // namespace dermtl::programs
