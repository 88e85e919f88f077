// CUDA backend tests: the operations (test_cuda_network.cpp: networks; cuda_test_support.hpp: what both share).
//
// [.no_device] (hidden; ctest runs it alone with CUDA_VISIBLE_DEVICES=-1, so it also runs on GPU
//   machines): the first use of backend::cuda throws the clear "no CUDA device" error.
// [gpu]: every operation against the CPU backend, a scaled VGG-M training against the CPU's loss
//   curve, determinism mode, out-of-memory messages, TF32 opt-in. ctest runs them through
//   cuda_device_probe: skipped (exit 77) where there is no NVIDIA driver, failed where a driver is
//   there but cannot serve the build (too old, no device). Run directly, each test applies the same
//   rule (DERMTL_REQUIRE_GPU_OR_SKIP). The host-side rules are in test_cuda_host.cpp (every build).
//
// Tolerance (stated once, used everywhere unless a test says otherwise): float32 results may differ
// by summation order, so |gpu - cpu| <= 1e-4 * max(1, max |cpu|) per tensor, elementwise.
#include <catch2/catch.hpp>
#include "cuda_test_support.hpp"
#include "support/bf16_bound.hpp"

TEST_CASE("backend::cuda without a device throws 'no CUDA device' at first use", "[.no_device][cuda]") {
    // Hide every GPU before the CUDA runtime starts (ctest also sets this in the environment).
    ::setenv("CUDA_VISIBLE_DEVICES", "-1", 1);
    gpu::tensor empty;  // constructing an empty tensor touches no device
    CHECK(gpu::dims(empty) == dims4{0, 0, 0, 0});
    REQUIRE_THROWS_MATCHES(gpu::from_host(host_tensor(dims4{2, 3, 4, 4})), backend_error,
                           Catch::Matchers::Predicate<backend_error>([](const backend_error& e) {
                               const std::string m = e.what();
                               return m.find("no CUDA device") != std::string::npos &&
                                      m.find("cudaGetDeviceCount") != std::string::npos &&
                                      m.find("backend::cpu") != std::string::npos;
                           }, "names the missing device, the failed call and the CPU alternative"));
    // The same from a network (the first use is its constructor) -- and again: the check repeats.
    using net_t = nn::network<models::vgg_m_scaled<2>, backend::cuda>;
    REQUIRE_THROWS_WITH(net_t(1), Contains("backend::cuda: no CUDA device"));
    REQUIRE_THROWS_WITH(net_t(1), Contains("backend::cuda: no CUDA device"));
    // Numerics (cuda/numerics.hpp): float32, tf32 and deterministic are taken without looking for a
    // device; bf16 asks the device for its compute capability, so it fails the same way.
    CHECK_NOTHROW(gpu::check_numerics({}));
    CHECK_NOTHROW(gpu::check_numerics({backend::precision_kind::tf32, true}));
    REQUIRE_THROWS_WITH(gpu::check_numerics({backend::precision_kind::bf16, false}),
                        Contains("backend::cuda: no CUDA device"));
}

TEST_CASE("cuda tensors: host round trip, copy, fill, reshape reuses memory", "[gpu][cuda]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    rng gen(1);
    const host_tensor h = random_tensor({3, 4, 5, 6}, gen);
    gpu::tensor t = gpu::from_host(h);
    CHECK(gpu::dims(t) == dims4{3, 4, 5, 6});
    require_close(host(t), h, "round trip", 0.0);
    gpu::tensor u;
    gpu::copy(t, u);
    require_close(host(u), h, "copy", 0.0);
    gpu::tensor reused(dims4{3, 4, 5, 6});
    const float* reused_memory = reused.data();
    gpu::from_host(h, reused);  // the backend-generic upload into an existing tensor
    CHECK(reused.data() == reused_memory);
    host_tensor back;
    gpu::to_host(reused, back);
    require_close(back, h, "upload into an existing tensor", 0.0);
    gpu::tensor copied = t;  // deep copy
    gpu::fill(t, 2.5f);
    require_close(host(copied), h, "copy constructor is deep", 0.0);
    for (float v : host(t)) REQUIRE(v == 2.5f);
    const float* before = t.data();
    gpu::reshape(t, {2, 4, 5, 6});  // smaller: same memory
    CHECK(t.data() == before);
    gpu::reshape(t, {3, 4, 5, 6});
    CHECK(t.data() == before);
}

