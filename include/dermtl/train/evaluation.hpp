#pragma once
// The trainer's validation measure.
//
// Represents: evaluate(net, source, batch_size) -> (mean softmax cross-entropy, AUC) of `net` in
// eval mode (no dropout) over the source's epoch-0 plan, in batches of `batch_size`. The AUC is
// of the softmax scores: binary -> roc_auc of class 1; 3+ classes -> mean one-vs-one AUC.
// Ensures: (NaN, NaN) for an empty source; the AUC is NaN when undefined (a class missing from
// the validation set). The network's parameters and generator are left as they were.
// evaluate is a template over the network; the AUC of its scores (evaluation_detail::auc_of) is
// not, and is defined in impl/evaluation.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/score_matrix.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/train/batch_sources.hpp"

namespace dermtl::train {

namespace evaluation_detail {

// AUC of softmax scores (row-major, `classes` per sample); NaN when undefined.
DERMTL_DECL double auc_of(const std::vector<int>& labels, const std::vector<float>& probs, std::size_t classes);

}  // namespace evaluation_detail

// Mean loss and AUC of `net` (eval mode) over a source's epoch-0 plan.
template <class Network, batch_source Source>
std::pair<double, double> evaluate(Network& net, Source& source, std::size_t batch_size) {
    using ops = typename Network::ops;
    using tensor = typename Network::tensor;
    constexpr std::size_t classes = Network::net_type::classes;
    const auto items = source.plan(0);
    if (items.empty()) return {NAN, NAN};
    host_tensor x;
    std::vector<int> y, labels;
    std::vector<float> probs;
    host_tensor hp;
    tensor input, dlogits, p;
    double total = 0;
    for (std::size_t first = 0; first < items.size(); first += batch_size) {
        const std::size_t n = std::min(batch_size, items.size() - first);
        source.fill(std::span(items).subspan(first, n), x, y);
        ops::from_host(x, input);  // into the same device buffer every batch
        const tensor& logits = net.forward(input, nn::mode::eval);
        // Fused on purpose: the sum is the same whether or not the unit that instantiates this is
        // compiled to contract a * b + c to FMA (g++ does from -O2; the cells are -O1).
        const double loss = nn::softmax_cross_entropy<typename Network::backend_type>(logits, y, dlogits);
        total = std::fma(loss, double(n), total);
        ops::softmax(logits, p);
        ops::to_host(p, hp);
        probs.insert(probs.end(), hp.data(), hp.data() + hp.size());
        labels.insert(labels.end(), y.begin(), y.end());
    }
    return {total / double(items.size()), evaluation_detail::auc_of(labels, probs, classes)};
}

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/evaluation.ipp"
#endif
