#pragma once
// Generic checks run on every layer (after dlib's test_layer): a central finite-difference check of
// the input and parameter gradients of L = sum(y * r) for a random r, on any backend (the loss is
// summed on the host; the layer runs on Backend).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/nn/layer.hpp"

namespace dermtl::testing {

using cpu_ops = backend::ops<backend::cpu>;

inline host_tensor random_tensor(const dims4& d, rng& gen, float scale = 1.0f) {
    host_tensor t(d);
    for (auto& v : t) v = float(gen.normal()) * scale;
    return t;
}

// Keeps values at least `gap` away from 0 (ReLU's kink) without changing their sign.
inline void away_from_zero(host_tensor& t, float gap) {
    for (auto& v : t) v = v >= 0 ? v + gap : v - gap;
}

struct gradient_check_options {
    float eps = 1e-2f;
    double tolerance = 2e-2;  // |fd - analytic| <= tolerance * max(1, |analytic|)
    std::size_t samples = 40;  // entries checked per tensor
    float input_gap = 0.0f;    // see away_from_zero
};

template <class Layer, class In, class Backend = backend::cpu>
void check_layer_gradients(std::size_t batch, nn::mode phase, std::uint64_t seed, gradient_check_options opt = {}) {
    using ops = backend::ops<Backend>;
    using tensor = typename ops::tensor;
    using impl_t = typename Layer::template impl<In, Backend>;
    rng gen(seed);
    impl_t layer;
    for (auto& p : layer.params()) p.value = ops::from_host(random_tensor(ops::dims(p.value), gen, 0.5f));
    host_tensor x = random_tensor({batch, In::channels, In::height, In::width}, gen);
    if (opt.input_gap > 0) away_from_zero(x, opt.input_gap);

    const std::uint64_t mask_seed = gen.next_u64();
    auto loss = [&](const host_tensor& input, const host_tensor& r) {
        rng masks(mask_seed);  // the same dropout mask on every evaluation
        nn::forward_context ctx{phase, &masks};
        tensor y;
        layer.forward(ops::from_host(input), y, ctx);
        const host_tensor hy = ops::to_host(y);
        double s = 0;
        for (std::size_t i = 0; i < hy.size(); ++i) s += double(hy.data()[i]) * double(r.data()[i]);
        return s;
    };

    tensor xd = ops::from_host(x), y;
    {
        rng masks(mask_seed);
        nn::forward_context ctx{phase, &masks};
        layer.forward(xd, y, ctx);
    }
    const host_tensor r = random_tensor(ops::dims(y), gen);
    tensor dxd;
    layer.backward(xd, y, ops::from_host(r), &dxd);
    const host_tensor dx = ops::to_host(dxd);
    REQUIRE(dims_of(dx) == dims_of(x));

    // Perturbs element i of `target` (the input, or a parameter through host copies) and returns
    // the central difference of the loss.
    auto check = [&](auto&& get, auto&& set, const host_tensor& analytic, const std::string& what) {
        host_tensor target = get();
        for (std::size_t s = 0; s < std::min(opt.samples, target.size()); ++s) {
            const std::size_t i = target.size() <= opt.samples ? s : std::size_t(gen.below(target.size()));
            const float saved = target.data()[i];
            target.data()[i] = saved + opt.eps;
            set(target);
            const double up = loss(x, r);
            target.data()[i] = saved - opt.eps;
            set(target);
            const double down = loss(x, r);
            target.data()[i] = saved;
            set(target);
            const double fd = (up - down) / (2.0 * double(opt.eps));
            const double an = analytic.data()[i];
            INFO(Layer::describe() << " on " << Backend::name << " " << what << "[" << i << "]: finite difference "
                                   << fd << ", backward " << an);
            REQUIRE(std::abs(fd - an) <= opt.tolerance * std::max(1.0, std::abs(an)));
        }
    };
    check([&] { return x; }, [&](const host_tensor& t) { x = t; }, dx, "input");
    // Parameter gradients: backward already left them in grad (the check's forward calls do not touch grad).
    for (auto& p : layer.params()) {
        const host_tensor g = ops::to_host(p.grad);
        check([&] { return ops::to_host(p.value); }, [&](const host_tensor& t) { p.value = ops::from_host(t); }, g,
              std::string(nn::role_name(p.role)));
    }
}

}  // namespace dermtl::testing
