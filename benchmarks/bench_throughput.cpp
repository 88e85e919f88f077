// CPU throughput, side by side in one run: backend::cpu (the Eigen reference), backend::onednn and
// PyTorch (torch_throughput.py, same networks, shapes, batch and thread count), for VGG-M and
// VGG-16 at 224x224, forward (feature extraction) and a full training step (forward, backward,
// SGD update). Besides images/s it prints GFLOP/s for each side and the fraction of the
// machine's sgemm peak, measured here in the same run: OpenBLAS's cblas_sgemm at 2048^3 on the
// same number of threads.
//
// bf16 (issue 28): where oneDNN has bf16 (avx512_core and up) it adds, beside the float32 rows,
// dermtl onednn with bf16 numerics and PyTorch under torch.autocast("cpu", dtype=torch.bfloat16),
// same batch, threads and step, and their fraction of a bf16 peak measured here too: oneDNN's bf16
// matmul (bf16 inputs, float32 accumulation and output) at 2048^3.
//
//   bench_throughput [iterations] [networks]     networks: any of vgg_m vgg_16 demo (default all)
//   (run from anywhere; needs /usr/bin/python3 with torch, and libopenblas0 for the peak)
//   DERMTL_BENCH_SKIP_CPU=1 leaves out the reference backend's rows (slow at 224x224).
#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/backend/onednn/ops.hpp"
#include "dermtl/backend/onednn/numerics.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;

namespace {

struct figures {
    double forward = 0, train = 0;  // images per second
};

// Multiply-adds of one image's forward pass through the convolution and dense layers (pooling,
// LRN and ReLU are memory-bound and not counted, as is usual for these figures).
template <class Net>
double forward_macs() {
    double macs = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_at<I>;
                using In = typename Net::template input_of<I>;
                using Out = typename Net::template shape_at<I>;
                if constexpr (requires { L::out_channels; L::kernel; })
                    macs += double(Out::size) * double(In::channels * L::kernel * L::kernel);
                else if constexpr (requires { L::units; })
                    macs += double(L::units) * double(In::size);
            }(),
            ...);
    }(std::make_index_sequence<Net::depth>{});
    return macs;
}
// A training step is the forward pass, backward-data and backward-weights: three times the
// forward's products (the first layer's backward-data is not needed, and not counted).
template <class Net>
double train_macs() {
    using L0 = typename Net::template layer_at<0>;
    using In0 = typename Net::template input_of<0>;
    using Out0 = typename Net::template shape_at<0>;
    return 3 * forward_macs<Net>() - double(Out0::size) * double(In0::channels * L0::kernel * L0::kernel);
}

template <class Net, class Backend>
figures measure(std::size_t batch, int iterations, backend::numerics numerics = {}) {
    using ops = backend::ops<Backend>;
    using In = typename Net::input_shape;
    nn::network<Net, Backend> net(1);
    net.set_numerics(numerics);
    rng gen(1);
    host_tensor hx({batch, In::channels, In::height, In::width});
    for (auto& v : hx) v = float(gen.normal()) * 50.0f;
    const typename ops::tensor x = ops::from_host(hx);
    std::vector<int> labels(batch);
    for (std::size_t i = 0; i < batch; ++i) labels[i] = int(i % Net::classes);
    typename ops::tensor grad;
    train::sgd_nesterov opt(net);
    auto seconds = [](auto&& body, int n) {
        body();  // warm-up: buffers allocated, primitives created, layouts chosen
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) body();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const double f = seconds([&] { net.forward(x, nn::mode::eval); }, iterations);
    const double t = seconds(
        [&] {
            ops::softmax_cross_entropy(net.forward(x, nn::mode::train), labels, grad);
            net.backward(grad);
            opt.step();
        },
        iterations);
    return {double(batch) * iterations / f, double(batch) * iterations / t};
}

figures torch_figures(const std::string& args) {
    const std::string cmd = "/usr/bin/python3 '" DERMTL_BENCHMARKS_DIR "/torch_throughput.py' " + args;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    figures out;
    if (!pipe || std::fscanf(pipe, "%lf %lf", &out.forward, &out.train) != 2)
        std::fprintf(stderr, "PyTorch run failed: %s\n", cmd.c_str());
    if (pipe) ::pclose(pipe);
    return out;
}

