// The oneDNN backend (backend/onednn/) against the reference backend::cpu and against finite
// differences.
//
// [shapes]    every layer of VGG-M and VGG-16 at 224x224 (batch 1), forward and backward, oneDNN
//             vs the CPU reference;
// [odd]       odd shapes: asymmetric padding, ceil-mode pooling, kernels larger than the stride,
//             batch 1 and 3.
// [gradient]  the layer gradient checks of tests/nn/test_gradients.cpp, run on oneDNN.
// [network]   a scaled VGG-M through the network (conv+ReLU fused) vs the CPU network: outputs,
//             input and parameter gradients, and training steps.
// [determinism] the same seed trains bitwise identically twice; after warming up, a step does no
//             layout conversion (layouts are chosen once and kept).
// [errors]    oneDNN's failures name the primitive and its status.
// [bf16]      bf16 numerics: every convolution and inner product within the bf16 bound of the
//             float32 reference (derived below, near those tests), pooling exact, determinism, no
//             relayout and only bf16's casts in a warm step, float32 features and master weights;
//             below avx512_core, the refusal.
//
// Tolerance (one, used everywhere unless stated): the two backends sum in different orders, so
// |onednn - cpu| <= 1e-4 * max(1, max |cpu|) per tensor.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../nn/layer_check.hpp"
#include "support/bf16_bound.hpp"
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/backend/onednn/ops.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;
using cpu = backend::ops<backend::cpu>;
using dnn = backend::ops<backend::onednn>;
using Catch::Matchers::Contains;

namespace {

constexpr double tolerance = 1e-4;

double max_abs(const host_tensor& t) {
    double m = 0;
    for (float v : t) m = std::max(m, double(std::abs(v)));
    return m;
}

void require_close(const host_tensor& got, const host_tensor& want, const std::string& what, double tol = tolerance) {
    INFO(what << ": onednn " << describe(dims_of(got)) << " vs cpu " << describe(dims_of(want)));
    REQUIRE(dims_of(got) == dims_of(want));
    const double bound = tol * std::max(1.0, max_abs(want));
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(double(got.data()[i]) - double(want.data()[i]));
        if (!(d <= worst)) {
            worst = d;
            at = i;
        }
    }
    INFO("max |onednn - cpu| = " << worst << " at element " << at << " (bound " << bound << ")");
    REQUIRE(worst <= bound);
}

// Runs layer L on input shape In with batch `batch` on both backends from the same parameters,
// input, output gradient and dropout seed, and compares y, dx and every parameter gradient.
template <class L, class In>
void compare_layer(std::size_t batch, std::uint64_t seed, const std::string& where) {
    using cpu_impl = typename L::template impl<In, backend::cpu>;
    using dnn_impl = typename L::template impl<In, backend::onednn>;
    rng gen(seed);
    cpu_impl a;
    dnn_impl b;
    auto pa = a.params();
    auto pb = b.params();
    for (std::size_t k = 0; k < pa.size(); ++k) {
        const host_tensor v = testing::random_tensor(cpu::dims(pa[k].value), gen, 0.1f);
        pa[k].value = v;
        pb[k].value = dnn::from_host(v);
    }
    const host_tensor x = testing::random_tensor({batch, In::channels, In::height, In::width}, gen);
    const std::uint64_t mask_seed = gen.next_u64();
    host_tensor ya;
    typename dnn::tensor xb = dnn::from_host(x), yb;
    {
        rng masks(mask_seed);
        nn::forward_context ctx{nn::mode::train, &masks};
        a.forward(x, ya, ctx);
    }
    {
        rng masks(mask_seed);
        nn::forward_context ctx{nn::mode::train, &masks};
        b.forward(xb, yb, ctx);
    }
    const std::string name = where + " " + L::describe();
    require_close(dnn::to_host(yb), ya, name + " forward");
    const host_tensor dy = testing::random_tensor(dims_of(ya), gen);
    host_tensor dxa;
    typename dnn::tensor dxb;
    a.backward(x, ya, dy, &dxa);
    b.backward(xb, yb, dnn::from_host(dy), &dxb);
    require_close(dnn::to_host(dxb), dxa, name + " backward dx");
    for (std::size_t k = 0; k < pa.size(); ++k)
        require_close(dnn::to_host(pb[k].grad), pa[k].grad, name + " backward d" + std::string(nn::role_name(pa[k].role)));
}

