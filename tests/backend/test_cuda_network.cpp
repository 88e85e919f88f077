// CUDA backend tests: a scaled VGG-M trained on the GPU against the CPU, determinism, TF32 and
// out-of-memory messages (test_cuda.cpp: the operations; tolerance and tags as stated there). A
// translation unit of its own, so that nvcc never holds the operations and the networks at once.
#include <catch2/catch.hpp>

#include "cuda_test_support.hpp"

namespace {

// Trains `steps` SGD steps on one fixed batch; returns the loss of each step.
template <class Backend>
std::vector<double> train_losses(nn::network<models::vgg_m_scaled<2>, Backend>& net, const host_tensor& x_host,
                                 const std::vector<int>& labels, int steps) {
    using ops = backend::ops<Backend>;
    train::sgd_nesterov opt(net, train::sgd_options{3e-3f, 0.9f, 5e-3f});  // a smooth curve on the CPU
    const typename ops::tensor x = ops::from_host(x_host);
    typename ops::tensor grad;
    std::vector<double> losses;
    for (int i = 0; i < steps; ++i) {
        losses.push_back(nn::softmax_cross_entropy<Backend>(net.forward(x, nn::mode::train), labels, grad));
        net.backward(grad);
        opt.step();
    }
    return losses;
}

// A fresh scaled VGG-M (seed 7) trained `steps` steps on one batch in `numerics`: its losses and its
// float32 (master) weights.
struct training_run {
    std::vector<double> losses;
    std::vector<host_tensor> weights;
};
training_run train_fresh(const host_tensor& x, const std::vector<int>& labels, int steps,
                         const backend::numerics& numerics = {}) {
    nn::network<models::vgg_m_scaled<2>, backend::cuda> net(7);
    net.set_numerics(numerics);
    training_run r;
    r.losses = train_losses(net, x, labels, steps);
    net.for_each_param([&](std::size_t, nn::param<backend::cuda>& p) { r.weights.push_back(gpu::to_host(p.value)); });
    return r;
}

// Two runs bitwise alike: every loss and every weight.
void require_bitwise_same(const training_run& a, const training_run& b) {
    CHECK(a.losses == b.losses);
    REQUIRE(a.weights.size() == b.weights.size());
    for (std::size_t i = 0; i < a.weights.size(); ++i) {
        INFO("parameter " << i);
        CHECK(std::memcmp(a.weights[i].data(), b.weights[i].data(), a.weights[i].size() * sizeof(float)) == 0);
    }
}

host_tensor demo_batch(std::size_t n, std::vector<int>& labels) {
    rng gen(123);
    host_tensor x = random_tensor({n, 3, 64, 64}, gen, 50.0f);
    labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = int(i % 2);
    return x;
}

}  // namespace

TEST_CASE("scaled VGG-M trains to the CPU's loss curve on the GPU", "[gpu][cuda][network]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    std::vector<int> labels;
    const host_tensor x = demo_batch(16, labels);
    nn::network<models::vgg_m_scaled<2>, backend::cpu> net_cpu(7);
    nn::network<models::vgg_m_scaled<2>, backend::cuda> net_gpu(7);  // same seed: same weights and masks
    const auto loss_cpu = train_losses(net_cpu, x, labels, 8);
    const auto loss_gpu = train_losses(net_gpu, x, labels, 8);
    // Tolerance for the curve: |gpu - cpu| <= 1e-3 * max(1, cpu) per step (float32 drift over 8 steps).
    for (std::size_t i = 0; i < loss_cpu.size(); ++i) {
        INFO("step " << i << ": cpu " << loss_cpu[i] << ", gpu " << loss_gpu[i]);
        CHECK(std::abs(loss_gpu[i] - loss_cpu[i]) <= 1e-3 * std::max(1.0, loss_cpu[i]));
    }
    CHECK(loss_cpu.back() < loss_cpu.front());
    // The trained weights agree too (fc8, the last layer's weight).
    const auto pc = net_cpu.params(net_cpu.depth - 1);
    const auto pg = net_gpu.params(net_gpu.depth - 1);
    require_close(gpu::to_host(pg[0].value), pc[0].value, "fc8 weight after training", 1e-3);
}

