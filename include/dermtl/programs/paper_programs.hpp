#pragma once
// The paper's programs, as functions of compiled model cells, data paths and settings: each runs
// its experiments (continuing a previous run in the same output folder) and writes its report to
// OUT/report. The table programs in examples/ and the `dermtl` tool are thin front ends; the
// embedded default demo (run_demo) runs Tables 1, 3 and 4 on generated data with scaled networks.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "dermtl/core/version.hpp"
#include "dermtl/programs/model_cells.hpp"
#include "dermtl/programs/runner.hpp"
#include "dermtl/programs/study.hpp"
#include "dermtl/programs/tables.hpp"
#include "dermtl/report/write.hpp"

namespace dermtl::programs {

namespace programs_detail {

inline std::string g(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

inline std::vector<std::pair<std::string, std::string>> metadata(const study& st, const run_settings& s,
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

inline void append(std::vector<protocol::experiment_result>& to, std::vector<protocol::experiment_result> from) {
    for (auto& r : from) to.push_back(std::move(r));
}

inline report::written_report finish(report::report& rep, const run_settings& s, std::ostream& log) {
    const auto written = report::write_report(rep, s.out / "report");
    log << "report: " << written.html().string() << "\n";
    return written;
}

}  // namespace programs_detail

// Runs the cells of one model that `patterns` pick, in that order, on a study: the model's own
// image cache (at its input size) and ImageNet weights (the user's, or the synthetic stand-in).
inline std::vector<protocol::experiment_result> run_model(study& st, const model_cells& m, const data_paths& p,
                                                          const run_settings& s, const std::vector<std::string>& patterns,
                                                          std::ostream& log = std::cerr) {
    auto cache = make_cache(m, s);
    attach_imagenet_weights(st, m, p, s, cache);
    const auto in = inputs_for(st, m, s, cache);
    std::vector<protocol::experiment_result> results;
    for (const auto& pattern : patterns) programs_detail::append(results, run_cells(m.registry, pattern, in, log));
    return results;
}

// One pattern per design of Table 1: prefix + design.
inline std::vector<std::string> per_design(const std::string& prefix,
                                           const std::vector<std::string>& designs = paper::table1_designs) {
    std::vector<std::string> out;
    for (const auto& d : designs) out.push_back(prefix + d);
    return out;
}

// Table 1: every valid transfer x fine-tuning column x the three designs, one model.
inline report::written_report run_table1(const model_cells& m, const data_paths& p, const run_settings& s,
                                         std::ostream& log = std::cerr) {
    study st = load_study(p, s, target_kind::atlas);
    const auto results = run_model(st, m, p, s, per_design("*/"), log);
    report::report rep;
    rep.title = "dermtl: Table 1, " + m.title;
    rep.metadata = programs_detail::metadata(st, s, m.model);
    rep.tables.push_back(table1(results, m.model, !st.synthetic));
    if (const auto* best = best_binary(results, m.model)) rep.referrals.push_back(referral(*best));
    return programs_detail::finish(rep, s, log);
}

// Table 2: the ISIC 2016 official split, ImageNet + FT, the ISIC measures beside the published rows.
inline report::written_report run_table2(const model_cells& m, const data_paths& p, const run_settings& s,
                                         std::ostream& log = std::cerr) {
    study st = load_study(p, s, target_kind::isic2016);
    const auto results = run_model(st, m, p, s, {"*/imagenet/finetune/isic_binary"}, log);
    report::report rep;
    rep.title = "dermtl: Table 2, " + m.title;
    rep.metadata = programs_detail::metadata(st, s, m.model);
    rep.tables.push_back(table2(results.front(), "dermtl, " + m.title + (st.synthetic ? " (synthetic data)" : "")));
    rep.referrals.push_back(referral(results.front()));
    return programs_detail::finish(rep, s, log);
}

// Table 3: architectures compared with ImageNet + FT on the three designs.
inline report::written_report run_table3(const std::vector<const model_cells*>& models, const data_paths& p,
                                         const run_settings& s, std::ostream& log = std::cerr) {
    study st = load_study(p, s, target_kind::atlas);
    std::vector<protocol::experiment_result> results;
    std::vector<std::pair<std::string, std::string>> rows;
    std::string names;
    for (const auto* m : models) {
        programs_detail::append(results, run_model(st, *m, p, s, per_design("*/imagenet/finetune/"), log));
        rows.emplace_back(m->model, m->title);
        names += (names.empty() ? "" : ", ") + m->model;
    }
    report::report rep;
    rep.title = "dermtl: Table 3";
    rep.metadata = programs_detail::metadata(st, s, names);
    rep.tables.push_back(table3(results, rows, !st.synthetic));
    return programs_detail::finish(rep, s, log);
}

// Table 4: ImageNet + FT on the two binary designs, stratified by difficulty.
inline report::written_report run_table4(const model_cells& m, const data_paths& p, const run_settings& s,
                                         std::ostream& log = std::cerr) {
    study st = load_study(p, s, target_kind::atlas);
    const auto results =
        run_model(st, m, p, s, per_design("*/imagenet/finetune/", {"malignant_vs_benign", "melanoma_vs_benign"}), log);
    report::report rep;
    rep.title = "dermtl: Table 4, " + m.title;
    rep.metadata = programs_detail::metadata(st, s, m.model);
    rep.tables.push_back(table4(results, m.model, !st.synthetic));
    return programs_detail::finish(rep, s, log);
}

// The embedded default: generated data, scaled networks, a short training schedule; the whole
// Table 1 grid (every valid column, three designs), a Table 3-style comparison of the two scaled
// architectures, Table 4-style difficulty strata and a referral analysis, in one report.
struct demo_options {
    std::filesystem::path out = "dermtl-demo";
    std::string folds = "2";
    std::size_t epochs = 10;
    std::uint64_t seed = 2017;
    synthetic_sizes sizes{};
    bool progress = false;
};

inline run_settings demo_settings(const demo_options& o) {
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
    return s;
}

struct demo_result {
    report::report report;
    report::written_report written;
    std::vector<protocol::experiment_result> results;
    double seconds = 0;
};

inline demo_result run_demo(const demo_options& o, const model_cells& first, const model_cells& second,
                            std::ostream& log = std::cerr) {
    const auto start = std::chrono::steady_clock::now();
    const run_settings s = demo_settings(o);
    data_paths p;
    p.synthetic = true;
    log << "dermtl demo: generating synthetic lesions, retinas and a general task under " << (s.out / "data").string()
        << std::endl;
    study st = load_study(p, s, target_kind::atlas, o.sizes);
    log << "  " << st.description << "\n  " << st.folds.size() << " folds; " << s.epochs
        << " epochs per training; results and models under " << (s.out / "work").string() << std::endl;

    demo_result out;
    std::vector<std::pair<std::string, std::string>> architectures;
    for (const model_cells* m : {&first, &second}) {
        log << "ImageNet stand-in for " << m->model << ": trained on the general task (once)" << std::endl;
        const bool whole_grid = m == &first;  // Table 1 for the first model, Table 3's cells for both
        programs_detail::append(out.results,
                                run_model(st, *m, p, s, per_design(whole_grid ? "*/" : "*/imagenet/finetune/"), log));
        architectures.emplace_back(m->model, m->title);
    }
    report::report rep;
    rep.title = "dermtl demo: the paper's tables on synthetic data";
    rep.metadata = programs_detail::metadata(st, s, first.model + ", " + second.model);
    rep.metadata.emplace_back("note", "Synthetic data and scaled networks: the numbers show the pipeline working, not "
                                      "the paper's findings. 'From ImageNet' loads a network trained on the generated "
                                      "general task, written as a MatConvNet file. docs/reproducing.md runs the real "
                                      "protocol.");
    rep.tables.push_back(table1(out.results, first.model, false));
    rep.tables.push_back(table3(out.results, architectures, false));
    add_table_or_note(rep, "Table 4", [&] { return table4(out.results, first.model, false); });
    if (const auto* best = best_binary(out.results, first.model)) rep.referrals.push_back(referral(*best));
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double folds_seconds = 0;
    for (const auto& r : out.results)
        for (const auto& f : r.folds) folds_seconds += f.seconds;
    rep.metadata.emplace_back("time", "folds: " + std::to_string(int(folds_seconds)) + " s in all (as stored with "
                                      "each fold); this run: " + std::to_string(int(out.seconds)) +
                                      " s (stored folds and cached models are reused)");
    out.written = programs_detail::finish(rep, s, log);
    out.report = std::move(rep);
    return out;
}

}  // namespace dermtl::programs