// Every layer of Net, each on its own input shape.
template <class Net>
void compare_every_layer(std::size_t batch, const std::string& net_name) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (compare_layer<typename Net::template layer_at<I>, typename Net::template input_of<I>>(
             batch, 100 + I, net_name + " layer " + std::to_string(I)),
         ...);
    }(std::make_index_sequence<Net::depth>{});
}

template <class Net>
void copy_parameters(nn::network<Net, backend::cpu>& from, nn::network<Net, backend::onednn>& to) {
    std::vector<host_tensor> values;
    from.for_each_param([&](std::size_t, nn::param<backend::cpu>& p) { values.push_back(p.value); });
    std::size_t k = 0;
    to.for_each_param([&](std::size_t, nn::param<backend::onednn>& p) { p.value = dnn::from_host(values[k++]); });
}

}  // namespace

TEST_CASE("every VGG-M layer at 224 matches the CPU reference", "[onednn][shapes]") {
    compare_every_layer<models::vgg_m<2>>(1, "VGG-M");
}

TEST_CASE("every VGG-16 layer at 224 matches the CPU reference", "[onednn][shapes]") {
    compare_every_layer<models::vgg_16<2>>(1, "VGG-16");
}

TEST_CASE("odd shapes match the CPU reference", "[onednn][odd]") {
    using namespace nn;
    // Asymmetric padding (MatConvNet's [top bottom left right]), stride 2, a kernel larger than the stride.
    compare_layer<conv2d<5, 3, 2, padding{0, 1, 2, 0}>, shape<2, 8, 9>>(3, 1, "odd");
    compare_layer<conv2d<7, 5, 3, padding{2, 0, 1, 1}>, shape<3, 13, 11>>(1, 2, "odd");
    // Input rows in no window (floor mode leaves the last one out).
    compare_layer<conv2d<4, 3, 2, 0>, shape<3, 8, 8>>(2, 3, "odd");
    // Ceil-mode pooling whose last window reaches past the input; kernel 3 > stride 2; padding.
    compare_layer<max_pool<3, 2>, shape<3, 8, 8>>(2, 4, "odd");
    compare_layer<max_pool<3, 2, padding{0, 1, 0, 1}>, shape<4, 13, 13>>(1, 5, "odd");
    compare_layer<max_pool<2, 2, padding{0, 1, 0, 1}, rounding::floor>, shape<2, 7, 7>>(3, 6, "odd");
    compare_layer<max_pool<3, 2, 1>, shape<2, 6, 6>>(1, 7, "odd");
    // LRN windows at the channel edges, few channels.
    compare_layer<lrn<5, 2.0f, 0.3f, 0.75f>, shape<7, 3, 4>>(2, 8, "odd");
    compare_layer<lrn<3, 1.0f, 0.5f, 0.6f>, shape<4, 2, 2>>(1, 9, "odd");
    // Dense on a 4-D input and on a vector; dropout in training.
    compare_layer<dense<7>, shape<3, 4, 5>>(3, 10, "odd");
    compare_layer<dense<2>, shape<16, 1, 1>>(1, 11, "odd");
    compare_layer<dropout<50>, shape<4, 3, 3>>(2, 12, "odd");
}