TEST_CASE("cuda first_non_finite finds the first NaN/Inf", "[gpu][cuda]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    host_tensor h(dims4{2, 3, 10, 10}, 1.0f);
    CHECK(gpu::first_non_finite(gpu::from_host(h)) == -1);
    h.data()[456] = std::numeric_limits<float>::infinity();
    h.data()[123] = std::numeric_limits<float>::quiet_NaN();
    CHECK(gpu::first_non_finite(gpu::from_host(h)) == 123);
    CHECK(gpu::first_non_finite(gpu::from_host(h)) == cpu::first_non_finite(h));
}

namespace {
// A convolution case: input channels x height x width, output channels, square kernel, stride, padding.
struct conv_case {
    const char* name;
    std::size_t c, h, w, out_c, k, s;
    padding p;
};
}  // namespace

TEST_CASE("cuda conv2d matches the CPU (symmetric and asymmetric padding)", "[gpu][cuda][conv2d]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    const conv_case cases[] = {
        {"VGG-M conv1-like, stride 2, no padding", 3, 31, 29, 8, 7, 2, padding{}},
        {"symmetric padding 1", 6, 13, 13, 10, 3, 1, padding{1}},
        {"VGG-M conv2-like, stride 2, pad 1", 5, 14, 14, 7, 5, 2, padding{1}},
        {"asymmetric: extra bottom/right", 4, 10, 11, 6, 3, 2, padding{0, 1, 0, 1}},
        {"asymmetric: top/left only, stride 1", 4, 10, 10, 5, 3, 1, padding{1, 0, 1, 0}},
        {"asymmetric: top/left only, last input row and column in no window", 4, 11, 11, 5, 3, 2, padding{1, 0, 1, 0}},
        {"bias gradient over several reduction chunks (3 x 62 x 62 per channel)", 3, 64, 64, 4, 3, 1, padding{}},
    };
    for (const auto& cc : cases) {
        SECTION(cc.name) {
            rng gen(7);
            const auto [gc, gg] = make_geometry(cc.c, cc.h, cc.w, cc.k, cc.s, cc.p, rounding::floor);
            const host_tensor x = random_tensor({3, cc.c, cc.h, cc.w}, gen);
            const host_tensor w = random_tensor({cc.out_c, cc.c, cc.k, cc.k}, gen, 0.2f);
            const host_tensor b = random_tensor({cc.out_c, 1, 1, 1}, gen);
            host_tensor y, dw(dims_of(w)), db(dims_of(b)), dx;
            cpu::conv_state sc;
            cpu::conv2d_forward(x, w, b, gc, y, sc);
            const host_tensor dy = random_tensor(dims_of(y), gen);
            cpu::conv2d_backward(x, w, dy, gc, sc, dw, db, &dx);

            const gpu::tensor xg = gpu::from_host(x), wg = gpu::from_host(w), bg = gpu::from_host(b),
                              dyg = gpu::from_host(dy);
            gpu::tensor yg, dwg(dims_of(w)), dbg(dims_of(b)), dxg;
            gpu::conv_state sg;  // per layer: this "layer"'s plans
            gpu::conv2d_forward(xg, wg, bg, gg, yg, sg);
            require_close(host(yg), y, "conv2d y");
            gpu::conv2d_backward(xg, wg, dyg, gg, sg, dwg, dbg, &dxg);
            require_close(host(dwg), dw, "conv2d dw");
            require_close(host(dbg), db, "conv2d db");
            require_close(host(dxg), dx, "conv2d dx");
            // dx not requested: parameter gradients still overwritten, not accumulated.
            gpu::conv2d_backward(xg, wg, dyg, gg, sg, dwg, dbg, nullptr);
            require_close(host(dwg), dw, "conv2d dw (second call overwrites)");
            CHECK(sg.plans.size() == 1);
            // A second layer of the same shapes has its own plan; a new batch size adds one to the layer's.
            gpu::conv_state other;
            gpu::tensor y_other;
            gpu::conv2d_forward(xg, wg, bg, gg, y_other, other);
            require_close(host(y_other), y, "conv2d y (second layer's state)");
            CHECK(other.plans.size() == 1);
            const host_tensor x1 = random_tensor({1, cc.c, cc.h, cc.w}, gen);
            host_tensor y1;
            cpu::conv2d_forward(x1, w, b, gc, y1, sc);
            gpu::conv2d_forward(gpu::from_host(x1), wg, bg, gg, y_other, sg);
            require_close(host(y_other), y1, "conv2d y (batch of 1)");
            CHECK(sg.plans.size() == 2);
        }
    }
}

