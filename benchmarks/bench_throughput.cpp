// Forward and training-step (forward + backward + SGD update) throughput of VGG-M at 224x224,
// batch 16, and of the scaled demo net, on the CPU backend -- with PyTorch's figure for the same
// network, shapes and thread count measured in the same run, and the ratio.
//
//   bench_throughput [iterations]      (run from anywhere; needs /usr/bin/python3 with torch)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <omp.h>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;

namespace {

struct figures {
    double forward, train;  // images per second
};

template <class Net>
figures measure(std::size_t batch, int iterations) {
    using In = typename Net::input_shape;
    nn::network<Net, backend::cpu> net(1);
    rng gen(1);
    host_tensor x({batch, In::channels, In::height, In::width});
    for (auto& v : x) v = float(gen.normal()) * 50.0f;
    std::vector<int> labels(batch);
    for (std::size_t i = 0; i < batch; ++i) labels[i] = int(i % Net::classes);
    host_tensor grad;
    train::sgd_nesterov opt(net);
    auto seconds = [](auto&& body, int n) {
        body();  // warm-up: buffers allocated, caches filled
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) body();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const double f = seconds([&] { net.forward(x, nn::mode::eval); }, iterations);
    const double t = seconds(
        [&] {
            nn::softmax_cross_entropy<backend::cpu>(net.forward(x, nn::mode::train), labels, grad);
            net.backward(grad);
            opt.step();
        },
        iterations);
    return {double(batch) * iterations / f, double(batch) * iterations / t};
}

figures torch_figures(const std::string& args) {
    const std::string cmd = "/usr/bin/python3 '" DERMTL_BENCHMARKS_DIR "/torch_throughput.py' " + args;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    figures out{0, 0};
    if (!pipe || std::fscanf(pipe, "%lf %lf", &out.forward, &out.train) != 2) std::fprintf(stderr, "PyTorch run failed: %s\n", cmd.c_str());
    if (pipe) ::pclose(pipe);
    return out;
}

void row(const char* name, std::size_t batch, figures ours, figures torch) {
    std::printf("| %-28s | %5zu | %9.1f | %9.1f | %5.2f | %9.1f | %9.1f | %5.2f |\n", name, batch, ours.forward,
                torch.forward, ours.forward / torch.forward, ours.train, torch.train, ours.train / torch.train);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 3;
    std::printf("CPU backend, %d OpenMP threads, %d timed iterations after one warm-up; images/s\n",
                omp_get_max_threads(), iterations);
    std::printf("| network                      | batch | dermtl fwd | torch fwd | ratio | dermtl train | torch train | ratio |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    {
        using demo = models::vgg_m_scaled<2>;
        const auto ours = measure<demo>(64, iterations * 10);
        row("VGG-M scaled 64x64, /8", 64, ours, torch_figures("vgg_m 64 8 2 64 " + std::to_string(iterations * 10)));
    }
    {
        using full = models::vgg_m<2>;
        const auto ours = measure<full>(16, iterations);
        row("VGG-M 224x224", 16, ours, torch_figures("vgg_m 224 1 2 16 " + std::to_string(iterations)));
    }
    return 0;
}