TEST_CASE("oneDNN layer gradients match finite differences", "[onednn][gradient]") {
    using namespace nn;
    using testing::check_layer_gradients;
    using B = backend::onednn;
    check_layer_gradients<conv2d<4, 3, 1, 1>, shape<3, 7, 6>, B>(2, mode::train, 1);
    check_layer_gradients<conv2d<5, 3, 2, padding{0, 1, 2, 0}>, shape<2, 8, 9>, B>(3, mode::train, 2);
    check_layer_gradients<conv2d<3, 5, 2, 1>, shape<3, 11, 11>, B>(1, mode::train, 3);
    check_layer_gradients<dense<7>, shape<3, 4, 5>, B>(3, mode::train, 4);
    check_layer_gradients<dense<2>, shape<16, 1, 1>, B>(5, mode::train, 5);
    check_layer_gradients<relu, shape<3, 5, 5>, B>(2, mode::train, 6, {.input_gap = 0.05f});
    check_layer_gradients<lrn<5, 2.0f, 0.3f, 0.75f>, shape<7, 3, 4>, B>(2, mode::train, 7);
    check_layer_gradients<lrn<3, 1.0f, 0.5f, 0.6f>, shape<4, 2, 2>, B>(2, mode::train, 8);
    check_layer_gradients<max_pool<3, 2>, shape<3, 9, 8>, B>(2, mode::train, 9, {.eps = 1e-3f});
    check_layer_gradients<max_pool<2, 2, padding{0, 1, 0, 1}, rounding::floor>, shape<2, 7, 7>, B>(2, mode::train, 10,
                                                                                                     {.eps = 1e-3f});
    check_layer_gradients<max_pool<3, 2, 1>, shape<2, 6, 6>, B>(2, mode::train, 11, {.eps = 1e-3f});
    check_layer_gradients<dropout<50>, shape<4, 3, 3>, B>(2, mode::train, 12);
}

TEST_CASE("conv2d_relu_forward is relu(conv2d_forward)", "[onednn][network]") {
    rng gen(21);
    const backend::window_geometry g{5, 9, 9, 3, 3, 1, 1, 1, 1, 9, 9};
    const host_tensor x = testing::random_tensor({2, 5, 9, 9}, gen), w = testing::random_tensor({6, 5, 3, 3}, gen),
                      b = testing::random_tensor({6, 1, 1, 1}, gen);
    host_tensor y, r;
    cpu::conv_state cs;
    cpu::conv2d_forward(x, w, b, g, y, cs);
    cpu::relu_forward(y, r);
    dnn::conv_state ds;
    dnn::tensor yd;
    dnn::conv2d_relu_forward(dnn::from_host(x), dnn::from_host(w), dnn::from_host(b), g, yd, ds);
    require_close(dnn::to_host(yd), r, "conv + relu");
}

TEST_CASE("a scaled VGG-M network matches the CPU network, fused, in forward, backward and training",
          "[onednn][network]") {
    using Net = models::vgg_m_scaled<3>;
    nn::network<Net, backend::cpu> a(7);
    nn::network<Net, backend::onednn> b(nn::uninitialized);
    copy_parameters(a, b);
    rng gen(8);
    const host_tensor x = testing::random_tensor({4, 3, 64, 64}, gen);
    const std::vector<int> labels{0, 1, 2, 1};
    train::sgd_nesterov opt_a(a, {.learning_rate = 1e-2f, .momentum = 0.9f, .l2 = 5e-3f});
    train::sgd_nesterov opt_b(b, {.learning_rate = 1e-2f, .momentum = 0.9f, .l2 = 5e-3f});
    const dnn::tensor xb = dnn::from_host(x);
    for (int step = 0; step < 3; ++step) {
        const std::string at = "step " + std::to_string(step);
        const host_tensor& la = a.forward(x, nn::mode::eval);
        const dnn::tensor& lb = b.forward(xb, nn::mode::eval);
        require_close(dnn::to_host(lb), la, at + " logits", 1e-3);
        host_tensor ga;
        dnn::tensor gb;
        const double loss_a = cpu::softmax_cross_entropy(la, labels, ga);
        const double loss_b = dnn::softmax_cross_entropy(lb, labels, gb);
        INFO(at << ": loss cpu " << loss_a << ", onednn " << loss_b);
        REQUIRE(std::abs(loss_a - loss_b) <= 1e-4 * std::max(1.0, std::abs(loss_a)));
        host_tensor dxa;
        dnn::tensor dxb;
        a.backward(ga, &dxa);
        b.backward(gb, &dxb);
        require_close(dnn::to_host(dxb), dxa, at + " input gradient", 1e-3);
        std::vector<host_tensor> grads;
        a.for_each_param([&](std::size_t, nn::param<backend::cpu>& p) { grads.push_back(p.grad); });
        std::size_t k = 0;
        b.for_each_param([&](std::size_t layer, nn::param<backend::onednn>& p) {
            require_close(dnn::to_host(p.grad), grads[k++], at + " layer " + std::to_string(layer) + " gradient", 1e-3);
        });
        opt_a.step();
        opt_b.step();
    }
    // The fused convolutions keep no output of their own; the ReLUs after them hold it.
    CHECK(dnn::dims(b.output<0>()) == dims4{0, 0, 0, 0});
    CHECK(dnn::dims(b.output<1>())[0] == 4);
}

