// The smallest end-to-end use of the network, backend and optimizer: trains a scaled VGG-M on a
// tiny generated image set and prints the loss falling, epoch by epoch. (The main job is
// `dermtl demo`, apps/dermtl.cpp.)
//
//   train_scaled_vgg [epochs] [images] [seed]
//
// The images: 64x64 RGB "lesions" on a skin-toned background; class 1 blobs are darker, more
// irregular and more variegated than class 0, with noise on both so the task is not trivial.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;

namespace {

using demo_net = models::vgg_m_scaled<2>;  // 64x64 input, widths / 8
constexpr std::size_t side = demo_net::input_shape::height;

void draw_blob(host_tensor& x, std::size_t n, int label, rng& gen) {
    const double cx = side / 2.0 + gen.uniform(-6, 6), cy = side / 2.0 + gen.uniform(-6, 6);
    const double radius = gen.uniform(12, 20);
    const double wobble = label == 1 ? gen.uniform(0.15f, 0.35f) : gen.uniform(0.0f, 0.12f);
    const double phase = gen.uniform(0, 6.28f);
    const float darkness = label == 1 ? gen.uniform(0.45f, 0.75f) : gen.uniform(0.3f, 0.55f);
    const float variegation = label == 1 ? gen.uniform(0.1f, 0.3f) : gen.uniform(0.0f, 0.1f);
    const float skin[3] = {0.85f, 0.65f, 0.55f};
    for (std::size_t y = 0; y < side; ++y)
        for (std::size_t xx = 0; xx < side; ++xx) {
            const double dx = double(xx) - cx, dy = double(y) - cy;
            const double angle = std::atan2(dy, dx);
            const double r = radius * (1 + wobble * std::sin(5 * angle + phase));
            const bool inside = std::hypot(dx, dy) < r;
            const float shade = inside ? darkness + variegation * float(std::sin(xx * 0.7) * std::cos(y * 0.5)) : 0.0f;
            for (std::size_t c = 0; c < 3; ++c)
                x(n, c, y, xx) = 255.0f * (skin[c] * (1.0f - shade)) + float(gen.normal()) * 12.0f - 128.0f;
        }
}

}  // namespace

int main(int argc, char** argv) {
    const int epochs = argc > 1 ? std::atoi(argv[1]) : 12;
    const std::size_t images = argc > 2 ? std::size_t(std::atoi(argv[2])) : 256;
    const std::uint64_t seed = argc > 3 ? std::uint64_t(std::atoll(argv[3])) : 2017;
    constexpr std::size_t batch = 16;

    std::printf("dermtl main job: scaled VGG-M (%zu parameters) on %zu generated %zux%zu images, %d epochs\n",
                std::size_t(demo_net::parameter_count), images, side, side, epochs);
    rng gen(seed);
    host_tensor data({images, 3, side, side}), held_out({64, 3, side, side});
    std::vector<int> labels(images), held_out_labels(64);
    for (std::size_t i = 0; i < images; ++i) draw_blob(data, i, labels[i] = int(i % 2), gen);
    for (std::size_t i = 0; i < 64; ++i) draw_blob(held_out, i, held_out_labels[i] = int(i % 2), gen);

    nn::network<demo_net, backend::cpu> net(seed);
    train::sgd_nesterov opt(net, {.learning_rate = 0.003f, .momentum = 0.9f, .l2 = 5e-4f});
    std::vector<std::size_t> order(images);
    for (std::size_t i = 0; i < images; ++i) order[i] = i;
    host_tensor x({batch, 3, side, side}), grad;
    std::vector<int> y(batch);

    for (int epoch = 1; epoch <= epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        gen.shuffle(order.begin(), order.end());
        double loss_sum = 0;
        std::size_t correct = 0, seen = 0;
        for (std::size_t b = 0; b + batch <= images; b += batch) {
            for (std::size_t i = 0; i < batch; ++i) {
                std::copy_n(&data(order[b + i], 0, 0, 0), 3 * side * side, &x(i, 0, 0, 0));
                y[i] = labels[order[b + i]];
            }
            const auto& logits = net.forward(x, nn::mode::train);
            loss_sum += nn::softmax_cross_entropy<backend::cpu>(logits, y, grad) * batch;
            for (std::size_t i = 0; i < batch; ++i) correct += (logits(i, 1, 0, 0) > logits(i, 0, 0, 0)) == (y[i] == 1);
            seen += batch;
            net.backward(grad);
            opt.step();
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto& held_logits = net.forward(held_out, nn::mode::eval);
        std::size_t held_correct = 0;
        for (std::size_t i = 0; i < 64; ++i)
            held_correct += (held_logits(i, 1, 0, 0) > held_logits(i, 0, 0, 0)) == (held_out_labels[i] == 1);
        const double held_loss = nn::softmax_cross_entropy<backend::cpu>(held_logits, held_out_labels, grad);
        std::printf("epoch %2d  train loss %.4f  accuracy %5.1f%%  |  held-out loss %.4f  accuracy %5.1f%%  |  %5.0f images/s\n",
                    epoch, loss_sum / double(seen), 100.0 * double(correct) / double(seen), held_loss,
                    100.0 * double(held_correct) / 64.0, double(seen) / seconds);
        std::fflush(stdout);
    }
    return 0;
}
