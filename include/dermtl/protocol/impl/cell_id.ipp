// Definitions of protocol/cell_id.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/cell_id.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"

namespace dermtl::protocol {

DERMTL_DECL std::string cell_id::str() const {
    std::string s = model.name + "/" + backend.name + "/" + transfer.name + "/" + finetune.name + "/" + labeling.name;
    if (classifier.name != default_classifier) s += "/classifier=" + classifier.name;
    if (training.name != default_training) s += "/training=" + training.name;
    if (!target.name.empty()) s += "/target=" + target.name;
    if (precision.name != default_precision) s += "/precision=" + precision.name;
    if (deterministic) s += "/deterministic";
    return s;
}

DERMTL_DECL void cell_id::set_numerics(const backend::numerics& n) {
    const std::string name(backend::precision_name(n.precision));
    precision = {name, n.precision == backend::precision_kind::bf16   ? "bf16 (mixed precision)"
                       : n.precision == backend::precision_kind::tf32 ? "TF32 (tensor cores)"
                                                                      : "float32"};
    deterministic = n.deterministic;
}

DERMTL_DECL backend::numerics cell_id::numerics() const {
    backend::numerics n;
    n.precision = backend::precision_named(precision.name).value_or(backend::precision_kind::float32);
    n.deterministic = deterministic;
    return n;
}

DERMTL_DECL void to_json(nlohmann::json& j, const policy_id& p) { j = {{"name", p.name}, {"title", p.title}}; }

DERMTL_DECL void from_json(const nlohmann::json& j, policy_id& p) {
    p.name = j.at("name").get<std::string>();
    p.title = j.at("title").get<std::string>();
}

DERMTL_DECL void to_json(nlohmann::json& j, const cell_id& c) {
    j = {{"model", c.model},         {"backend", c.backend},       {"transfer", c.transfer},
         {"finetune", c.finetune},   {"labeling", c.labeling},     {"classifier", c.classifier},
         {"training", c.training},   {"target", c.target}};
    // Only when not at their defaults: float32 results keep their stored ids byte for byte.
    if (c.precision.name != default_precision) j["precision"] = c.precision;
    if (c.deterministic) j["deterministic"] = true;
}

DERMTL_DECL void from_json(const nlohmann::json& j, cell_id& c) {
    if (!j.is_object()) throw io_error("cell id: expected a JSON object with the cell's factors, found " + shortened(j.dump()));
    auto axis = [&](const char* key, policy_id& p) {
        if (!j.contains(key)) throw io_error(std::string("cell id: expected the field '") + key + "', found none");
        try {
            p = j.at(key).get<policy_id>();
        } catch (const nlohmann::json::exception& e) {
            throw io_error(std::string("cell id: field '") + key + "': expected {\"name\": ..., \"title\": ...} (" +
                           e.what() + ")");
        }
    };
    axis("model", c.model), axis("backend", c.backend), axis("transfer", c.transfer), axis("finetune", c.finetune);
    axis("labeling", c.labeling), axis("classifier", c.classifier), axis("training", c.training);
    axis("target", c.target);
    if (j.contains("precision")) {
        axis("precision", c.precision);
        if (!backend::precision_named(c.precision.name))
            throw io_error("cell id: field 'precision': expected float32, tf32 or bf16, found '" + c.precision.name + "'");
    }
    if (j.contains("deterministic")) {
        if (!j.at("deterministic").is_boolean())
            throw io_error("cell id: field 'deterministic': expected true or false, found " +
                           shortened(j.at("deterministic").dump()));
        c.deterministic = j.at("deterministic").get<bool>();
    }
}

DERMTL_DECL std::string folder_name(const cell_id& c) {
    std::string s = c.str();
    for (auto& ch : s)
        if (ch == '/' || ch == '\\' || ch == ' ' || ch == '*' || ch == '=') ch = '-';
    return s;
}

}  // namespace dermtl::protocol