namespace {

// Trains a scaled VGG-M on oneDNN for `steps` steps in training mode (dropout on) and returns
// every parameter on the host; counts the layout conversions of the last step.
template <class Net>
std::vector<host_tensor> train_steps(std::uint64_t seed, int steps, std::uint64_t* last_step_reorders = nullptr) {
    nn::network<Net, backend::onednn> net(seed);
    train::sgd_nesterov opt(net, {.learning_rate = 1e-2f, .momentum = 0.9f, .l2 = 5e-3f});
    rng gen(seed + 1);
    const host_tensor x = testing::random_tensor({4, 3, 64, 64}, gen);
    const std::vector<int> labels{0, 1, 1, 0};
    dnn::tensor xb, grad;
    for (int s = 0; s < steps; ++s) {
        const auto before = backend::onednn_detail::reorder_count().load();
        dnn::from_host(x, xb);
        const dnn::tensor& logits = net.forward(xb, nn::mode::train);
        dnn::softmax_cross_entropy(logits, labels, grad);
        net.backward(grad);
        opt.step();
        if (last_step_reorders) *last_step_reorders = backend::onednn_detail::reorder_count().load() - before;
    }
    std::vector<host_tensor> out;
    net.for_each_param([&](std::size_t, nn::param<backend::onednn>& p) { out.push_back(dnn::to_host(p.value)); });
    return out;
}

}  // namespace

TEST_CASE("the same seed trains bitwise identically; a warm step converts no layout", "[onednn][determinism]") {
    // VGG-M at 64x64 with half the channels: 48, 128 and 256, multiples of oneDNN's channel block
    // (16 with AVX-512, 8 with AVX2), as in the full nets. (With the default scaled net's 12
    // channels, conv2 takes a plain input and pool1's blocked output is converted every step.)
    using Net = models::vgg_m_t<2, 64, 2>;
    std::uint64_t reorders = 1;
    const auto first = train_steps<Net>(5, 4, &reorders);
    const auto second = train_steps<Net>(5, 4);
    REQUIRE(first.size() == second.size());
    for (std::size_t k = 0; k < first.size(); ++k) {
        INFO("parameter " << k);
        REQUIRE(std::equal(first[k].begin(), first[k].end(), second[k].begin()));
    }
    // Layouts are kept where oneDNN has blocked kernels for every layer (AVX2 and above); below that
    // (SSE4.1, the baseline CI stage's ONEDNN_MAX_CPU_ISA) some layers take plain inputs, and the
    // conversions are reported, not asserted.
    const auto isa = dnnl::get_effective_cpu_isa();
    const bool blocked_kernels = static_cast<int>(isa) >= static_cast<int>(dnnl::cpu_isa::avx2);
    INFO("layout conversions in the fourth step: " << reorders);
    if (blocked_kernels)
        CHECK(reorders == 0);
    else
        WARN("oneDNN's ISA is below AVX2: " << reorders << " layout conversions in a warm step (not asserted)");
    // And the run is not trivially constant: another seed gives other weights.
    const auto other = train_steps<Net>(6, 4);
    CHECK_FALSE(std::equal(first[0].begin(), first[0].end(), other[0].begin()));
}