TEST_CASE("cuda dense matches the CPU", "[gpu][cuda][dense]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    rng gen(3);
    const host_tensor x = random_tensor({5, 4, 3, 3}, gen);  // flattened to 36 features
    const host_tensor w = random_tensor({17, 36, 1, 1}, gen, 0.3f);
    const host_tensor b = random_tensor({17, 1, 1, 1}, gen);
    host_tensor y, dw(dims_of(w)), db(dims_of(b)), dx;
    cpu::dense_state sc;
    cpu::dense_forward(x, w, b, y, sc);
    const host_tensor dy = random_tensor(dims_of(y), gen);
    cpu::dense_backward(x, w, dy, sc, dw, db, &dx);
    const gpu::tensor xg = gpu::from_host(x), wg = gpu::from_host(w), bg = gpu::from_host(b), dyg = gpu::from_host(dy);
    gpu::tensor yg, dwg(dims_of(w)), dbg(dims_of(b)), dxg;
    gpu::dense_state sg;
    gpu::dense_forward(xg, wg, bg, yg, sg);
    gpu::dense_backward(xg, wg, dyg, sg, dwg, dbg, &dxg);
    require_close(host(yg), y, "dense y");
    require_close(host(dwg), dw, "dense dw");
    require_close(host(dbg), db, "dense db");
    require_close(host(dxg), dx, "dense dx");
}

TEST_CASE("cuda max_pool matches the CPU (ceil rounding, padding)", "[gpu][cuda][max_pool]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    struct pool_case {
        const char* name;
        std::size_t h, k, s;
        padding p;
    };
    const pool_case cases[] = {
        {"VGG-16 2x2 stride 2 (direct)", 8, 2, 2, padding{}},
        {"VGG-M pool5 3x3/2 on 13 (direct)", 13, 3, 2, padding{}},
        {"VGG-M pool2 3x3/2 on 26, ceil keeps a partial window (padded buffer)", 26, 3, 2, padding{}},
        {"padding 1 all round", 9, 3, 2, padding{1}},
        {"asymmetric padding", 10, 3, 2, padding{0, 1, 1, 0}},
    };
    for (const auto& pc : cases) {
        SECTION(pc.name) {
            rng gen(11);
            const auto [gc, gg] = make_geometry(3, pc.h, pc.h, pc.k, pc.s, pc.p, rounding::ceil);
            const host_tensor x = random_tensor({2, 3, pc.h, pc.h}, gen);
            host_tensor y, dx;
            cpu::pool_state sc;
            cpu::max_pool_forward(x, gc, y, sc);
            const host_tensor dy = random_tensor(dims_of(y), gen);
            cpu::max_pool_backward(x, y, dy, gc, sc, dx);
            const gpu::tensor xg = gpu::from_host(x), dyg = gpu::from_host(dy);
            gpu::tensor yg, dxg;
            gpu::pool_state sg;
            gpu::max_pool_forward(xg, gg, yg, sg);
            gpu::max_pool_backward(xg, yg, dyg, gg, sg, dxg);
            require_close(host(yg), y, "max_pool y", 0.0);
            require_close(host(dxg), dx, "max_pool dx", 1e-6);
        }
    }
}

