#pragma once
// Generic checks run on every layer (after dlib's test_layer): a central finite-difference check of
// the input and parameter gradients of L = sum(y * r) for a random r.
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

template <class Layer, class In>
void check_layer_gradients(std::size_t batch, nn::mode phase, std::uint64_t seed, gradient_check_options opt = {}) {
    using impl_t = typename Layer::template impl<In, backend::cpu>;
    rng gen(seed);
    impl_t layer;
    for (auto& p : layer.params()) p.value = random_tensor(cpu_ops::dims(p.value), gen, 0.5f);
    host_tensor x = random_tensor({batch, In::channels, In::height, In::width}, gen);
    if (opt.input_gap > 0) away_from_zero(x, opt.input_gap);

    const std::uint64_t mask_seed = gen.next_u64();
    auto loss = [&](const host_tensor& input, const host_tensor& r) {
        rng masks(mask_seed);  // the same dropout mask on every evaluation
        nn::forward_context ctx{phase, &masks};
        host_tensor y;
        layer.forward(input, y, ctx);
        double s = 0;
        for (std::size_t i = 0; i < y.size(); ++i) s += double(y.data()[i]) * double(r.data()[i]);
        return s;
    };

    host_tensor y;
    {
        rng masks(mask_seed);
        nn::forward_context ctx{phase, &masks};
        layer.forward(x, y, ctx);
    }
    const host_tensor r = random_tensor(cpu_ops::dims(y), gen);
    host_tensor dx;
    layer.backward(x, y, r, &dx);
    REQUIRE(cpu_ops::dims(dx) == cpu_ops::dims(x));

    auto check = [&](host_tensor& target, const host_tensor& analytic, const std::string& what) {
        for (std::size_t s = 0; s < std::min(opt.samples, target.size()); ++s) {
            const std::size_t i = target.size() <= opt.samples ? s : std::size_t(gen.below(target.size()));
            const float saved = target.data()[i];
            target.data()[i] = saved + opt.eps;
            const double up = loss(x, r);
            target.data()[i] = saved - opt.eps;
            const double down = loss(x, r);
            target.data()[i] = saved;
            const double fd = (up - down) / (2.0 * double(opt.eps));
            const double an = analytic.data()[i];
            INFO(Layer::describe() << " " << what << "[" << i << "]: finite difference " << fd << ", backward " << an);
            REQUIRE(std::abs(fd - an) <= opt.tolerance * std::max(1.0, std::abs(an)));
        }
    };
    check(x, dx, "input");
    // Parameter gradients: backward already left them in grad (the check's forward calls do not touch grad).
    for (auto& p : layer.params()) {
        const host_tensor g = p.grad;
        check(p.value, g, std::string(nn::role_name(p.role)));
    }
}

}  // namespace dermtl::testing