// OpenBLAS's sgemm at n^3 on `threads` threads, GFLOP/s (best of 5), or 0 if OpenBLAS is missing.
double sgemm_peak(int n, int threads) {
    void* lib = ::dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        std::fprintf(stderr, "sgemm peak: libopenblas.so.0 not found (apt-get install libopenblas0-pthread)\n");
        return 0;
    }
    using sgemm_t = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*,
                             int);
    using threads_t = void (*)(int);
    auto sgemm = reinterpret_cast<sgemm_t>(::dlsym(lib, "cblas_sgemm"));
    auto set_threads = reinterpret_cast<threads_t>(::dlsym(lib, "openblas_set_num_threads"));
    if (!sgemm) return 0;
    if (set_threads) set_threads(threads);
    std::vector<float> a(std::size_t(n) * n, 1.0f), b(std::size_t(n) * n, 0.5f), c(std::size_t(n) * n);
    constexpr int row_major = 101, no_trans = 111;
    double best = 0;
    for (int r = 0; r < 6; ++r) {
        const auto start = std::chrono::steady_clock::now();
        sgemm(row_major, no_trans, no_trans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (r > 0) best = std::max(best, 2.0 * n * n * double(n) / s / 1e9);  // the first run warms up
    }
    return best;
}

// oneDNN's bf16 matmul at n^3 (bf16 A and B, float32 C), GFLOP/s (best of 5), or 0 where oneDNN
// has no bf16. Run with the OpenMP threads the networks use.
double bf16_matmul_peak(int n) {
    if (!backend::onednn_detail::has_bf16()) return 0;
    using dnnl::memory;
    auto& eng = backend::onednn_detail::engine();
    auto& strm = backend::onednn_detail::stream();
    const memory::dims d{n, n};
    const memory::desc a(d, memory::data_type::bf16, memory::format_tag::ab),
        b(d, memory::data_type::bf16, memory::format_tag::ab), c(d, memory::data_type::f32, memory::format_tag::ab);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), eng);
    const dnnl::matmul mm(pd);
    memory ma(a, eng), mb(b, eng), mc(c, eng);
    std::fill_n(static_cast<std::uint16_t*>(ma.get_data_handle()), std::size_t(n) * n, std::uint16_t(0x3f80));  // 1.0
    std::fill_n(static_cast<std::uint16_t*>(mb.get_data_handle()), std::size_t(n) * n, std::uint16_t(0x3f00));  // 0.5
    std::fprintf(stderr, "bf16 peak: oneDNN matmul %s\n", pd.impl_info_str());
    double best = 0;
    for (int r = 0; r < 6; ++r) {
        const auto start = std::chrono::steady_clock::now();
        mm.execute(strm, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
        strm.wait();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (r > 0) best = std::max(best, 2.0 * n * n * double(n) / s / 1e9);
    }
    return best;
}

struct context {
    int iterations;
    double peak;       // GFLOP/s, sgemm
    double bf16_peak;  // GFLOP/s, oneDNN bf16 matmul (0: no bf16 here)
};