TEST_CASE("cuda lrn matches the CPU's MatConvNet convention", "[gpu][cuda][lrn]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    rng gen(5);
    // VGG-M's [5 2 1e-4 0.75] with activations large enough that alpha matters.
    const cpu::lrn_params pc{5, 2.0f, 1e-4f, 0.75f};
    const gpu::lrn_params pg{5, 2.0f, 1e-4f, 0.75f};
    const host_tensor x = random_tensor({2, 9, 5, 4}, gen, 60.0f);
    host_tensor y, dx;
    cpu::lrn_state sc;
    cpu::lrn_forward(x, pc, y, sc);
    const host_tensor dy = random_tensor(dims_of(y), gen);
    cpu::lrn_backward(x, y, dy, pc, sc, dx);
    const gpu::tensor xg = gpu::from_host(x), dyg = gpu::from_host(dy);
    gpu::tensor yg, dxg;
    gpu::lrn_state sg;
    gpu::lrn_forward(xg, pg, yg, sg);
    gpu::lrn_backward(xg, yg, dyg, pg, sg, dxg);
    require_close(host(yg), y, "lrn y");
    require_close(host(dxg), dx, "lrn dx");
}

TEST_CASE("cuda relu, softmax and the loss match the CPU", "[gpu][cuda][pointwise]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    rng gen(9);
    const host_tensor x = random_tensor({4, 3, 5, 5}, gen);
    host_tensor y, dx;
    cpu::relu_forward(x, y);
    const host_tensor dy = random_tensor(dims_of(y), gen);
    cpu::relu_backward(x, y, dy, dx);
    gpu::tensor yg, dxg;
    const gpu::tensor xg = gpu::from_host(x), dyg = gpu::from_host(dy);
    gpu::relu_forward(xg, yg);
    gpu::relu_backward(xg, yg, dyg, dxg);
    require_close(host(yg), y, "relu y", 0.0);
    require_close(host(dxg), dx, "relu dx", 0.0);

    const host_tensor logits = random_tensor({6, 5, 1, 1}, gen, 4.0f);
    const std::vector<int> labels{0, 4, 2, 2, 1, 3};
    host_tensor probs, dlogits;
    cpu::softmax(logits, probs);
    const double loss = cpu::softmax_cross_entropy(logits, labels, dlogits);
    const gpu::tensor lg = gpu::from_host(logits);
    gpu::tensor pg, dlg;
    gpu::softmax(lg, pg);
    const double loss_g = gpu::softmax_cross_entropy(lg, labels, dlg);
    require_close(host(pg), probs, "softmax", 1e-6);
    require_close(host(dlg), dlogits, "d loss / d logits", 1e-6);
    CHECK(std::abs(loss_g - loss) <= 1e-9 * std::max(1.0, loss));
    const std::vector<int> bad{0, 5, 2, 2, 1, 3};
    CHECK_THROWS_AS(gpu::softmax_cross_entropy(lg, bad, dlg), config_error);
    CHECK_THROWS_AS(gpu::softmax_cross_entropy(lg, std::vector<int>{0, 1}, dlg), shape_error);
}

TEST_CASE("cuda dropout draws the CPU's mask from the same seed", "[gpu][cuda][dropout]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    rng gen(2);
    const host_tensor x = random_tensor({4, 64, 1, 1}, gen);
    const host_tensor dy = random_tensor({4, 64, 1, 1}, gen);
    rng a(42), b(42);
    host_tensor y, dx, mask;
    cpu::dropout_state sc;
    cpu::dropout_forward(x, 0.5f, true, a, sc, y);
    cpu::dropout_backward(dy, 0.5f, true, sc, dx);
    gpu::tensor yg, dxg;
    gpu::dropout_state sg;
    const gpu::tensor xg = gpu::from_host(x), dyg = gpu::from_host(dy);
    gpu::dropout_forward(xg, 0.5f, true, b, sg, yg);
    gpu::dropout_backward(dyg, 0.5f, true, sg, dxg);
    require_close(host(yg), y, "dropout y", 0.0);
    require_close(host(dxg), dx, "dropout dx", 0.0);
    CHECK(a == b);  // the generators advanced identically
    gpu::dropout_forward(xg, 0.5f, false, b, sg, yg);  // evaluation: identity
    require_close(host(yg), x, "dropout in eval", 0.0);
}