TEST_CASE("determinism mode: the same seed gives bitwise the same training on the GPU", "[gpu][cuda][determinism]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    const backend::cuda_options saved = gpu::options();
    gpu::set_options({.deterministic = true, .tf32 = false});
    std::vector<int> labels;
    const host_tensor x = demo_batch(16, labels);
    const training_run a = train_fresh(x, labels, 4);
    const training_run b = train_fresh(x, labels, 4);
    gpu::set_options(saved);
    require_bitwise_same(a, b);
}

TEST_CASE("tf32 opt-in trains close to float32", "[gpu][cuda][precision]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    const backend::cuda_options saved = gpu::options();
    std::vector<int> labels;
    const host_tensor x = demo_batch(16, labels);
    nn::network<models::vgg_m_scaled<2>, backend::cuda> a(7), b(7);
    gpu::use_precision<backend::precision::float32>();
    const auto loss32 = train_losses(a, x, labels, 4);
    gpu::use_precision<backend::precision::tf32>();
    CHECK(gpu::options().tf32);
    const auto loss_tf32 = train_losses(b, x, labels, 4);
    gpu::set_options(saved);
    // TF32 keeps 10 mantissa bits: losses agree to about 1e-2 relative over a few steps.
    for (std::size_t i = 0; i < loss32.size(); ++i) {
        INFO("step " << i << ": float32 " << loss32[i] << ", tf32 " << loss_tf32[i]);
        CHECK(std::abs(loss_tf32[i] - loss32[i]) <= 2e-2 * std::max(1.0, loss32[i]));
    }
}

TEST_CASE("bf16: the network carries it; fc7 and the master weights stay float32; the same seed trains bitwise "
          "alike, close to float32", "[gpu][cuda][bf16]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    using Net = models::vgg_m_scaled<2>;
    const backend::numerics bf16{backend::precision_kind::bf16, true};
    const auto& ctx = backend::cuda_detail::context::get();
    if (ctx.major() < backend::cuda_detail::bf16_min_major) {  // refused at set_numerics, naming the GPU
        nn::network<Net, backend::cuda> net(7);
        REQUIRE_THROWS_AS(net.set_numerics(bf16), config_error);
        REQUIRE_THROWS_WITH(net.set_numerics(bf16), Contains(ctx.device_name()) && Contains("compute capability"));
        WARN(ctx.device_name() << ": below compute capability 8.0, bf16 is refused (checked)");
        return;
    }
    const backend::cuda_options saved = gpu::options();
    gpu::set_options({.deterministic = true, .tf32 = false});
    std::vector<int> labels;
    const host_tensor x = demo_batch(16, labels);
    // fc7 in eval mode: six layers of bf16 rounding from the image; a loose end-to-end check (the
    // per-layer bound of test_cuda.cpp is the strict one): within 5% of the largest feature.
    nn::network<Net, backend::cpu> ref(7);
    nn::network<Net, backend::cuda> probe(7);
    probe.set_numerics(bf16);
    CHECK(probe.numerics().str() == "bf16, deterministic");
    CHECK(probe.layer<0>().state.precision == backend::precision_kind::bf16);
    require_close(gpu::to_host(probe.features<"fc7">(gpu::from_host(x))), ref.features<"fc7">(x),
                  "fc7 features, bf16 vs float32", 0.05);
    const auto loss_cpu = train_losses(ref, x, labels, 8);
    const training_run a = train_fresh(x, labels, 8, bf16);
    const training_run b = train_fresh(x, labels, 8, bf16);
    gpu::set_options(saved);
    require_bitwise_same(a, b);
    // Close to float32's curve (the same loose 5% as the features), and it learns.
    for (std::size_t i = 0; i < loss_cpu.size(); ++i) {
        INFO("step " << i << ": cpu float32 " << loss_cpu[i] << ", gpu bf16 " << a.losses[i]);
        CHECK(std::abs(a.losses[i] - loss_cpu[i]) <= 0.05 * std::max(1.0, loss_cpu[i]));
    }
    CHECK(a.losses.back() < a.losses.front());
}

