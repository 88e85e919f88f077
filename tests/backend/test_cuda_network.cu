// CUDA backend tests: a scaled VGG-M trained on the GPU against the CPU, determinism, TF32 and
// out-of-memory messages (test_cuda.cu: the operations; tolerance and tags as stated there). A
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
    auto run = [&] {
        nn::network<models::vgg_m_scaled<2>, backend::cuda> net(7);
        const auto losses = train_losses(net, x, labels, 4);
        std::vector<host_tensor> weights;
        net.for_each_param([&](std::size_t, nn::param<backend::cuda>& p) { weights.push_back(gpu::to_host(p.value)); });
        return std::pair{losses, weights};
    };
    const auto [losses_a, weights_a] = run();
    const auto [losses_b, weights_b] = run();
    gpu::set_options(saved);
    CHECK(losses_a == losses_b);
    REQUIRE(weights_a.size() == weights_b.size());
    for (std::size_t i = 0; i < weights_a.size(); ++i) {
        INFO("parameter " << i);
        CHECK(std::memcmp(weights_a[i].data(), weights_b[i].data(), weights_a[i].size() * sizeof(float)) == 0);
    }
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

TEST_CASE("out of device memory names the bytes and suggests a smaller batch", "[gpu][cuda][bad_input]") {
    DERMTL_REQUIRE_GPU_OR_SKIP();
    gpu::tensor t;
    // 2^20 images of 64 x 64 x 64 floats: 1 PiB.
    try {
        gpu::reshape(t, {std::size_t(1) << 20, 64, 64, 64});
        FAIL("expected an out-of-memory backend_error");
    } catch (const backend_error& e) {
        const std::string m = e.what();
        INFO(m);
        CHECK_THAT(m, Contains("out of device memory allocating 1125899906842624 bytes"));
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
    // 40000 images of 3 x 224 x 224: the input and its copy fit (2 x 24 GB), conv1's output
    // (40000 x 96 x 109 x 109 floats, 182 GB) fits on no current GPU.
    nn::network<models::vgg_m<2>, backend::cuda> net(nn::uninitialized);  // no host QR of fc6
    gpu::tensor x;
    gpu::reshape(x, {40000, 3, 224, 224});
    gpu::fill(x, 0.5f);
    try {
        net.forward(x);
        FAIL("expected an out-of-memory backend_error");
    } catch (const backend_error& e) {
        const std::string m = e.what();
        INFO(m);
        CHECK_THAT(m, Contains("network::forward: layer"));
        CHECK_THAT(m, Contains("out of device memory allocating"));
        CHECK_THAT(m, Contains("use a smaller batch: about"));
    }
}