TEST_CASE("cuda fused Nesterov SGD matches the CPU", "[gpu][cuda][sgd]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    rng gen(4);
    host_tensor w = random_tensor({10, 7, 1, 1}, gen), v = random_tensor({10, 7, 1, 1}, gen);
    const host_tensor g = random_tensor({10, 7, 1, 1}, gen);
    gpu::tensor wg = gpu::from_host(w), vg = gpu::from_host(v);
    const gpu::tensor gg = gpu::from_host(g);
    cpu::sgd_nesterov_update(w, g, v, 1e-2f, 0.9f, 5e-3f);
    gpu::sgd_nesterov_update(wg, gg, vg, 1e-2f, 0.9f, 5e-3f);
    require_close(host(wg), w, "w", 1e-6);
    require_close(host(vg), v, "v", 1e-6);
}

// ---------------------------------------------------------------------------------------------
// [bf16] (issue 28; cuda/numerics.hpp). Each convolution and dense layer in bf16 against the CPU
// backend's float32, within the bound of test_onednn.cpp's [bf16] tests, derived from bf16's 8-bit
// significand (u = 2^-8), not fitted: an output y_i = sum_k a_k b_k from bf16-rounded a and b with
// float32 accumulation over K terms is within (2u + u^2 + K 2^-24) M_i of float32's, M_i being the
// layer computed on absolute values. A convolution's outputs (y before the bias, dx, dw) also come
// out of cuDNN in bf16, one more rounding of at most u M_i (with its second-order terms: 3u + 3u^2
// in all, so the checks pass stored_bf16 = false: the factor holds it); a dense layer's come out of
// cuBLAS in float32. Bias gradients are float32 sums of the
// float32 dy (the float32 tolerance). Each check also requires a non-zero error, so a layer that
// silently computed in float32 fails. On a GPU below compute capability 8.0 they check the refusal.
namespace {

using testing::abs_of;  // support/bf16_bound.hpp
using testing::bf16_numerics;
using testing::require_bf16_bound;
using testing::u_bf16;
using testing::u_f32;

// Whether this GPU computes in bf16; below compute capability 8.0, checks the refusal instead.
bool gpu_has_bf16() {
    const auto& ctx = backend::cuda_detail::context::get();
    if (ctx.major() >= backend::cuda_detail::bf16_min_major) return true;
    REQUIRE_THROWS_AS(gpu::check_numerics(bf16_numerics), config_error);
    REQUIRE_THROWS_WITH(gpu::check_numerics(bf16_numerics), Contains("compute capability"));
    WARN(ctx.device_name() << " has compute capability " << ctx.major() << "." << ctx.minor()
                           << ": bf16 is refused (checked), its kernels not tested");
    return false;
}

}  // namespace

