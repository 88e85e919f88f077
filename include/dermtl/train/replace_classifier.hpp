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
// shapes), and a layer missing from `from` is a config_error. Works across backends (through
// host tensors).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"

namespace dermtl::train {

// Returns the names of the layers copied.
template <class From, class To>
std::vector<std::string> copy_layers(From& from, To& to, const std::vector<std::string>& except = {}) {
    using FromNet = typename From::net_type;
    using ToNet = typename To::net_type;
    using from_ops = typename From::ops;
    using to_ops = typename To::ops;
    std::vector<std::string> copied;
    for (std::size_t i = 0; i < ToNet::depth; ++i) {
        auto dst = to.params(i);
        if (dst.empty()) continue;
        const std::string_view name = ToNet::names[i];
        if (name.empty())
            throw config_error("copy_layers: " + ToNet::label(i) +
                               " has parameters but no name, so it cannot be matched; name it with named<\"...\", L>");
        if (std::find(except.begin(), except.end(), name) != except.end()) continue;
        const std::size_t j = FromNet::find(name);
        if (j == FromNet::depth)
            throw config_error("copy_layers: the source network has no layer '" + std::string(name) + "' (needed by " +
                               ToNet::label(i) + "); list it in `except` to keep its own weights");
        auto src = from.params(j);
        if (src.size() != dst.size())
            throw shape_error("copy_layers: " + ToNet::label(i) + " has " + std::to_string(dst.size()) +
                              " parameter tensors, the source's " + FromNet::label(j) + " has " +
                              std::to_string(src.size()));
        for (std::size_t k = 0; k < dst.size(); ++k) {
            const dims4 want = to_ops::dims(dst[k].value), got = from_ops::dims(src[k].value);
            if (want != got)
                throw shape_error("copy_layers: " + ToNet::label(i) + " " + std::string(nn::role_name(dst[k].role)) + ": expected " +
                                  describe(want) + ", the source's " + FromNet::label(j) + " has " + describe(got) +
                                  (i + 1 == ToNet::depth ? " (the classifier: use replace_classifier)" : ""));
        }
        for (std::size_t k = 0; k < dst.size(); ++k) dst[k].value = to_ops::from_host(from_ops::to_host(src[k].value));
        copied.emplace_back(name);
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