void header() {
    std::printf("| network | batch | pass | backend | precision | images/s | GFLOP/s | %% of peak | vs PyTorch |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
}

struct measured {
    figures cpu, dnn, torch, dnn_bf16, torch_bf16;
    bool has_cpu = true, has_bf16 = false;
};

// float32 rows against the sgemm peak and PyTorch float32; bf16 rows against the bf16 peak and
// PyTorch's bf16 autocast.
void rows(const char* name, std::size_t batch, double gflop_fwd, double gflop_train, const context& c, const measured& m) {
    auto line = [&](const char* pass, const char* backend, bool bf16, double ips, double gflop, double torch_ips) {
        const double rate = ips * gflop, peak = bf16 ? c.bf16_peak : c.peak;
        std::printf("| %s | %zu | %s | %s | %s | %.2f | %.1f | %.0f%% %s | %.2fx |\n", name, batch, pass, backend,
                    bf16 ? "bf16" : "float32", ips, rate, peak > 0 ? 100.0 * rate / peak : 0.0,
                    bf16 ? "bf16" : "sgemm", torch_ips > 0 ? ips / torch_ips : 0.0);
    };
    for (const bool train : {false, true}) {
        const char* pass = train ? "train" : "forward";
        const double g = train ? gflop_train : gflop_fwd;
        auto of = [&](const figures& f) { return train ? f.train : f.forward; };
        if (m.has_cpu) line(pass, "dermtl cpu", false, of(m.cpu), g, of(m.torch));
        line(pass, "dermtl onednn", false, of(m.dnn), g, of(m.torch));
        line(pass, "PyTorch", false, of(m.torch), g, of(m.torch));
        if (m.has_bf16) {
            line(pass, "dermtl onednn", true, of(m.dnn_bf16), g, of(m.torch_bf16));
            line(pass, "PyTorch autocast", true, of(m.torch_bf16), g, of(m.torch_bf16));
        }
    }
    std::fflush(stdout);
}

template <class Net>
void compare(const char* name, const std::string& torch_args, std::size_t batch, int iterations, const context& c) {
    const double gf = 2 * forward_macs<Net>() / 1e9, gt = 2 * train_macs<Net>() / 1e9;
    measured m;
    m.has_cpu = !std::getenv("DERMTL_BENCH_SKIP_CPU");
    if (m.has_cpu) m.cpu = measure<Net, backend::cpu>(batch, iterations);
    m.dnn = measure<Net, backend::onednn>(batch, iterations);
    const std::string args = torch_args + " " + std::to_string(batch) + " " + std::to_string(iterations) + " " +
                             std::to_string(omp_get_max_threads());
    m.torch = torch_figures(args + " float32");
    m.has_bf16 = c.bf16_peak > 0;
    if (m.has_bf16) {
        m.dnn_bf16 = measure<Net, backend::onednn>(batch, iterations, {backend::precision_kind::bf16, false});
        m.torch_bf16 = torch_figures(args + " bf16");
    }
    rows(name, batch, gf, gt, c, m);
}

bool wanted(int argc, char** argv, const std::string& name) {
    if (argc <= 2) return true;
    for (int i = 2; i < argc; ++i)
        if (name == argv[i]) return true;
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 3;
    if (iterations < 1) {
        std::fprintf(stderr, "bench_throughput: iterations must be at least 1, got '%s'\n", argv[1]);
        return 2;
    }
    const int threads = omp_get_max_threads();
    context c{iterations, sgemm_peak(2048, threads), bf16_matmul_peak(2048)};
    std::printf("%d OpenMP threads, %d timed iterations after one warm-up, batch 16 at 224x224.\n", threads,
                iterations);
    std::printf("sgemm peak (OpenBLAS cblas_sgemm, 2048^3, %d threads): %.1f GFLOP/s\n", threads, c.peak);
    if (c.bf16_peak > 0)
        std::printf("bf16 peak (oneDNN matmul, bf16 in, float32 out, 2048^3, %d threads): %.1f GFLOP/s; oneDNN ISA: %s\n",
                    threads, c.bf16_peak, backend::onednn_detail::effective_isa_name().c_str());
    else
        std::printf("bf16: not measured (oneDNN's ISA '%s' has no bf16 primitives: avx512_core and up)\n",
                    backend::onednn_detail::effective_isa_name().c_str());
    std::printf("GFLOP per image: VGG-M forward %.2f, train %.2f; VGG-16 forward %.2f, train %.2f\n",
                2 * forward_macs<models::vgg_m<2>>() / 1e9, 2 * train_macs<models::vgg_m<2>>() / 1e9,
                2 * forward_macs<models::vgg_16<2>>() / 1e9, 2 * train_macs<models::vgg_16<2>>() / 1e9);
    std::printf("PyTorch's configuration follows on stderr (torch.__config__.show()).\n\n");
    header();
    if (wanted(argc, argv, "demo"))
        compare<models::vgg_m_scaled<2>>("VGG-M scaled 64x64 /8", "vgg_m 64 8 2", 64, iterations * 10, c);
    if (wanted(argc, argv, "vgg_m")) compare<models::vgg_m<2>>("VGG-M 224", "vgg_m 224 1 2", 16, iterations, c);
    if (wanted(argc, argv, "vgg_16")) compare<models::vgg_16<2>>("VGG-16 224", "vgg_16 224 1 2", 16, iterations, c);
    return 0;
}
