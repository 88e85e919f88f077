// The dermtl side of the ONNX export tests (tests/programs/onnx_export_test.sh): builds a network of
// one family with random weights (no training), a random linear SVM and Platt sigmoids, computes
// dermtl's own probabilities (the CPU backend's forward to fc7, svm::l2_normalize_rows, the SVM in
// double, protocol::class_probabilities) on random images, and writes
//   DIR/images.f32       the images, N x 3 x S x S float32 (RGB 0-255, what the graph takes)
//   DIR/reference.f64    per image: K probabilities then m decision values, float64
//   DIR/shape.txt        "N 3 S S K m"
// and either DIR/model.onnx through programs/onnx_export (mode `graph`), or a model folder
// DIR/model/ through io::write_model_folder (mode `folder`, for `dermtl export-onnx`).
//
//   onnx_reference graph|folder FAMILY CLASSES IMAGES SEED DIR [per-pixel|torchvision]
// FAMILY: vgg_m, vgg_16 or vgg_m_64_8. Preprocessing: per-channel mean (default), a per-pixel mean,
// or torchvision's (scale 1/255, its mean and std).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/model_folder.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/final_fit.hpp"
#include "dermtl/svm/feature_matrix.hpp"
#include "dermtl/svm/platt_scaling.hpp"
#include "programs/onnx_export.hpp"

namespace {

using namespace dermtl;
namespace ox = programs::onnx_export;

struct settings {
    bool folder = false;
    std::string family;
    std::size_t classes = 2, images = 2;
    std::uint64_t seed = 1;
    std::filesystem::path dir;
    std::string preprocessing = "per-channel";
};

template <class T>
void write_raw(const std::filesystem::path& file, const std::vector<T>& v) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
    if (!out) throw std::runtime_error("onnx_reference: cannot write " + file.string());
}