TEST_CASE("oneDNN's failures name the primitive and its status", "[onednn][errors]") {
    // A geometry that no convolution has: stride 0.
    const backend::window_geometry g{3, 8, 8, 3, 3, 0, 0, 0, 0, 6, 6};
    dnn::conv_state s;
    dnn::tensor y;
    const dnn::tensor x = dnn::from_host(host_tensor({1, 3, 8, 8}, 1.0f)), w = dnn::from_host(host_tensor({4, 3, 3, 3}, 0.5f)),
                      b = dnn::from_host(host_tensor({4, 1, 1, 1}, 0.0f));
    REQUIRE_THROWS_AS(dnn::conv2d_forward(x, w, b, g, y, s), backend_error);
    REQUIRE_THROWS_WITH(dnn::conv2d_forward(x, w, b, g, y, s),
                        Contains("onednn convolution forward") && Contains("kernel 3x3") && Contains("4 filters") &&
                            Contains("invalid_arguments"));
}

TEST_CASE("the layout is not part of the value: to_host after relayout, copies, fill", "[onednn][tensor]") {
    rng gen(3);
    const host_tensor h = testing::random_tensor({2, 20, 5, 5}, gen);
    dnn::tensor t = dnn::from_host(h);
    t.relayout(dnnl::memory::desc({2, 20, 5, 5}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c));
    REQUIRE_FALSE(t.plain());
    const host_tensor back = dnn::to_host(t);
    REQUIRE(std::equal(back.begin(), back.end(), h.begin()));
    dnn::tensor c;
    dnn::copy(t, c);
    const host_tensor cb = dnn::to_host(c);
    REQUIRE(std::equal(cb.begin(), cb.end(), h.begin()));
    dnn::fill(t, 2.5f);
    const host_tensor f = dnn::to_host(t);
    REQUIRE(std::all_of(f.begin(), f.end(), [](float v) { return v == 2.5f; }));
    REQUIRE(dnn::first_non_finite(t) == -1);
    host_tensor bad = h;
    bad.data()[137] = std::numeric_limits<float>::quiet_NaN();
    dnn::tensor tb = dnn::from_host(bad);
    tb.relayout(dnnl::memory::desc({2, 20, 5, 5}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c));
    REQUIRE(dnn::first_non_finite(tb) == 137);
}