TEST_CASE("bf16: cuda conv2d within the bf16 bound of the CPU's float32", "[gpu][cuda][bf16]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    if (!gpu_has_bf16()) return;
    gpu::check_numerics(bf16_numerics);  // taken here
    const conv_case cases[] = {
        {"VGG-M conv1-like, stride 2, no padding", 3, 31, 29, 8, 7, 2, padding{}},
        {"symmetric padding 1", 16, 13, 13, 24, 3, 1, padding{1}},
        {"asymmetric: extra bottom/right (explicitly padded copy)", 8, 10, 11, 16, 3, 2, padding{0, 1, 0, 1}},
    };
    for (const auto& cc : cases) {
        SECTION(cc.name) {
            rng gen(11);
            const std::size_t batch = 3;
            const auto [gc, gg] = make_geometry(cc.c, cc.h, cc.w, cc.k, cc.s, cc.p, rounding::floor);
            const host_tensor x = random_tensor({batch, cc.c, cc.h, cc.w}, gen);
            const host_tensor w = random_tensor({cc.out_c, cc.c, cc.k, cc.k}, gen, 0.2f);
            const host_tensor b = random_tensor({cc.out_c, 1, 1, 1}, gen);
            host_tensor y, dw(dims_of(w)), db(dims_of(b)), dx, y_mag, dw_mag(dims_of(w)), db_mag(dims_of(b)), dx_mag;
            cpu::conv_state sc, sm;
            cpu::conv2d_forward(x, w, b, gc, y, sc);
            cpu::conv2d_forward(abs_of(x), abs_of(w), abs_of(b), gc, y_mag, sm);
            const host_tensor dy = random_tensor(dims_of(y), gen);
            cpu::conv2d_backward(x, w, dy, gc, sc, dw, db, &dx);
            cpu::conv2d_backward(abs_of(x), abs_of(w), abs_of(dy), gc, sm, dw_mag, db_mag, &dx_mag);
            const std::size_t k = std::max({cc.c * cc.k * cc.k, cc.out_c * cc.k * cc.k, batch * gc.out_h * gc.out_w});
            const double factor = 3 * u_bf16 + 3 * u_bf16 * u_bf16 + double(k) * u_f32;

            const gpu::tensor xg = gpu::from_host(x), wg = gpu::from_host(w), bg = gpu::from_host(b),
                              dyg = gpu::from_host(dy);
            gpu::tensor yg, dwg(dims_of(w)), dbg(dims_of(b)), dxg;
            gpu::conv_state sg;
            gpu::conv2d_forward(xg, wg, bg, gg, yg, sg);  // float32 first: its plan
            require_close(host(yg), y, "conv2d y (float32)");
            sg.precision = backend::precision_kind::bf16;  // what network::set_numerics does
            gpu::conv2d_forward(xg, wg, bg, gg, yg, sg);
            CHECK(sg.plans.size() == 2);  // a plan of its own: no float32 descriptor or choice reused
            require_bf16_bound(host(yg), y, y_mag, factor, false, std::string(cc.name) + ": y");
            gpu::conv2d_backward(xg, wg, dyg, gg, sg, dwg, dbg, &dxg);
            require_bf16_bound(host(dwg), dw, dw_mag, factor, false, std::string(cc.name) + ": dw");
            require_bf16_bound(host(dxg), dx, dx_mag, factor, false, std::string(cc.name) + ": dx");
            require_close(host(dbg), db, "conv2d db (float32 in bf16 mode)");
            // Repeatable: the same inputs give bitwise the same bf16 outputs.
            const host_tensor y_again = host(yg);
            gpu::conv2d_forward(xg, wg, bg, gg, yg, sg);
            CHECK(std::memcmp(host(yg).data(), y_again.data(), y_again.size() * sizeof(float)) == 0);
            CHECK(sg.plans.size() == 2);
        }
    }
}

TEST_CASE("bf16: cuda dense within the bf16 bound of the CPU's float32", "[gpu][cuda][bf16]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    if (!gpu_has_bf16()) return;
    rng gen(13);
    const std::size_t batch = 5, in = 4 * 6 * 6, out = 17;
    const host_tensor x = random_tensor({batch, 4, 6, 6}, gen);
    const host_tensor w = random_tensor({out, in, 1, 1}, gen, 0.3f);
    const host_tensor b = random_tensor({out, 1, 1, 1}, gen);
    host_tensor y, dw(dims_of(w)), db(dims_of(b)), dx, y_mag, dw_mag(dims_of(w)), db_mag(dims_of(b)), dx_mag;
    cpu::dense_state sc, sm;
    cpu::dense_forward(x, w, b, y, sc);
    cpu::dense_forward(abs_of(x), abs_of(w), abs_of(b), y_mag, sm);
    const host_tensor dy = random_tensor(dims_of(y), gen);
    cpu::dense_backward(x, w, dy, sc, dw, db, &dx);
    cpu::dense_backward(abs_of(x), abs_of(w), abs_of(dy), sm, dw_mag, db_mag, &dx_mag);
    const double factor = 2 * u_bf16 + u_bf16 * u_bf16 + double(std::max({in, out, batch})) * u_f32;
    const gpu::tensor xg = gpu::from_host(x), wg = gpu::from_host(w), bg = gpu::from_host(b), dyg = gpu::from_host(dy);
    gpu::tensor yg, dwg(dims_of(w)), dbg(dims_of(b)), dxg;
    gpu::dense_state sg;
    sg.precision = backend::precision_kind::bf16;
    gpu::dense_forward(xg, wg, bg, yg, sg);
    gpu::dense_backward(xg, wg, dyg, sg, dwg, dbg, &dxg);
    require_bf16_bound(host(yg), y, y_mag, factor, false, "dense y");
    require_bf16_bound(host(dwg), dw, dw_mag, factor, false, "dense dw");
    require_bf16_bound(host(dxg), dx, dx_mag, factor, false, "dense dx");
    require_close(host(dbg), db, "dense db (float32 in bf16 mode)");
}
