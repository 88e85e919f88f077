// The backend contract (backend/contract.hpp) and the open tag concept (backend/tags.hpp).
//
// A toy backend is defined in this file only -- a tag, an ops<toy> specialization delegating to
// the CPU's operations, and per-layer state that counts the calls of its own layer -- and runs the
// library's network, loss and optimizer with no edit anywhere in include/. The contract accepts
// ops<cpu> and ops<toy>, and rejects operations sets that miss or misspell an operation (the
// compile-fail test backend_ops_missing_op.cpp shows the message where ops<Tag> is defined).
#include <catch2/catch.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <span>
#include <vector>

#include "dermtl/backend/contract.hpp"
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/net.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;

namespace toy_backend {
struct toy {
    static constexpr const char* name = "toy";
};
}  // namespace toy_backend

// The toy backend's operations: the CPU's, except that convolution and dense layers carry state
// of their own (how often that layer ran), to show the state is per layer.
template <>
struct dermtl::backend::ops<toy_backend::toy> : ops<cpu> {
    using cpu_ops = ops<cpu>;
    struct conv_state {
        int forwards = 0, backwards = 0;
        cpu_ops::conv_state cpu;
    };
    struct dense_state {
        int forwards = 0, backwards = 0;
        cpu_ops::dense_state cpu;
    };
    static void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y,
                               conv_state& s) {
        ++s.forwards;
        cpu_ops::conv2d_forward(x, w, b, g, y, s.cpu);
    }
    static void conv2d_backward(const tensor& x, const tensor& w, const tensor& dy, const window_geometry& g,
                                conv_state& s, tensor& dw, tensor& db, tensor* dx) {
        ++s.backwards;
        cpu_ops::conv2d_backward(x, w, dy, g, s.cpu, dw, db, dx);
    }
    static void dense_forward(const tensor& x, const tensor& w, const tensor& b, tensor& y, dense_state& s) {
        ++s.forwards;
        cpu_ops::dense_forward(x, w, b, y, s.cpu);
    }
    static void dense_backward(const tensor& x, const tensor& w, const tensor& dy, dense_state& s, tensor& dw,
                               tensor& db, tensor* dx) {
        ++s.backwards;
        cpu_ops::dense_backward(x, w, dy, s.cpu, dw, db, dx);
    }
};

static_assert(dermtl::backend::backend_ops<dermtl::backend::ops<toy_backend::toy>>,
              "backend::ops<toy> (tests/backend/test_contract.cpp) breaks the backend contract backend::backend_ops; "
              "see dermtl/backend/contract.hpp");

namespace {

using cpu_ops = backend::ops<backend::cpu>;

// Operation sets that break the contract, each in one way.
struct ops_without_dense_backward : cpu_ops {
    static void dense_backward() = delete;  // hides ops<cpu>'s: as if the backend forgot it
};
struct ops_with_stateless_conv : cpu_ops {  // the signature before per-layer conv state
    static void conv2d_forward(const tensor& x, const tensor& w, const tensor& b, const window_geometry& g, tensor& y) {
        conv_state none;
        cpu_ops::conv2d_forward(x, w, b, g, y, none);
    }
};
struct ops_without_reusing_upload : cpu_ops {
    static tensor from_host(const host_tensor& h) { return cpu_ops::from_host(h); }  // hides from_host(h, t)
};
struct ops_with_own_geometry : cpu_ops {
    struct window_geometry {};  // layers build backend::window_geometry at compile time
};
struct ops_without_sgd : cpu_ops {
    static void sgd_nesterov_update() = delete;
};

struct no_name {};
struct named_tag {
    static constexpr const char* name = "named";
};

using tiny = nn::net<nn::input<3, 8, 8>, nn::conv2d<4, 3, 1, 1>, nn::relu, nn::max_pool<2>, nn::conv2d<5, 3>,
                     nn::relu, nn::dense<6>, nn::relu, nn::dropout<50>, nn::dense<3>>;

host_tensor random_tensor(const dims4& d, rng& gen) {
    host_tensor t(d);
    for (auto& v : t) v = float(gen.normal());
    return t;
}

}  // namespace

TEST_CASE("a backend tag is any type with a name", "[backend][contract]") {
    STATIC_REQUIRE(backend::tag<backend::cpu>);
    STATIC_REQUIRE(backend::tag<backend::cuda>);  // nameable in every build; its ops only with CUDA
    STATIC_REQUIRE(backend::tag<toy_backend::toy>);
    STATIC_REQUIRE(backend::tag<named_tag>);
    STATIC_REQUIRE_FALSE(backend::tag<no_name>);
    STATIC_REQUIRE_FALSE(backend::tag<int>);
}