// ---------------------------------------------------------------------------------------------
// bf16 numerics (issue 28; backend/precision.hpp, docs/performance.md "bf16").
//
// [bf16] Per layer, bf16 against the float32 CPU reference within a bound derived from bf16's
// 8-bit significand, not fitted to the results. With u = 2^-8 (one rounding to bf16 is relative
// error <= u), a convolution or inner product output y_i = sum_k a_k b_k computed from bf16-rounded
// a and b with float32 accumulation over K terms satisfies
//     |y_i - y_ref,i| <= (2u + u^2 + K 2^-24) M_i  (+ u |y_ref,i| when y is stored in bf16),
// where M_i = sum_k |a_k| |b_k| is the same layer computed on the absolute values (the reference
// backend on |x|, |w|, |dy|): the K factor is the reduction length's float32 summation error.
// The same holds for dx (a = w, b = dy) and dw (a = x, b = dy; float32 output). Max pooling of bf16
// values is exact. The tests also require a non-zero error, so a layer that silently computed in
// float32 fails. Below avx512_core (CI's baseline stage, ONEDNN_MAX_CPU_ISA=SSE41) oneDNN has no
// bf16 primitives: there the tests check that bf16 is refused with that reason.
namespace {

using testing::abs_of;  // support/bf16_bound.hpp
using testing::bf16_numerics;
using testing::require_bf16_bound;
using testing::u_bf16;
using testing::u_f32;

// The bf16-rounded values of h (oneDNN's own f32 -> bf16 -> f32 round trip).
host_tensor rounded_to_bf16(const host_tensor& h) {
    dnn::tensor t = dnn::from_host(h);
    t.relayout(backend::onednn_detail::with_type(t.desc(), dnnl::memory::data_type::bf16));
    return dnn::to_host(t);
}


// One convolution or dense layer L on input In, batch `batch`: oneDNN in bf16 vs the CPU reference.
template <class L, class In>
void compare_layer_bf16(std::size_t batch, std::uint64_t seed, const std::string& where) {
    using cpu_impl = typename L::template impl<In, backend::cpu>;
    using dnn_impl = typename L::template impl<In, backend::onednn>;
    using Out = typename L::template output_shape<In>;
    std::size_t k = 0;  // the longest reduction of forward, backward-data and backward-weights
    if constexpr (L::kind == "conv2d")
        k = std::max({In::channels * L::kernel * L::kernel, L::out_channels * L::kernel * L::kernel,
                      batch * Out::height * Out::width});
    else
        k = std::max({In::size, Out::channels, batch});
    const double factor = 2 * u_bf16 + u_bf16 * u_bf16 + double(k) * u_f32;
    rng gen(seed);
    cpu_impl ref, mag;
    dnn_impl b;
    b.state.precision = backend::precision_kind::bf16;
    auto pr = ref.params();
    auto pm = mag.params();
    auto pb = b.params();
    for (std::size_t i = 0; i < pr.size(); ++i) {
        const host_tensor v = testing::random_tensor(cpu::dims(pr[i].value), gen, 0.1f);
        pr[i].value = v;
        pm[i].value = abs_of(v);
        pb[i].value = dnn::from_host(v);
    }
    const host_tensor x = testing::random_tensor({batch, In::channels, In::height, In::width}, gen);
    nn::forward_context ctx{nn::mode::eval, &gen};
    host_tensor y_ref, y_mag;
    ref.forward(x, y_ref, ctx);
    mag.forward(abs_of(x), y_mag, ctx);
    dnn::tensor xb = dnn::from_host(x), yb;
    b.forward(xb, yb, ctx);
    const std::string name = where + " " + L::describe();
    require_bf16_bound(dnn::to_host(yb), y_ref, y_mag, factor, yb.bf16(), name + " forward");
    const host_tensor dy = testing::random_tensor(dims_of(y_ref), gen);
    host_tensor dx_ref, dx_mag;
    ref.backward(x, y_ref, dy, &dx_ref);
    mag.backward(abs_of(x), y_mag, abs_of(dy), &dx_mag);
    dnn::tensor dxb;
    b.backward(xb, yb, dnn::from_host(dy), &dxb);
    require_bf16_bound(dnn::to_host(dxb), dx_ref, dx_mag, factor, dxb.bf16(), name + " backward dx");
    for (std::size_t i = 0; i < pr.size(); ++i) {
        CHECK_FALSE(pb[i].grad.bf16());  // weight and bias gradients are float32
        require_bf16_bound(dnn::to_host(pb[i].grad), pr[i].grad, pm[i].grad, factor, false,
                           name + " backward d" + std::string(nn::role_name(pr[i].role)));
    }
}

template <class Net>
void compare_weighted_layers_bf16(std::size_t batch, const std::string& net_name) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_at<I>;
                if constexpr (L::kind == "conv2d" || L::kind == "dense")
                    compare_layer_bf16<L, typename Net::template input_of<I>>(batch, 300 + I,
                                                                               net_name + " layer " + std::to_string(I));
            }(),
            ...);
    }(std::make_index_sequence<Net::depth>{});
}

// Whether oneDNN has bf16 here; when it has not, checks the refusal and says why the test stops.
bool bf16_available() {
    if (backend::onednn_detail::has_bf16()) return true;
    REQUIRE_THROWS_AS(dnn::check_numerics(bf16_numerics), config_error);
    REQUIRE_THROWS_WITH(dnn::check_numerics(bf16_numerics), Contains("avx512_core") && Contains("bf16"));
    nn::network<models::vgg_m_scaled<2>, backend::onednn> net(1);
    REQUIRE_THROWS_WITH(net.set_numerics(bf16_numerics), Contains("avx512_core"));
    WARN("oneDNN's ISA here is '" << backend::onednn_detail::effective_isa_name()
                                  << "', below avx512_core: bf16 is refused (checked), its kernels not tested");
    return false;
}

}  // namespace

