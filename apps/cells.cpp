// Picking compiled cells by name: one table of (network, backend) -> cells for every front end.
#include "cells.hpp"

#include <algorithm>
#include <utility>

#include "dermtl/core/error.hpp"
#include "dermtl/protocol/training.hpp"

namespace dermtl::apps {

namespace {

struct entry {
    const char* network;
    const char* backend;
    const programs::model_cells& (*cells)();
    const char* protocol = "paper";
};

const std::vector<entry>& table() {
    static const std::vector<entry> t = {
        {"vgg_m", "cpu", &vgg_m_cells},
        {"vgg_m_scaled", "cpu", &vgg_m_scaled_cells},
        {"vgg_16", "cpu", &vgg_16_cells},
        {"vgg_16_scaled", "cpu", &vgg_16_scaled_cells},
        {"vgg_m", "cpu", &vgg_m_reference_cells, "reference"},
        {"vgg_m_scaled", "cpu", &vgg_m_scaled_reference_cells, "reference"},
#ifdef DERMTL_HAS_ONEDNN_CELLS
        {"vgg_m", "onednn", &vgg_m_onednn_cells},
        {"vgg_m_scaled", "onednn", &vgg_m_scaled_onednn_cells},
        {"vgg_16", "onednn", &vgg_16_onednn_cells},
        {"vgg_16_scaled", "onednn", &vgg_16_scaled_onednn_cells},
        {"vgg_m", "onednn", &vgg_m_reference_onednn_cells, "reference"},
        {"vgg_m_scaled", "onednn", &vgg_m_scaled_reference_onednn_cells, "reference"},
#endif
#ifdef DERMTL_HAS_CUDA_CELLS
        {"vgg_m", "cuda", &vgg_m_cuda_cells},
        {"vgg_m_scaled", "cuda", &vgg_m_scaled_cuda_cells},
        {"vgg_16", "cuda", &vgg_16_cuda_cells},
        {"vgg_16_scaled", "cuda", &vgg_16_scaled_cuda_cells},
#endif
    };
    return t;
}

}  // namespace

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& x : names) s += (s.empty() ? "" : ", ") + x;
    return s;
}

std::vector<std::string> network_names() { return {"vgg_m", "vgg_m_scaled", "vgg_16", "vgg_16_scaled"}; }

std::vector<std::string> backend_names() {
    std::vector<std::string> names{"cpu"};
#ifdef DERMTL_HAS_ONEDNN_CELLS
    names.push_back("onednn");
#endif
#ifdef DERMTL_HAS_CUDA_CELLS
    names.push_back("cuda");
#endif
    return names;
}

std::string default_backend() {
#ifdef DERMTL_HAS_ONEDNN_CELLS
    return "onednn";
#else
    return "cpu";
#endif
}

const programs::model_cells& cells_of(const std::string& network, const std::string& backend, const std::string& protocol) {
    for (const auto& e : table())
        if (network == e.network && backend == e.backend && protocol == e.protocol) return e.cells();
    const auto networks = network_names();
    if (std::find(networks.begin(), networks.end(), network) == networks.end())
        throw config_error("--network: expected one of " + joined(networks) + ", found '" + network + "'");
    const auto protocols = protocol::training_protocol_names();
    if (std::find(protocols.begin(), protocols.end(), protocol) == protocols.end())
        throw config_error("--protocol: expected one of " + joined(protocols) + ", found '" + protocol + "'");
    if (protocol != "paper") {
        std::vector<std::string> where;
        for (const auto& e : table())
            if (protocol == e.protocol) where.push_back(std::string(e.network) + " on " + e.backend);
        throw config_error("--protocol " + protocol + ": compiled for " + joined(where) + " only (the reference code "
                           "ran VGG-M; its VGG-16 layer list is commented out), not for --network " + network +
                           " --backend " + backend);
    }
    if (backend == "onednn")
        throw config_error("--backend onednn: this build has no oneDNN cells (DERMTL_WITH_ONEDNN was off: oneDNN "
                           "was not found); install libdnnl-dev (scripts/setup.sh does) and rebuild");
    if (backend == "cuda")
        throw config_error("--backend cuda: this build has no CUDA cells (DERMTL_WITH_CUDA was off: nvcc and cuDNN "
                           "were not found); rebuild on a machine with the CUDA toolkit and cuDNN (docs/cuda.md)");
    throw config_error("--backend: expected one of " + joined(backend_names()) + ", found '" + backend + "'");
}

void use_numerics(const std::string& backend, precision p, bool deterministic) {
#ifdef DERMTL_HAS_CUDA_CELLS
    if (backend == "cuda") {
        use_cuda_numerics(p, deterministic);
        return;
    }
#endif
    (void)backend;
    if (p != precision::float32)
        throw config_error("--precision tf32: only the CUDA backend has reduced precision (--backend cuda)");
    (void)deterministic;  // the CPU backends (cpu, onednn) are always deterministic
}

std::vector<const programs::model_cells*> compiled_cells() {
    std::vector<const programs::model_cells*> all;
    for (const auto& e : table()) all.push_back(&e.cells());
    return all;
}

const protocol::registry& all_cells() {
    static const protocol::registry catalog = [] {
        protocol::registry r;
        for (const auto& e : table()) r.merge(e.cells().registry);
        return r;
    }();
    return catalog;
}

}  // namespace dermtl::apps
