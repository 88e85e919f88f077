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
    return s;
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
}

DERMTL_DECL std::string folder_name(const cell_id& c) {
    std::string s = c.str();
    for (auto& ch : s)
        if (ch == '/' || ch == '\\' || ch == ' ' || ch == '*' || ch == '=') ch = '-';
    return s;
}

}  // namespace dermtl::protocol
