#pragma once
// --backend, --precision, --deterministic: one set of options for every program that trains (the
// dermtl tool's commands and the table programs in examples/), and the compiled cells they choose.
//
//   programs::backend_choice backend;
//   backend.add_to(*grid_cmd);
//   CLI11_PARSE(app, argc, argv);
//   const auto& cells = backend.cells("vgg_m", settings);  // the cells of --protocol, its defaults applied
//
// Header-only on purpose: it picks among the compiled cells (apps/cells.hpp, dermtl_cells), which
// link dermtl_programs, so a definition in dermtl_programs would be a library cycle.
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "cells.hpp"
#include "programs/model_cells.hpp"
#include "programs/study.hpp"

namespace dermtl::programs {

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
                                                                   {"tf32", apps::precision::tf32},
                                                                   {"bf16", apps::precision::bf16}};
        c.add_option("--precision", precision,
                     "float32 (default, the paper's), bf16 (mixed precision: bf16 convolutions and inner products "
                     "with float32 accumulation and master weights; " +
                         (apps::backends_with(apps::precision::bf16).empty()
                              ? std::string("no backend of this build has it")
                              : apps::joined(apps::backends_with(apps::precision::bf16))) +
                         ") or tf32 (CUDA tensor cores); recorded in the cell ids, so results of one are never "
                         "taken for another's")
            ->transform(CLI::CheckedTransformer(precisions));
        c.add_flag("--deterministic", deterministic, "CUDA only: cuDNN's deterministic algorithms");
    }
    // --precision / --deterministic, checked against --backend: what the networks compute in
    // (run_settings::numerics, for the commands that build their settings themselves).
    backend::numerics numerics() const { return apps::use_numerics(backend, precision, deterministic); }
    // The cells of `network` under the paper's protocol, with --precision / --deterministic checked.
    const model_cells& cells(const std::string& network) const {
        const auto& c = apps::cells_of(network, backend);
        (void)apps::use_numerics(backend, precision, deterministic);
        return c;
    }
    // The cells of --protocol; the training options not given take that protocol's defaults, and
    // the numerics go into s (experiment_inputs::numerics: the networks, cell ids, fingerprints).
    const model_cells& cells(const std::string& network, run_settings& s) const {
        const auto& c = apps::cells_of(network, backend, s.protocol_name);
        apply_protocol_defaults(s, c);
        s.numerics = apps::use_numerics(backend, precision, deterministic);
        return c;
    }
};

}  // namespace dermtl::programs
