#pragma once
// cell_id: the identity of one experiment cell, as a value. It is built from the cell's types in
// one place (cell_id_of<Experiment>() in protocol/experiment.hpp), stored with every result as a
// JSON object, and compared field by field. Its string form (str()) is for globs (`--cells`),
// folder names and logs only: it is derived here, in one function, and never parsed back.
//
// Represents: one axis per factor of the study, each a (registry name, the paper's title) pair:
//   model, backend, transfer, finetune, labeling, classifier  -- the policy types of the cell
//   training                                                   -- the training protocol
//                                                                 (default "paper")
//   target                                                     -- the target dataset (empty: the
//                                                                 study's, named by the run)
//   precision, deterministic                                   -- the network's numerics
//                                                                 (backend/precision.hpp; default
//                                                                 float32, not deterministic), set
//                                                                 by the run like `target`
// Ensures: two cells are the same experiment design iff their cell_ids are equal.
// Not templates (but the policy helpers): defined in impl/cell_id.ipp (core/config.hpp: compiled
// once with DERMTL_SEPARATE_COMPILATION, inline otherwise), which includes <nlohmann/json.hpp>;
// this header needs only json_fwd.hpp.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json_fwd.hpp>

#include "dermtl/backend/precision.hpp"
#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/data/lesion_task.hpp"

namespace dermtl::protocol {

// One factor of a cell: the registry name ("imagenet") and the paper's title ("From ImageNet").
struct policy_id {
    std::string name;
    std::string title;
    bool operator==(const policy_id&) const = default;
};

// The axes a cell has beyond the five of the paper's grid, with the values every cell had before
// they existed: a cell at these defaults keeps its five-part string form.
inline constexpr std::string_view default_classifier = "svm";
inline constexpr std::string_view default_training = "paper";
inline constexpr std::string_view default_precision = "float32";

struct cell_id {
    policy_id model, backend, transfer, finetune, labeling;
    policy_id classifier{std::string(default_classifier), "Linear SVM"};
    policy_id training{std::string(default_training), "Paper protocol"};
    policy_id target{};
    // The numerics the network computed in. Recorded (in str(), the JSON and so the fingerprint)
    // only when not float32 / not deterministic, so float32 results keep their ids, folders and
    // fingerprints, and a bf16 or TF32 result is never taken for a float32 one.
    policy_id precision{std::string(default_precision), "float32"};
    bool deterministic = false;

    bool operator==(const cell_id&) const = default;

    // "vgg_m/cpu/imagenet/finetune/malignant_vs_benign", then "/<axis>=<name>" for each of
    // classifier, training, target and precision that is not at its default, then "/deterministic".
    std::string str() const;

    // This cell computed in `n` (the run's numerics, set like `target`).
    void set_numerics(const backend::numerics& n);
    backend::numerics numerics() const;
};

// What the paper's tables need to know of a cell beyond its identity, from its types
// (experiment<...>::facts()); a cell read back from disk that no compiled grid knows has none.
struct cell_facts {
    bool paper_design = false;        // its labeling is one of the paper's three designs (Table 1 rows)
    bool imagenet_finetuned = false;  // transfer from ImageNet with fine-tuning (Tables 2, 3 and 4)
    bool isic_label = false;          // ISIC's own benign/malignant label (Table 2)
    std::size_t classes = 0;
    // The paper's design the labeling follows (none for ISIC's own label): what a dataset must
    // hold for the cell to run on it (programs check it before any training).
    std::optional<data::lesion_task> design;
    // The source model the cell trains before its folds ("vgg_m/cpu/retinopathy": model, backend,
    // source), shared by every cell naming the same one; empty when it trains none. A grid runs
    // each such source as a work item of its own, before the cells that use it (`grid --part`).
    std::string source;
    // What its transfer needs beyond the target (programs refuse a cell before any training when
    // the data options do not give it): ImageNet weights, the Retinopathy set, a source task.
    bool needs_imagenet_weights = false, needs_retinopathy = false, needs_source_task = false;
    std::optional<double> published_auc;                        // Tables 1 and 3
    std::optional<std::array<double, 4>> published_strata_auc;  // Table 4: low, medium, high, all
};

// A policy's title: its `title` member, or its name when it has none.
template <class P>
std::string title_of() {
    if constexpr (requires { P::title(); }) return std::string(P::title());
    else if constexpr (requires { P::title; }) return std::string(P::title);
    else return std::string(P::name);
}

// A policy's registry name: `name` or `name()`.
template <class P>
std::string name_of() {
    if constexpr (requires { P::name(); }) return std::string(P::name());
    else return std::string(P::name);
}

template <class P>
policy_id policy_id_of() {
    return {name_of<P>(), title_of<P>()};
}

DERMTL_DECL void to_json(nlohmann::json& j, const policy_id& p);
DERMTL_DECL void from_json(const nlohmann::json& j, policy_id& p);

DERMTL_DECL void to_json(nlohmann::json& j, const cell_id& c);
DERMTL_DECL void from_json(const nlohmann::json& j, cell_id& c);

// A cell's string form as a file name: "vgg_m/cpu/none/finetune/x" -> "vgg_m-cpu-none-finetune-x".
DERMTL_DECL std::string folder_name(const cell_id& c);

}  // namespace dermtl::protocol

#if DERMTL_HEADER_ONLY
#include "dermtl/protocol/impl/cell_id.ipp"
#endif
