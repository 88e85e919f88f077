// Definitions of protocol/imagenet_weights.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/protocol/imagenet_weights.hpp"

#include <vector>

#include <nlohmann/json.hpp>

namespace dermtl::protocol {

DERMTL_DECL models::preprocessing_preset safetensors_imagenet_preset(const std::filesystem::path& file) {
    const io::safetensors_index index = io::read_safetensors_index(file);
    std::vector<std::string> names;
    names.reserve(index.entries.size());
    for (const auto& e : index.entries) names.push_back(e.name);
    const std::string where = "--imagenet-weights: '" + file.string() + "'";
    // No dermtl probe: dermtl's own names carry no ImageNet preset, so they fall through to the error.
    return models::preset_of(models::weight_maps_detail::detect(names, "", where));
}

DERMTL_DECL void describe_imagenet_preprocessing(fingerprint& f, const std::filesystem::path& file) {
    if (file.empty() || !io::is_safetensors(file)) return;
    f.set("source_preprocessing", nlohmann::json::parse(models::preset_json(safetensors_imagenet_preset(file))));
}

DERMTL_DECL void check_imagenet_weights_file(const std::filesystem::path& file, const std::string& option) {
    if (!io::is_safetensors(file)) return;  // a .mat file: checked when loaded (mat_structure.hpp)
    try {
        safetensors_imagenet_preset(file);
    } catch (const io_error& e) {
        throw io_error(option + ": " + e.what());
    }
}

}  // namespace dermtl::protocol
