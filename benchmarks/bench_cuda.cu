// GPU throughput of the CUDA backend: VGG-M and VGG-16 at 224x224, batch 32 and 64, inference
// (eval forward) and training (forward + loss + backward + fused SGD update), with PyTorch + cuDNN
// measured in the same run on the same GPU (torch_cuda_throughput.py) and the ratio; then the time
// of one full fine-tuning (60 epochs of 1300 images) and the projected time of the Table 1 grid.
//
//   bench_cuda [iterations=20] [--tf32] [--deterministic] [--no-torch] [--batches 32,64]
//              [--networks vgg_m,vgg_16] [--benchmarks DIR] [--versions]
//
// The batch is on the device before timing (as PyTorch's is); each figure is the median over
// `iterations` timed steps after two warm-up steps (algorithm choice and allocation happen there).
// The projections need both networks at batch 32. --versions prints the CUDA runtime, driver,
// cuDNN (cudnnGetVersion(): the library loaded, which may differ from the 9.19 headers of the
// build) and cuBLAS versions and exits; every run prints them first.
// Python: $DERMTL_PYTHON, else python3 on PATH (needs torch with CUDA). torch_cuda_throughput.py is
// found by --benchmarks DIR, else beside the binary (scripts/gpu_build.sh puts it there), else in
// ../benchmarks or ../../benchmarks from it, else in the source tree it was built from.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dermtl/backend/cuda/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;
using gpu = backend::ops<backend::cuda>;

