#pragma once
// Moving weights between networks of different types, matched by layer name: the step from an
// ImageNet (1000-class) or Retinopathy (5-class) model to a 2- or 3-class lesion model.
//
//   nn::network<models::vgg_m<1000>, backend::cpu> imagenet(nn::uninitialized);
//   io::load_matconvnet("imagenet-vgg-m.mat", imagenet);
//   nn::network<models::vgg_m<2>, backend::cpu> lesions(seed);   // fc8 freshly initialized
//   train::replace_classifier(imagenet, lesions);                 // everything but fc8 copied
//
// copy_layers copies every named layer with parameters of `to` from the layer of the same name
// in `from`, except those listed; shapes must agree (shape_error naming the layer and both
// shapes), and a layer missing from `from` is a config_error; all are checked before anything is
// copied. Works across backends (through host tensors). The matching and its messages are not
// templates (copy_detail::plan, impl/replace_classifier.ipp): only the copying loop is.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/nn/layer.hpp"

namespace dermtl::train {

namespace copy_detail {

// One network's layers as copy_layers matches them: its net's names and labels ("layer 3 'conv2'
// (...)") and each layer's parameter tensors (role, dims).
struct layer_table {
    std::size_t depth = 0;
    const std::string_view* names = nullptr;      // Net::names
    std::string (*label)(std::size_t) = nullptr;  // Net::label
    std::vector<std::vector<std::pair<nn::param_role, dims4>>> params;
};

template <class Network>
layer_table table_of(Network& network) {
    using Net = typename Network::net_type;
    layer_table t{Net::depth, Net::names.data(), &Net::label, {}};
    t.params.resize(Net::depth);
    for (std::size_t i = 0; i < Net::depth; ++i)
        for (auto& p : network.params(i)) t.params[i].emplace_back(p.role, Network::ops::dims(p.value));
    return t;
}

// The (layer of `to`, layer of `from`) pairs to copy, in `to`'s order, after every check of
// copy_layers (names, tensor counts, shapes): an error leaves both networks as they were.
DERMTL_DECL std::vector<std::pair<std::size_t, std::size_t>> plan(const layer_table& to, const layer_table& from,
                                                                   const std::vector<std::string>& except);

}  // namespace copy_detail

// Returns the names of the layers copied. Every layer is checked before any is copied.
template <class From, class To>
std::vector<std::string> copy_layers(From& from, To& to, const std::vector<std::string>& except = {}) {
    std::vector<std::string> copied;
    for (const auto& [i, j] : copy_detail::plan(copy_detail::table_of(to), copy_detail::table_of(from), except)) {
        auto dst = to.params(i);
        auto src = from.params(j);
        for (std::size_t k = 0; k < dst.size(); ++k) dst[k].value = To::ops::from_host(From::ops::to_host(src[k].value));
        copied.emplace_back(To::net_type::names[i]);
    }
    return copied;
}

// Copies everything but the last layer (the classifier, fc8 in VGG), which keeps the
// initialization `to` was constructed with: changes 1000 classes into 2, 3 or 5.
template <class From, class To>
std::vector<std::string> replace_classifier(From& from, To& to) {
    using ToNet = typename To::net_type;
    return copy_layers(from, to, {std::string(ToNet::names[ToNet::depth - 1])});
}

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/replace_classifier.ipp"
#endif