template <class Family, std::size_t Classes>
int run(const settings& s) {
    // fc8 is not exported, but a model folder holds it (and `dermtl predict` loads it): K classes.
    using Net = typename Family::template net<Classes>;
    using ops = backend::ops<backend::cpu>;
    constexpr std::size_t size = Net::input_shape::height;
    std::mt19937_64 gen(s.seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);

    // Gaussian weights scaled by 2/sqrt(fan-in) keep the activations at a useful scale through the
    // net (large enough that LRN's convention matters); biases 0.1 N(0, 1).
    nn::network<Net, backend::cpu> net(nn::uninitialized);
    std::vector<io::safetensors_tensor> tensors;
    for (std::size_t i = 0; i < Net::depth; ++i) {
        auto p = net.params(i);
        for (auto& q : p) {
            const dims4 d = ops::dims(q.value);
            const bool weight = q.role == nn::param_role::weight;
            const float scale = weight ? float(2.0 / std::sqrt(double(d[1] * d[2] * d[3]))) : 0.1f;
            host_tensor h(d);
            for (auto& v : h) v = scale * normal(gen);
            q.value = ops::from_host(h);
            io::safetensors_tensor t;
            t.name = std::string(Net::names[i]) + (weight ? ".weight" : ".bias");
            const std::string_view kind = Net::kinds[i];
            if (!weight) t.shape = {d[0]};
            else if (kind == "conv2d") t.shape = {d[0], d[1], d[2], d[3]};
            else t.shape = {d[0], d[1] * d[2] * d[3]};  // dense: [out, in]
            t.values.assign(h.begin(), h.end());
            tensors.push_back(std::move(t));
        }
    }

    // Preprocessing: x = (rgb * scale - mean) / std.
    double scale = 1.0;
    std::vector<float> std_dev;
    std::vector<std::size_t> mean_shape = {3, 1, 1};
    std::vector<float> mean;
    if (s.preprocessing == "torchvision") {
        scale = 1.0 / 255.0;
        mean = {0.485f, 0.456f, 0.406f};
        std_dev = {0.229f, 0.224f, 0.225f};
    } else if (s.preprocessing == "per-pixel") {
        mean_shape = {3, size, size};
        mean.resize(3 * size * size);
        for (auto& v : mean) v = 90.0f + 60.0f * uniform(gen);
    } else {
        mean = {123.68f, 116.78f, 103.94f};
    }

    // Images: integer pixel values (what a decoded image holds), N x 3 x S x S.
    const std::size_t n = s.images, hw = size * size;
    host_tensor images({n, 3, size, size});
    for (auto& v : images) v = std::floor(256.0f * uniform(gen));
    host_tensor input({n, 3, size, size});
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t c = 0; c < 3; ++c)
            for (std::size_t i = 0; i < hw; ++i) {
                const std::size_t at = (k * 3 + c) * hw + i;
                float x = images.data()[at];
                if (scale != 1.0) x = x * float(scale);
                x -= mean_shape[1] == 1 ? mean[c] : mean[c * hw + i];
                if (!std_dev.empty()) x /= std_dev[c];
                input.data()[at] = x;
            }

    // dermtl's pipeline: fc7 after ReLU, L2-normalized rows, the SVM in double, Platt.
    const host_tensor fc7 = ops::to_host(net.template features<"fc7">(ops::from_host(input)));
    const std::size_t d = fc7.size() / n;
    svm::feature_matrix x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
    std::copy(fc7.begin(), fc7.end(), x.data());
    svm::l2_normalize_rows(x);
    const std::size_t k = s.classes, rows = k == 2 ? 1 : k;
    io::model_svm svm;
    svm.c = 1.0;
    std::vector<io::model_platt> platt;
    for (std::size_t r = 0; r < rows; ++r) {
        std::vector<double> w(d);
        for (auto& v : w) v = 1.5 * normal(gen);
        svm.weights.push_back(std::move(w));
        svm.bias.push_back(0.3 * normal(gen));
        platt.push_back({-0.5 - 1.5 * uniform(gen), 0.4 * normal(gen)});
    }
    std::vector<double> reference;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> f(rows);
        std::vector<svm::platt_scaling> sigmoids;
        for (std::size_t r = 0; r < rows; ++r) {
            double v = svm.bias[r];
            for (std::size_t j = 0; j < d; ++j) v += svm.weights[r][j] * double(x(Eigen::Index(i), Eigen::Index(j)));
            f[r] = v;
            sigmoids.push_back(svm::platt_scaling{platt[r].a, platt[r].b});
        }
        // The project's per-class probabilities (what `dermtl predict` writes).
        const std::vector<double> p = protocol::class_probabilities(f, sigmoids);
        reference.insert(reference.end(), p.begin(), p.end());
        reference.insert(reference.end(), f.begin(), f.end());
    }

    std::filesystem::create_directories(s.dir);
    write_raw(s.dir / "images.f32", std::vector<float>(images.begin(), images.end()));
    write_raw(s.dir / "reference.f64", reference);
    std::ofstream(s.dir / "shape.txt") << n << " 3 " << size << " " << size << " " << k << " " << rows << "\n";

    std::vector<std::string> classes;
    for (std::size_t c = 0; c < k; ++c) classes.push_back(k == 2 ? (c ? "malignant" : "benign") : "class " + std::to_string(c));
    if (s.folder) {
        io::final_model m;
        m.cell = Family::name() + "/cpu/imagenet/finetune/test";
        m.fingerprint = "0123456789abcdef";
        m.version = "test";
        m.network = Family::name();
        m.classes = classes;
        m.input_size = int(size);
        m.preprocessing.preset = s.preprocessing == "torchvision" ? "torchvision" : "dermtl";
        m.preprocessing.per_pixel = mean_shape[1] != 1;
        m.preprocessing.mean_per_channel.assign(3, 0.0f);
        for (std::size_t c = 0; c < 3; ++c) {
            const std::size_t per = mean.size() / 3;
            double sum = 0;
            for (std::size_t i = 0; i < per; ++i) sum += mean[c * per + i];
            m.preprocessing.mean_per_channel[c] = float(sum / double(per));
        }
        m.preprocessing.scale = scale;
        m.preprocessing.std = std_dev;
        m.svm = svm;
        m.platt = platt;
        io::safetensors_tensor mt{io::model_mean_tensor, mean_shape, mean};
        tensors.push_back(std::move(mt));
        io::write_model_folder(s.dir / "model", m, tensors);
    } else {
        ox::model_description md;
        md.network = ox::describe_family(Family::name());
        md.classes = classes;
        md.tensors = std::move(tensors);
        md.mean_shape = mean_shape;
        md.mean = mean;
        md.scale = scale;
        md.std = std_dev;
        md.svm_weights = svm.weights;
        md.svm_bias = svm.bias;
        for (const auto& p : platt) md.calibration.push_back({p.a, p.b});
        md.metadata = {{"dermtl.network", Family::name()}};
        const auto summary = ox::write_onnx(md, s.dir / "model.onnx");
        std::cout << "onnx_reference: " << Family::name() << ", " << k << " classes: " << summary.nodes << " nodes, "
                  << summary.initializers << " initializers, " << summary.bytes << " bytes\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 7) {
            std::cerr << "usage: onnx_reference graph|folder FAMILY CLASSES IMAGES SEED DIR "
                         "[per-channel|per-pixel|torchvision]\n";
            return 2;
        }
        settings s;
        s.folder = std::string(argv[1]) == "folder";
        s.family = argv[2];
        s.classes = std::stoul(argv[3]);
        s.images = std::stoul(argv[4]);
        s.seed = std::stoull(argv[5]);
        s.dir = argv[6];
        if (argc > 7) s.preprocessing = argv[7];
        if (!ox::onnx_export_available() && !s.folder) {
            std::cout << "skipped: this build has no ONNX export (libonnx-dev, libprotobuf-dev)\n";
            return 77;
        }
        if (s.classes != 2 && s.classes != 3) {
            std::cerr << "onnx_reference: CLASSES must be 2 or 3, got " << s.classes << "\n";
            return 2;
        }
        const bool two = s.classes == 2;
        if (s.family == "vgg_m") return two ? run<models::vgg_m_family<>, 2>(s) : run<models::vgg_m_family<>, 3>(s);
        if (s.family == "vgg_16") return two ? run<models::vgg_16_family<>, 2>(s) : run<models::vgg_16_family<>, 3>(s);
        if (s.family == "vgg_m_64_8")
            return two ? run<models::vgg_m_family<64, 8>, 2>(s) : run<models::vgg_m_family<64, 8>, 3>(s);
        std::cerr << "onnx_reference: unknown family '" << s.family << "' (vgg_m, vgg_16, vgg_m_64_8)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "onnx_reference: " << e.what() << "\n";
        return 1;
    }
}