TEST_CASE("out of device memory names the bytes and suggests a smaller batch", "[gpu][cuda][bad_input]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    gpu::tensor t;
    // 2^20 images of 64 x 64 x 64 floats: 2^38 floats, 2^40 bytes (1 TiB) -- more than any GPU has.
    const dims4 huge{std::size_t(1) << 20, 64, 64, 64};
    const std::size_t bytes = huge[0] * huge[1] * huge[2] * huge[3] * sizeof(float);
    REQUIRE(bytes == (std::size_t(1) << 40));
    try {
        gpu::reshape(t, huge);
        FAIL("expected an out-of-memory backend_error");
    } catch (const backend_error& e) {
        const std::string m = e.what();
        INFO(m);
        CHECK_THAT(m, Contains("out of device memory allocating " + std::to_string(bytes) + " bytes"));
        CHECK_THAT(m, Contains("[1048576,64,64,64]"));
        CHECK_THAT(m, Contains("smaller batch"));
    }
    // The backend still works afterwards.
    gpu::reshape(t, {1, 2, 3, 4});
    gpu::fill(t, 1.0f);
    CHECK(gpu::to_host(t).data()[23] == 1.0f);
}

TEST_CASE("out of device memory inside a network names the layer", "[gpu][cuda][bad_input]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    // Every tensor here stays within cuDNN's 2^31 - 1 elements, so the allocation is what fails:
    // the device is first filled up to about 1 GiB by tensors held here (whatever its size), then a
    // VGG-M forward pass at batch 256 needs far more (conv1's output alone is 1.2 GB).
    std::vector<gpu::tensor> hogs;
    const std::size_t leave = std::size_t(1) << 30, max_floats = std::size_t(1) << 30;  // 4 GiB per hog
    for (int i = 0; i < 64; ++i) {
        std::size_t free = 0, total = 0;
        REQUIRE(cudaMemGetInfo(&free, &total) == cudaSuccess);
        if (free <= leave + (std::size_t(64) << 20)) break;
        const std::size_t floats = std::min(max_floats, (free - leave) / sizeof(float));
        hogs.emplace_back(dims4{1, 1, 1, floats});
    }
    nn::network<models::vgg_m<2>, backend::cuda> net(nn::uninitialized);  // no host QR of fc6
    gpu::tensor x;
    gpu::reshape(x, {256, 3, 224, 224});  // 154 MB
    gpu::fill(x, 0.5f);
    try {
        net.forward(x);
        FAIL("expected an out-of-memory backend_error");
    } catch (const backend_error& e) {
        const std::string m = e.what();
        INFO(m);
        CHECK_THAT(m, Contains("network::forward: layer"));
        CHECK_THAT(m, Contains("out of device memory"));
        CHECK_THAT(m, Contains("smaller batch"));
    }
}

TEST_CASE("a tensor over cuDNN's element limit names the layer, the shape and the batch that fits", "[gpu][cuda][bad_input]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    // VGG-M's conv1 output is 96 x 109 x 109 per image: a batch of 1883 is the first over 2^31 - 1.
    const std::size_t per_image = 96 * 109 * 109;
    const std::size_t fits = 2147483647 / per_image;
    REQUIRE(fits == 1882);
    nn::network<models::vgg_m<2>, backend::cuda> net(nn::uninitialized);
    gpu::tensor x;
    gpu::reshape(x, {fits + 1, 3, 224, 224});  // 1.1 GB, within the limit itself
    gpu::fill(x, 0.5f);
    try {
        net.forward(x);
        FAIL("expected the element-limit backend_error");
    } catch (const backend_error& e) {
        const std::string m = e.what();
        INFO(m);
        CHECK_THAT(m, Contains("network::forward: layer"));
        CHECK_THAT(m, Contains("[1883,96,109,109]"));
        CHECK_THAT(m, Contains("2^31 - 1"));
        CHECK_THAT(m, Contains("at most 1882"));
    }
}

