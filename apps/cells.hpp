#pragma once
// The compiled experiment cells the `dermtl` tool and the table programs share. Each line of
// apps/cells.list (network, backend, protocol) is one generated translation unit in the build tree,
// compiled in parallel with the others; the configure option DERMTL_CELLS selects a subset, and
// this interface says which cells the build holds and which option adds a missing one.
#include <string>
#include <string_view>
#include <vector>

#include "programs/model_cells.hpp"
#include "dermtl/backend/precision.hpp"
#include "dermtl/protocol/registry.hpp"

namespace dermtl::apps {

// The arithmetic of a training run (--precision, backend/precision.hpp): float32 everywhere, TF32
// tensor-core convolutions and GEMMs (CUDA), or bf16 mixed precision (onednn from avx512_core up).
using precision = backend::precision_kind;

#ifdef DERMTL_HAS_CUDA
// The CUDA backend's numeric options, process-wide: precision "float32" (default) or "tf32",
// and cuDNN's deterministic algorithms (cuda_numerics.cpp).
void use_cuda_numerics(precision p, bool deterministic);
#endif

// The cells of a network by name ("vgg_m", "vgg_m_scaled", "vgg_16", "vgg_16_scaled") on a
// backend ("cpu"; "onednn" in a build with oneDNN; "cuda" in a build with CUDA) under a training
// protocol ("paper", the default; "reference": VGG-M on cpu and onednn); config_error naming the
// choices otherwise, or, for cells of apps/cells.list this build left out, the DERMTL_CELLS
// setting that adds them.
const programs::model_cells& cells_of(const std::string& network, const std::string& backend,
                                      const std::string& protocol = "paper");

// The backend a command uses unless told (--backend): "onednn" where the build has it (oneDNN's
// kernels, the fast CPU path), else "cpu" (the reference path).
std::string default_backend();
std::vector<std::string> network_names();
std::vector<std::string> backend_names();
std::string joined(const std::vector<std::string>& names);  // "a, b, c" (help texts, errors)

// Checks --precision / --deterministic against `backend` and returns the numerics its networks
// compute in (experiment_inputs::numerics; recorded in the cell ids and fingerprints). CUDA: also
// applies them process-wide. config_error, naming the backends that have it, for a precision the
// backend lacks (bf16 on cpu; tf32 off CUDA), and with oneDNN's reason for bf16 below avx512_core.
// The CPU backends are always deterministic: --deterministic is accepted and not recorded there.
backend::numerics use_numerics(const std::string& backend, precision p, bool deterministic);

// The backends of this build that compute in `p` ("onednn" for bf16, "cuda" for tf32), for help
// texts and refusals.
std::vector<std::string> backends_with(precision p);

// One instance of apps/cells.list: whether this build compiled it.
struct cell_instance {
    std::string network, backend, protocol;
    bool compiled = false;
};
// Every instance of apps/cells.list, in its order.
std::vector<cell_instance> cell_instances();
// "vgg_m/cpu/paper, ..." and what DERMTL_CELLS held: for `--help`, listings and refusals.
std::string build_cells_description();

// The DERMTL_CELLS setting that adds (network, backend, protocol) to `setting` (terms separated by
// ';'): a kind of term (networks, backends, protocols) that has terms gains the missing value; a kind
// without terms already takes every value. "" stays "" (every cell).
std::string cells_setting_adding(std::string_view setting, const std::string& network, const std::string& backend,
                                 const std::string& protocol);

// Examples for the help texts that work as written in this build (issue 25): a compiled cell of the
// default backend, preferring `default_network` (the default --network) and the paper's protocol,
// with the options it needs beyond the defaults. A build without such a cell gives the first one
// it compiled, on its backend.
struct help_examples {
    std::string cell;     // a cell's name, e.g. vgg_m/onednn/imagenet/finetune/malignant_vs_benign
    std::string glob;     // a glob of cells, e.g. vgg_m/onednn/imagenet/*
    std::string options;  // "" or e.g. "--network vgg_m_scaled" (--network, --backend, --protocol)
};
help_examples help_examples_of(const std::string& default_network);

// Every compiled model_cells (network x backend x protocol), in table order.
std::vector<const programs::model_cells*> compiled_cells();

// Every compiled cell of every network and backend, in grid order: the catalog the tables of
// `dermtl report` lay stored results out by.
const protocol::registry& all_cells();

}  // namespace dermtl::apps