TEST_CASE("the contract accepts the CPU backend and a toy backend defined outside the library",
          "[backend][contract]") {
    STATIC_REQUIRE(backend::backend_ops<cpu_ops>);
    STATIC_REQUIRE(backend::backend_ops<backend::ops<toy_backend::toy>>);
    STATIC_REQUIRE(std::is_empty_v<cpu_ops::conv_state>);
    STATIC_REQUIRE(std::is_empty_v<cpu_ops::dense_state>);
}

TEST_CASE("the contract rejects a backend that misses or misspells an operation", "[backend][contract]") {
    STATIC_REQUIRE_FALSE(backend::backend_ops<ops_without_dense_backward>);
    STATIC_REQUIRE_FALSE(backend::backend_layer_ops<ops_without_dense_backward>);
    STATIC_REQUIRE(backend::backend_tensor_ops<ops_without_dense_backward>);

    STATIC_REQUIRE_FALSE(backend::backend_ops<ops_with_stateless_conv>);
    STATIC_REQUIRE_FALSE(backend::backend_layer_ops<ops_with_stateless_conv>);

    STATIC_REQUIRE_FALSE(backend::backend_ops<ops_without_reusing_upload>);
    STATIC_REQUIRE_FALSE(backend::backend_tensor_ops<ops_without_reusing_upload>);
    STATIC_REQUIRE(backend::backend_layer_ops<ops_without_reusing_upload>);

    STATIC_REQUIRE_FALSE(backend::backend_ops<ops_with_own_geometry>);

    STATIC_REQUIRE_FALSE(backend::backend_ops<ops_without_sgd>);
    STATIC_REQUIRE_FALSE(backend::backend_training_ops<ops_without_sgd>);
    STATIC_REQUIRE(backend::backend_layer_ops<ops_without_sgd>);
}

TEST_CASE("a toy backend runs the library's network, loss and optimizer, bitwise as the CPU",
          "[backend][contract]") {
    using toy = toy_backend::toy;
    nn::network<tiny, backend::cpu> on_cpu(5);
    nn::network<tiny, toy> on_toy(5);
    train::sgd_nesterov opt_cpu(on_cpu, {.learning_rate = 0.05f, .momentum = 0.9f, .l2 = 1e-3f});
    train::sgd_nesterov opt_toy(on_toy, {.learning_rate = 0.05f, .momentum = 0.9f, .l2 = 1e-3f});
    rng gen(11);
    const host_tensor x = random_tensor({4, 3, 8, 8}, gen);
    const std::vector<int> labels{0, 2, 1, 2};
    host_tensor g_cpu, g_toy;
    for (int step = 0; step < 3; ++step) {
        const double l_cpu = nn::softmax_cross_entropy<backend::cpu>(on_cpu.forward(x, nn::mode::train),
                                                                     std::span<const int>(labels), g_cpu);
        const double l_toy =
            nn::softmax_cross_entropy<toy>(on_toy.forward(x, nn::mode::train), std::span<const int>(labels), g_toy);
        CHECK(l_cpu == testing::same_formula(l_toy));  // the same kernels, inlined at two call sites
        on_cpu.backward(g_cpu);
        on_toy.backward(g_toy);
        opt_cpu.step();
        opt_toy.step();
    }
    CHECK(testing::same_kernels(on_cpu.forward(x), on_toy.forward(x)));
    std::vector<host_tensor> p_cpu, p_toy;
    on_cpu.for_each_param([&](std::size_t, auto& p) { p_cpu.push_back(p.value); });
    on_toy.for_each_param([&](std::size_t, auto& p) { p_toy.push_back(p.value); });
    REQUIRE(p_cpu.size() == p_toy.size());
    for (std::size_t i = 0; i < p_cpu.size(); ++i) CHECK(testing::same_kernels(p_cpu[i], p_toy[i]));

    // Each layer owns its state: 3 training steps + 1 evaluation forward, 3 backward passes each.
    CHECK(on_toy.layer<0>().state.forwards == 4);  // conv2d
    CHECK(on_toy.layer<0>().state.backwards == 3);
    CHECK(on_toy.layer<3>().state.forwards == 4);  // conv2d
    CHECK(on_toy.layer<5>().state.backwards == 3);  // dense
    CHECK(on_toy.layer<8>().state.forwards == 4);  // dense
}
