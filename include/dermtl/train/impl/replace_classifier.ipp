// Definitions of train/replace_classifier.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/replace_classifier.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dermtl/core/error.hpp"

namespace dermtl::train::copy_detail {

DERMTL_DECL std::vector<std::pair<std::size_t, std::size_t>> plan(const layer_table& to, const layer_table& from,
                                                                   const std::vector<std::string>& except) {
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (std::size_t i = 0; i < to.depth; ++i) {
        const auto& dst = to.params[i];
        if (dst.empty()) continue;
        const std::string_view name = to.names[i];
        if (name.empty())
            throw config_error("copy_layers: " + to.label(i) +
                               " has parameters but no name, so it cannot be matched; name it with named<\"...\", L>");
        if (std::find(except.begin(), except.end(), name) != except.end()) continue;
        const std::size_t j = std::size_t(std::find(from.names, from.names + from.depth, name) - from.names);
        if (j == from.depth)
            throw config_error("copy_layers: the source network has no layer '" + std::string(name) + "' (needed by " +
                               to.label(i) + "); list it in `except` to keep its own weights");
        const auto& src = from.params[j];
        if (src.size() != dst.size())
            throw shape_error("copy_layers: " + to.label(i) + " has " + std::to_string(dst.size()) +
                              " parameter tensors, the source's " + from.label(j) + " has " + std::to_string(src.size()));
        for (std::size_t k = 0; k < dst.size(); ++k) {
            const dims4& want = dst[k].second;
            const dims4& got = src[k].second;
            if (want != got)
                throw shape_error("copy_layers: " + to.label(i) + " " + std::string(nn::role_name(dst[k].first)) +
                                  ": expected " + describe(want) + ", the source's " + from.label(j) + " has " +
                                  describe(got) + (i + 1 == to.depth ? " (the classifier: use replace_classifier)" : ""));
        }
        pairs.emplace_back(i, j);
    }
    return pairs;
}

}  // namespace dermtl::train::copy_detail
