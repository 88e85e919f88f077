// Picking compiled cells by name: one table of (network, backend) -> cells for every front end.
#include "cells.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "dermtl/core/error.hpp"
#ifdef DERMTL_HAS_ONEDNN
#include "dermtl/backend/onednn/numerics.hpp"
#endif
#include "dermtl/protocol/training.hpp"

namespace dermtl::apps {

// The generated instances (apps/cells.list, filtered by DERMTL_CELLS): declared, then tabled.
#define DERMTL_CELL_INSTANCE(network, backend, protocol, function) const programs::model_cells& function();
#include "cell_instances.inc"
#undef DERMTL_CELL_INSTANCE

namespace {

struct entry {
    const char* network;
    const char* backend;
    const char* protocol;
    const programs::model_cells& (*cells)();
};

const std::vector<entry>& table() {
    static const std::vector<entry> t = {
#define DERMTL_CELL_INSTANCE(network, backend, protocol, function) {#network, #backend, #protocol, &function},
#include "cell_instances.inc"
#undef DERMTL_CELL_INSTANCE
    };
    return t;
}

struct listed {
    const char* network;
    const char* backend;
    const char* protocol;
};
const std::vector<listed>& catalog() {
    static const std::vector<listed> c = {
#include "cell_catalog.inc"
    };
    return c;
}

}  // namespace

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& x : names) s += (s.empty() ? "" : ", ") + x;
    return s;
}

std::vector<std::string> network_names() { return {"vgg_m", "vgg_m_scaled", "vgg_16", "vgg_16_scaled"}; }

namespace {

bool has_backend(const std::string& backend) {
    return std::any_of(table().begin(), table().end(), [&](const entry& e) { return backend == e.backend; });
}

// The backends this build has at all (DERMTL_WITH_ONEDNN, DERMTL_WITH_CUDA), compiled cells or not.
bool backend_built(const std::string& backend) {
    const std::string built = "," DERMTL_BUILT_BACKENDS ",";
    return built.find("," + backend + ",") != std::string::npos;
}

}  // namespace

// DERMTL_CELLS with the terms that add (network, backend, protocol): a kind that has terms gains
// the missing value; a kind without terms already takes every value.
std::string cells_setting_adding(std::string_view setting, const std::string& network, const std::string& backend,
                                 const std::string& protocol) {
    std::vector<std::string> terms;
    for (std::size_t at = 0; at <= setting.size();) {
        const std::size_t end = std::min(setting.find(';', at), setting.size());
        if (end > at) terms.emplace_back(setting.substr(at, end - at));
        at = end + 1;
    }
    auto kind_of = [](const std::string& term) {
        for (const auto& l : catalog()) {
            if (term == l.network) return 0;
            if (term == l.backend) return 1;
            if (term == l.protocol) return 2;
        }
        return -1;
    };
    const std::string wanted[3] = {network, backend, protocol};
    for (int kind = 0; kind < 3; ++kind) {
        const bool has_kind = std::any_of(terms.begin(), terms.end(), [&](const std::string& t) { return kind_of(t) == kind; });
        const bool has_value = std::find(terms.begin(), terms.end(), wanted[kind]) != terms.end();
        if (has_kind && !has_value) terms.push_back(wanted[kind]);
    }
    std::string out;
    for (const auto& t : terms) out += (out.empty() ? "" : ";") + t;
    return out;
}

std::vector<std::string> backend_names() {
    std::vector<std::string> names;
    for (const auto& e : table())
        if (std::find(names.begin(), names.end(), e.backend) == names.end()) names.emplace_back(e.backend);
    return names;
}

std::string default_backend() {
    if (has_backend("onednn")) return "onednn";
    if (has_backend("cpu")) return "cpu";
    return table().front().backend;
}

std::vector<cell_instance> cell_instances() {
    std::vector<cell_instance> all;
    for (const auto& l : catalog()) {
        const bool compiled = std::any_of(table().begin(), table().end(), [&](const entry& e) {
            return std::string_view(e.network) == l.network && std::string_view(e.backend) == l.backend &&
                   std::string_view(e.protocol) == l.protocol;
        });
        all.push_back({l.network, l.backend, l.protocol, compiled});
    }
    return all;
}