TEST_CASE("deterministic mode: layer 0 chooses no backward-data algorithm; choices obey the options", "[gpu][cuda][determinism]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    const backend::cuda_options saved = gpu::options();
    gpu::set_options({.deterministic = true, .tf32 = false});
    std::vector<int> labels;
    const host_tensor x = demo_batch(4, labels);
    nn::network<models::vgg_m_scaled<2>, backend::cuda> net(7);
    (void)train_losses(net, x, labels, 1);
    const auto& first = net.layer<0>().state.plans;
    REQUIRE(first.size() == 1);
    const auto& plan = *first.begin()->second;
    REQUIRE(plan.choice("forward") != nullptr);
    REQUIRE(plan.choice("backward filter") != nullptr);
    CHECK(plan.choice("backward data") == nullptr);  // never needed, never chosen
    const auto* filter = plan.choice("backward filter");
    CHECK(filter->chosen().algo != int(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0));
    CHECK(filter->chosen().algo != int(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3));
    CHECK(filter->chosen().run_math == backend::cuda_detail::math_kind::fma);
    gpu::set_options(saved);
}

TEST_CASE("a workspace limit of 0 bytes still finds a no-workspace algorithm, or says what is needed", "[gpu][cuda][algorithm]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    const backend::cuda_options saved = gpu::options();
    rng gen(5);
    const auto [gc, gg] = make_geometry(8, 20, 20, 3, 1, padding{1}, rounding::floor);
    const host_tensor x = random_tensor({4, 8, 20, 20}, gen), w = random_tensor({16, 8, 3, 3}, gen, 0.2f),
                      b = random_tensor({16, 1, 1, 1}, gen);
    host_tensor y;
    cpu::conv_state sc;
    cpu::conv2d_forward(x, w, b, gc, y, sc);
    gpu::set_options({.deterministic = false, .tf32 = false, .workspace_limit = 1});  // 1 byte: only zero-workspace algorithms
    gpu::tensor yg;
    gpu::conv_state sg;
    try {
        gpu::conv2d_forward(gpu::from_host(x), gpu::from_host(w), gpu::from_host(b), gg, yg, sg);
        require_close(host(yg), y, "conv2d y under a 1-byte workspace limit");
        CHECK(sg.plans.begin()->second->choice("forward")->chosen().workspace <= 1);
    } catch (const backend_error& e) {
        // No zero-workspace algorithm offered: the message must say which workspace would do.
        CHECK_THAT(std::string(e.what()), Contains("raise cuda_options::workspace_limit"));
    }
    gpu::set_options(saved);
}

TEST_CASE("a non-finite activation names the first layer that produced it (one check per forward pass)", "[gpu][cuda][network]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    STATIC_REQUIRE(nn::network_detail::batches_non_finite_checks<gpu>::value);  // the CUDA backend batches the check
    std::vector<int> labels;
    host_tensor x = demo_batch(2, labels);
    nn::network<models::vgg_m_scaled<2>, backend::cuda> net(7);
    CHECK_NOTHROW(net.forward(gpu::from_host(x)));
    x.data()[5] = std::numeric_limits<float>::quiet_NaN();  // sample 0 of the input
    try {
        net.forward(gpu::from_host(x));
        FAIL("expected a numeric_error");
    } catch (const numeric_error& e) {
        const std::string m = e.what();
        INFO(m);
        CHECK_THAT(m, Contains("network::forward: layer 0"));
        CHECK_THAT(m, Contains("of sample 0"));
        CHECK_THAT(m, Contains("(its input was already non-finite)"));
    }
}