TEST_CASE("bf16: every convolution and inner product is within the bf16 bound of float32", "[onednn][bf16]") {
    if (!bf16_available()) return;
    INFO("oneDNN ISA: " << backend::onednn_detail::effective_isa_name());
    compare_weighted_layers_bf16<models::vgg_m_scaled<3>>(3, "scaled VGG-M");
    compare_weighted_layers_bf16<models::vgg_m_t<2, 64, 2>>(2, "VGG-M/2 at 64");
}

TEST_CASE("bf16: max pooling of bf16 activations is exact, its gradient and LRN within one bf16 rounding",
          "[onednn][bf16]") {
    if (!bf16_available()) return;
    using In = dermtl::shape<48, 13, 13>;
    rng gen(21);
    const host_tensor x = rounded_to_bf16(testing::random_tensor({2, 48, 13, 13}, gen));
    auto bf16_input = [&] {
        dnn::tensor t = dnn::from_host(x);
        t.relayout(backend::onednn_detail::with_type(
            dnnl::memory::desc({2, 48, 13, 13}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c),
            dnnl::memory::data_type::bf16));
        return t;
    };
    {
        using L = nn::max_pool<3, 2>;
        typename L::template impl<In, backend::cpu> ref;
        typename L::template impl<In, backend::onednn> b;
        nn::forward_context ctx{nn::mode::eval, &gen};
        host_tensor y_ref;
        ref.forward(x, y_ref, ctx);
        const dnn::tensor xb = bf16_input();
        dnn::tensor yb;
        b.forward(xb, yb, ctx);
        CHECK(yb.bf16());
        const host_tensor y = dnn::to_host(yb);
        CHECK(std::equal(y.begin(), y.end(), y_ref.begin()));
        const host_tensor dy = rounded_to_bf16(testing::random_tensor(dims_of(y_ref), gen));
        host_tensor dx_ref, dx_mag;
        ref.backward(x, y_ref, dy, &dx_ref);
        ref.backward(x, y_ref, abs_of(dy), &dx_mag);
        dnn::tensor dxb;
        b.backward(xb, yb, dnn::from_host(dy), &dxb);
        CHECK(dxb.bf16());
        // An input in up to 4 overlapping 3x3/2 windows sums up to 4 gradients; summed in bf16 that
        // is up to 3 roundings of partial sums, each at most u of the sum of |contributions|.
        const host_tensor dx = dnn::to_host(dxb);
        for (std::size_t i = 0; i < dx.size(); ++i)
            REQUIRE(std::abs(double(dx.data()[i]) - double(dx_ref.data()[i])) <= 3 * u_bf16 * double(dx_mag.data()[i]));
    }
    {
        using L = nn::lrn<5>;
        typename L::template impl<In, backend::cpu> ref;
        typename L::template impl<In, backend::onednn> b;
        nn::forward_context ctx{nn::mode::eval, &gen};
        host_tensor y_ref;
        ref.forward(x, y_ref, ctx);
        const dnn::tensor xb = bf16_input();
        dnn::tensor yb;
        b.forward(xb, yb, ctx);
        CHECK(yb.bf16());
        // The output's rounding (u |y|), plus float32 arithmetic inside (1e-5 of the largest).
        const host_tensor y = dnn::to_host(yb);
        double worst_ratio = 0;
        for (std::size_t i = 0; i < y.size(); ++i)
            worst_ratio = std::max(worst_ratio, std::abs(double(y.data()[i]) - double(y_ref.data()[i])) /
                                                    (u_bf16 * std::abs(double(y_ref.data()[i])) + 1e-5 * max_abs(y_ref)));
        INFO("LRN: largest error / bound = " << worst_ratio);
        CHECK(worst_ratio <= 1.0);
    }
}

