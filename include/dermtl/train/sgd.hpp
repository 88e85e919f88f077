#pragma once
// Stochastic gradient descent with Nesterov momentum and L2 regularization, the paper's optimizer.
//
// Defaults are the paper's as printed: learning rate 1e-3, Nesterov momentum 0.1, L2 5e-3. (The
// momentum of 0.1 is what the paper prints; common Lasagne/nolearn code uses 0.9 -- it is a
// parameter, check the reference code's setting before reproducing a number.)
// L2 follows Lasagne's regularize_network_params(l2): the loss gains l2 * sum(w^2) over weights
// only (biases are not regularized), so the gradient gains 2 * l2 * w.
// Each step is one fused pass over every parameter buffer (backend::ops<B>::sgd_nesterov_update);
// velocity buffers are allocated once, when the optimizer is made.
#include <cstddef>
#include <vector>

#include "dermtl/nn/layer.hpp"

namespace dermtl::train {

struct sgd_options {
    float learning_rate = 1e-3f;
    float momentum = 0.1f;
    float l2 = 5e-3f;
};

template <class Network>
class sgd_nesterov {
public:
    using ops = typename Network::ops;
    using tensor = typename Network::tensor;

    explicit sgd_nesterov(Network& net, sgd_options opt = {}) : net_(net), opt_(opt) {
        net_.for_each_param([&](std::size_t, nn::param<typename Network::backend_type>& p) {
            tensor v;
            ops::reshape(v, ops::dims(p.value));
            ops::fill(v, 0.0f);
            velocity_.push_back(std::move(v));
        });
    }

    // Applies one update from the gradients left by network::backward.
    void step() {
        std::size_t i = 0;
        net_.for_each_param([&](std::size_t, nn::param<typename Network::backend_type>& p) {
            const float l2 = p.role == nn::param_role::weight ? opt_.l2 : 0.0f;
            ops::sgd_nesterov_update(p.value, p.grad, velocity_[i++], opt_.learning_rate, opt_.momentum, l2);
        });
    }

    const sgd_options& options() const { return opt_; }
    std::vector<tensor>& velocity() { return velocity_; }

private:
    Network& net_;
    sgd_options opt_;
    std::vector<tensor> velocity_;
};

}  // namespace dermtl::train