namespace {

struct figures {
    double inference = 0, train = 0;  // images per second
};

struct settings {
    int iterations = 20;
    backend::precision_kind precision = backend::precision_kind::float32;  // --tf32, --bf16
    bool deterministic = false, torch = true, versions_only = false;
    std::vector<std::size_t> batches{32, 64};
    std::vector<std::string> networks{"vgg_m", "vgg_16"};
    std::string benchmarks;  // the folder holding torch_cuda_throughput.py
};

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t end = std::min(s.find(',', start), s.size());
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool file_exists(const std::string& p) { return ::access(p.c_str(), R_OK) == 0; }

// The folder of torch_cuda_throughput.py (see the file comment for the order).
std::string find_benchmarks(const std::string& option) {
    if (!option.empty()) return option;
    std::string exe(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", exe.data(), exe.size() - 1);
    if (n > 0) {
        exe.resize(std::size_t(n));
        const std::string dir = exe.substr(0, exe.find_last_of('/'));
        for (const std::string& d : {dir, dir + "/../benchmarks", dir + "/../../benchmarks"})
            if (file_exists(d + "/torch_cuda_throughput.py")) return d;
    }
    return DERMTL_BENCHMARKS_DIR;
}

void print_versions() {
    // cuBLAS is loaded on first use by dermtl's loader, which offers no version call: the headers' is
    // printed, and gpu_check.sh prints the wheel's.
    int runtime = 0, driver = 0;
    (void)cudaRuntimeGetVersion(&runtime);
    (void)cudaDriverGetVersion(&driver);
    std::printf("versions: CUDA runtime %d (built with %d), driver's CUDA %d, cuDNN %zu (cudnnGetVersion; built with "
                "headers %d), cuBLAS headers %d\n",
                runtime, CUDART_VERSION, driver, std::size_t(cudnnGetVersion()), CUDNN_VERSION, CUBLAS_VERSION);
}

template <class Body>
double median_seconds(Body&& body, int iterations) {
    body();
    body();
    gpu::synchronize();
    std::vector<double> t;
    for (int i = 0; i < iterations; ++i) {
        const auto start = std::chrono::steady_clock::now();
        body();
        gpu::synchronize();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    return t[t.size() / 2];
}

template <class Net>
figures measure(std::size_t batch, int iterations, const backend::numerics& numerics) {
    using In = typename Net::input_shape;
    // Weights are not drawn: the orthogonal initialization of VGG-16's fc6 (a QR of 25088 x 4096
    // on the host) would take longer than the measurement, and throughput does not depend on values.
    nn::network<Net, backend::cuda> net(nn::uninitialized);
    net.set_numerics(numerics);  // bf16: the network's convolutions and dense layers (cuda/numerics.hpp)
    rng gen(1);
    host_tensor xh({batch, In::channels, In::height, In::width});
    for (auto& v : xh) v = float(gen.normal()) * 50.0f;
    const gpu::tensor x = gpu::from_host(xh);
    std::vector<int> labels(batch);
    for (std::size_t i = 0; i < batch; ++i) labels[i] = int(i % Net::classes);
    gpu::tensor grad;
    train::sgd_nesterov opt(net);
    const double f = median_seconds([&] { net.forward(x, nn::mode::eval); }, iterations);
    const double t = median_seconds(
        [&] {
            nn::softmax_cross_entropy<backend::cuda>(net.forward(x, nn::mode::train), labels, grad);
            net.backward(grad);
            opt.step();
        },
        iterations);
    return {double(batch) / f, double(batch) / t};
}

figures torch_figures(const settings& s, const char* name, std::size_t batch) {
    if (!s.torch) return {};
    const char* py = std::getenv("DERMTL_PYTHON");
    const std::string cmd = std::string(py ? py : "python3") + " '" + s.benchmarks + "/torch_cuda_throughput.py' " +
                            name + " " + std::to_string(batch) + " " + std::to_string(s.iterations) +
                            " " + std::string(backend::precision_name(s.precision)) +
                            (s.deterministic ? " deterministic" : "");
    FILE* pipe = ::popen(cmd.c_str(), "r");
    figures out;
    if (!pipe || std::fscanf(pipe, "%lf %lf", &out.inference, &out.train) != 2) {
        std::fprintf(stderr, "PyTorch run failed: %s\n", cmd.c_str());
        out = {};
    }
    if (pipe) ::pclose(pipe);
    return out;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void row(const char* name, std::size_t batch, figures ours, figures torch) {
    std::printf("| %-14s | %5zu | %9.1f | %9.1f | %5.2f | %9.1f | %9.1f | %5.2f |\n", name, batch, ours.inference,
                torch.inference, ratio(ours.inference, torch.inference), ours.train, torch.train,
                ratio(ours.train, torch.train));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if ((a == "--tf32" || a == "--bf16") && s.precision != backend::precision_kind::float32) {
            std::fprintf(stderr, "bench_cuda: --tf32 and --bf16 are two precisions; give one\n");
            return 2;
        } else if (a == "--tf32") s.precision = backend::precision_kind::tf32;
        else if (a == "--bf16") s.precision = backend::precision_kind::bf16;
        else if (a == "--deterministic") s.deterministic = true;
        else if (a == "--no-torch") s.torch = false;
        else if (a == "--versions") s.versions_only = true;
        else if (a == "--benchmarks" && has_value) s.benchmarks = argv[++i];
        else if (a == "--networks" && has_value) s.networks = split_commas(argv[++i]);
        else if (a == "--batches" && has_value) {
            s.batches.clear();
            for (const auto& b : split_commas(argv[++i])) s.batches.push_back(std::size_t(std::max(1, std::atoi(b.c_str()))));
        } else if (!a.empty() && a[0] != '-') s.iterations = std::max(1, std::atoi(argv[i]));
        else {
            std::fprintf(stderr, "bench_cuda: unknown argument '%s'; usage: bench_cuda [iterations] [--tf32 | --bf16] "
                                 "[--deterministic] [--no-torch] [--batches 32,64] [--networks vgg_m,vgg_16] "
                                 "[--benchmarks DIR] [--versions]\n", argv[i]);
            return 2;
        }
    }
    for (const auto& n : s.networks)
        if (n != "vgg_m" && n != "vgg_16") {
            std::fprintf(stderr, "bench_cuda: --networks: unknown network '%s'; expected vgg_m and/or vgg_16\n", n.c_str());
            return 2;
        }
    s.benchmarks = find_benchmarks(s.benchmarks);
    const backend::numerics numerics{s.precision, s.deterministic};
    try {
        gpu::set_options({.deterministic = s.deterministic, .tf32 = s.precision == backend::precision_kind::tf32});
        print_versions();
        if (s.versions_only) return 0;
        if (s.torch && !file_exists(s.benchmarks + "/torch_cuda_throughput.py"))
            std::fprintf(stderr, "bench_cuda: no torch_cuda_throughput.py in %s (use --benchmarks DIR); PyTorch "
                                 "columns will be 0\n", s.benchmarks.c_str());
        std::printf("CUDA backend on %s, precision %s, deterministic %s; median of %d timed steps; images/s\n",
                    gpu::device_name().c_str(), std::string(backend::precision_name(numerics.precision)).c_str(),
                    s.deterministic ? "on" : "off",
                    s.iterations);
        std::printf("| network        | batch | dermtl inf | torch inf | ratio | dermtl train | torch train | ratio |\n");
        std::printf("|---|---|---|---|---|---|---|---|\n");
        using vgg_m = models::vgg_m<2>;
        using vgg_16 = models::vgg_16<2>;
        figures m32, v32;
        const auto wants = [&](const char* n) { return std::find(s.networks.begin(), s.networks.end(), n) != s.networks.end(); };
        if (wants("vgg_m"))
            for (std::size_t batch : s.batches) {
                const figures m = measure<vgg_m>(batch, s.iterations, numerics);
                row("VGG-M 224", batch, m, torch_figures(s, "vgg_m", batch));
                if (batch == 32) m32 = m;
            }
        if (wants("vgg_16"))
            for (std::size_t batch : s.batches) {
                const figures v = measure<vgg_16>(batch, s.iterations, numerics);
                row("VGG-16 224", batch, v, torch_figures(s, "vgg_16", batch));
                if (batch == 32) v32 = v;
            }
        if (m32.train <= 0 || v32.train <= 0) {
            std::printf("\n(no projections: they need both networks at batch 32)\n");
            return 0;
        }
        // One fine-tuning: 60 epochs of 1300 training images (the paper's protocol), batch 32,
        // plus scoring 1300 images after each epoch for validation.
        const double images = 60.0 * 1300.0;
        auto finetune_s = [&](const figures& f) { return images / f.train + images / f.inference; };
        std::printf("\nOne fine-tuning (60 epochs x 1300 images, batch 32, + per-epoch scoring of 1300): "
                    "VGG-M %.1f min, VGG-16 %.1f min\n",
                    finetune_s(m32) / 60, finetune_s(v32) / 60);
        // Table 1: 4 fine-tuned columns (none, ImageNet, Retinopathy, double) x 3 labelings x 10
        // folds (5x2 CV) = 120 fine-tunings; the 3 frozen columns x 3 labelings x 10 folds extract
        // features of ~1300 + ~650 images each. Source-model training (Retinopathy) is excluded.
        const double frozen_images = 3 * 3 * 10 * 1950.0;
        auto grid_h = [&](const figures& f) { return (120 * finetune_s(f) + frozen_images / f.inference) / 3600; };
        std::printf("Projected Table 1 grid (120 fine-tunings + 90 frozen feature extractions, source models "
                    "excluded): VGG-M %.1f h, VGG-16 %.1f h\n",
                    grid_h(m32), grid_h(v32));
    } catch (const dermtl::error& e) {
        std::fprintf(stderr, "bench_cuda: %s\nNo GPU numbers were measured.\n", e.what());
        return 2;
    }
    return 0;
}