std::string build_cells_description() {
    std::vector<std::string> compiled, left_out;
    for (const auto& c : cell_instances())
        (c.compiled ? compiled : left_out).push_back(c.network + "/" + c.backend + "/" + c.protocol);
    std::string s = "cells compiled in this build (network/backend/protocol): " + joined(compiled);
    if (!left_out.empty())
        s += "; left out (DERMTL_CELLS='" + std::string(DERMTL_CELLS_SETTING) + "', backends built: " +
             DERMTL_BUILT_BACKENDS + "): " + joined(left_out);
    return s;
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
    const bool listed = std::any_of(catalog().begin(), catalog().end(), [&](const auto& l) {
        return network == l.network && backend == l.backend && protocol == l.protocol;
    });
    if (listed && backend_built(backend))
        throw config_error("--network " + network + " --backend " + backend + " --protocol " + protocol +
                           ": these cells are not compiled in this build (configured with DERMTL_CELLS='" +
                           DERMTL_CELLS_SETTING + "'); reconfigure with -DDERMTL_CELLS='" +
                           cells_setting_adding(DERMTL_CELLS_SETTING, network, backend, protocol) +
                           "' (or -DDERMTL_CELLS= for every cell) and rebuild");
    if (protocol != "paper" && !listed) {
        std::vector<std::string> where;
        for (const auto& l : catalog())
            if (protocol == l.protocol && backend_built(l.backend)) where.push_back(std::string(l.network) + " on " + l.backend);
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

std::vector<std::string> backends_with(precision p) {
    std::vector<std::string> out;
    for (const auto& b : backend_names()) {
        const bool has = p == precision::float32 || (p == precision::tf32 && b == "cuda") ||
                         (p == precision::bf16 && (b == "onednn" || b == "cuda"));
        if (has) out.push_back(b);
    }
    return out;
}

backend::numerics use_numerics(const std::string& backend, precision p, bool deterministic) {
    backend::numerics n{p, deterministic};
    const auto with = backends_with(p);
    if (std::find(with.begin(), with.end(), backend) == with.end())
        throw config_error("--precision " + std::string(backend::precision_name(p)) + ": the " + backend +
                           " backend does not compute in it; " +
                           (with.empty() ? (p == precision::tf32 ? std::string("it is the cuda backend's")
                                                                 : std::string("it is the onednn and cuda backends'")) +
                                               ", and this build compiles no cells of those backends"
                                         : "backends with it in this build: " + joined(with)));
#ifdef DERMTL_HAS_CUDA
    if (backend == "cuda") {
        use_cuda_numerics(p, deterministic);
        return n;
    }
#endif
#ifdef DERMTL_HAS_ONEDNN
    if (backend == "onednn") backend::onednn_detail::check_numerics(n);  // bf16 below avx512_core: refused
#endif
    n.deterministic = false;  // the CPU backends (cpu, onednn) are always deterministic
    return n;
}

help_examples help_examples_of(const std::string& default_network) {
    const std::string backend = default_backend();
    // The first compiled instance by preference: the default network and protocol, then the
    // default protocol on any network, then anything on the default backend, then anything.
    const entry* chosen = nullptr;
    for (int rank = 0; rank < 4 && !chosen; ++rank)
        for (const auto& e : table()) {
            const bool network = default_network == e.network, paper = std::string_view(e.protocol) == "paper",
                       on_backend = backend == e.backend;
            if ((rank == 0 && network && paper && on_backend) || (rank == 1 && paper && on_backend) ||
                (rank == 2 && on_backend) || rank == 3) {
                chosen = &e;
                break;
            }
        }
    const auto& entries = chosen->cells().registry.entries();
    const auto named = std::find_if(entries.begin(), entries.end(), [](const auto& x) {
        const auto id = x.id.str();
        const std::string_view suffix = "/imagenet/finetune/malignant_vs_benign";
        return id.size() > suffix.size() && id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0;
    });
    help_examples ex;
    ex.cell = (named != entries.end() ? *named : entries.front()).id.str();
    // The glob: the cell's first three parts (model/backend/transfer), then everything.
    std::size_t cut = 0;
    for (int slash = 0; slash < 3 && cut != std::string::npos; ++slash) cut = ex.cell.find('/', cut ? cut + 1 : 0);
    ex.glob = cut == std::string::npos ? ex.cell : ex.cell.substr(0, cut) + "/*";
    auto option = [&](const std::string& name, const std::string& value) {
        if (!ex.options.empty()) ex.options += ' ';
        ex.options += name;
        ex.options += ' ';
        ex.options += value;
    };
    if (default_network != chosen->network) option("--network", chosen->network);
    if (backend != chosen->backend) option("--backend", chosen->backend);
    if (std::string_view(chosen->protocol) != "paper") option("--protocol", chosen->protocol);
    return ex;
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