TEST_CASE("bf16: the same seed trains bitwise identically; a warm step relayouts nothing and casts only what bf16 "
          "needs", "[onednn][bf16][determinism]") {
    if (!bf16_available()) return;
    using Net = models::vgg_m_t<2, 64, 2>;
    auto run = [](std::uint64_t seed, std::uint64_t* reorders, std::uint64_t* casts) {
        nn::network<Net, backend::onednn> net(seed);
        net.set_numerics(bf16_numerics);
        train::sgd_nesterov opt(net, {.learning_rate = 1e-2f, .momentum = 0.9f, .l2 = 5e-3f});
        rng gen(seed + 1);
        const host_tensor x = testing::random_tensor({4, 3, 64, 64}, gen);
        const std::vector<int> labels{0, 1, 1, 0};
        dnn::tensor xb, grad;
        for (int s = 0; s < 4; ++s) {
            const auto r0 = backend::onednn_detail::reorder_count().load();
            const auto c0 = backend::onednn_detail::cast_count().load();
            dnn::from_host(x, xb);
            const dnn::tensor& logits = net.forward(xb, nn::mode::train);
            CHECK_FALSE(logits.bf16());  // the loss reads float32 logits
            dnn::softmax_cross_entropy(logits, labels, grad);
            net.backward(grad);
            opt.step();
            if (reorders) *reorders = backend::onednn_detail::reorder_count().load() - r0;
            if (casts) *casts = backend::onednn_detail::cast_count().load() - c0;
        }
        CHECK(net.layer<0>().state.precision == backend::precision_kind::bf16);
        std::vector<host_tensor> out = io::parameters_to_host(net);
        return out;
    };
    std::uint64_t reorders = 1, casts = 0;
    const auto first = run(5, &reorders, &casts);
    const auto second = run(5, nullptr, nullptr);
    REQUIRE(first.size() == second.size());
    for (std::size_t k = 0; k < first.size(); ++k) {
        INFO("parameter " << k);
        REQUIRE(std::equal(first[k].begin(), first[k].end(), second[k].begin()));
    }
    // What bf16 needs in a warm step, from the layer list (5 convolutions, 3 inner products): each
    // layer casts its master weights once (backward-data's layout may need a second cast of a
    // convolution's); the image is cast once; an inner product with a float32 input (fc7, fc8) casts
    // it, and each inner product casts its float32 output gradient.
    constexpr std::uint64_t convs = 5, denses = 3;
    INFO("relayouts " << reorders << ", casts " << casts << " in the fourth step");
    CHECK(reorders == 0);
    CHECK(casts >= convs + denses);
    CHECK(casts <= 2 * convs + 1 + 3 * denses);
    // And not trivially constant: another seed gives other weights.
    const auto other = run(6, nullptr, nullptr);
    CHECK_FALSE(std::equal(first[0].begin(), first[0].end(), other[0].begin()));
}

TEST_CASE("bf16: features for the classifier and the master weights stay float32; a bf16 network trains close to "
          "float32", "[onednn][bf16]") {
    if (!bf16_available()) return;
    using Net = models::vgg_m_scaled<2>;
    nn::network<Net, backend::onednn> a(9), b(9);
    b.set_numerics(bf16_numerics);
    CHECK(b.numerics().str() == "bf16");
    rng gen(10);
    const dnn::tensor x = dnn::from_host(testing::random_tensor({2, 3, 64, 64}, gen));
    const dnn::tensor& fa = a.features<"fc7">(x);
    const host_tensor ha = dnn::to_host(fa);
    const dnn::tensor& fb = b.features<"fc7">(x);
    CHECK_FALSE(fb.bf16());
    const host_tensor hb = dnn::to_host(fb);
    // Six layers of bf16 rounding between the image and fc7: a loose end-to-end check (the
    // per-layer bound above is the strict one): within 5% of the largest feature.
    require_close(hb, ha, "fc7 features, bf16 vs float32", 0.05);
    b.for_each_param([](std::size_t, nn::param<backend::onednn>& p) { CHECK_FALSE(p.value.bf16()); });
    // CPU numerics are refused on the reference backend, naming where bf16 is.
    nn::network<Net, backend::cpu> c(1);
    REQUIRE_THROWS_WITH(c.set_numerics(bf16_numerics), Contains("float32 only") && Contains("onednn"));
    REQUIRE_THROWS_WITH(b.set_numerics({backend::precision_kind::tf32, false}), Contains("CUDA"));
}
