// Forward and backward of every layer against PyTorch (Debian's python3-torch, float64), and a
// whole VGG-M forward at 224x224 on two images with the same random weights.
#include "layer_check.hpp"
#include "support/compare.hpp"
#include "support/oracle.hpp"

#include <fstream>

#include <nlohmann/json.hpp>
#include <xtensor/xadapt.hpp>

#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"

using namespace dermtl;
using dermtl::testing::relative_error;
using namespace dermtl::nn;
using testing::cpu_ops;
using testing::random_tensor;

namespace {

constexpr double tolerance = 1e-4;

template <class Layer, class In>
void check_against_torch(const nlohmann::json& spec, std::size_t batch, std::uint64_t seed) {
    testing::scratch_dir dir("parity");
    rng gen(seed);
    typename Layer::template impl<In, backend::cpu> layer;
    for (auto& p : layer.params()) p.value = random_tensor(cpu_ops::dims(p.value), gen, 0.3f);
    const host_tensor x = random_tensor({batch, In::channels, In::height, In::width}, gen);
    host_tensor y, dx;
    forward_context ctx{mode::eval, &gen};
    layer.forward(x, y, ctx);
    const host_tensor dy = random_tensor(cpu_ops::dims(y), gen);
    layer.backward(x, y, dy, &dx);

    std::ofstream(dir / "spec.json") << spec.dump();
    testing::save_npy(dir / "x.npy", x);
    testing::save_npy(dir / "dy.npy", dy);
    auto params = layer.params();
    if (!params.empty()) {
        testing::save_npy(dir / "w.npy", params[0].value);
        testing::save_npy(dir / "b.npy", params[1].value);
    }
    testing::run_oracle("torch_layers.py", {"layer", dir.path().string()});

    INFO(Layer::describe() << " on " << In::str() << " x " << batch);
    const auto ty = testing::load_npy<double>(dir / "y.npy");
    REQUIRE(ty.size() == y.size());
    CHECK(relative_error(y, ty) <= tolerance);
    CHECK(relative_error(dx, testing::load_npy<double>(dir / "dx.npy")) <= tolerance);
    if (!params.empty()) {
        CHECK(relative_error(params[0].grad, testing::load_npy<double>(dir / "dw.npy")) <= tolerance);
        CHECK(relative_error(params[1].grad, testing::load_npy<double>(dir / "db.npy")) <= tolerance);
    }
}

}  // namespace

TEST_CASE("conv2d matches PyTorch, including MatConvNet's asymmetric padding", "[nn][conv2d][torch]") {
    check_against_torch<conv2d<8, 3, 1, 1>, shape<3, 10, 9>>({{"kind", "conv2d"}, {"stride", 1}, {"pad", {1, 1, 1, 1}}},
                                                            3, 21);
    check_against_torch<conv2d<6, 7, 2>, shape<3, 23, 23>>({{"kind", "conv2d"}, {"stride", 2}, {"pad", {0, 0, 0, 0}}},
                                                          2, 22);
    check_against_torch<conv2d<5, 3, 2, padding{0, 1, 2, 0}>, shape<4, 9, 8>>(
        {{"kind", "conv2d"}, {"stride", 2}, {"pad", {0, 1, 2, 0}}}, 2, 23);
}

TEST_CASE("dense matches PyTorch on a flattened NCHW input", "[nn][dense][torch]") {
    check_against_torch<dense<9>, shape<4, 3, 5>>({{"kind", "dense"}}, 4, 24);
}

TEST_CASE("relu matches PyTorch", "[nn][relu][torch]") {
    check_against_torch<relu, shape<3, 6, 5>>({{"kind", "relu"}}, 2, 25);
}

TEST_CASE("lrn matches PyTorch with MatConvNet's alpha convention", "[nn][lrn][torch]") {
    // VGG-M's parameters, and a large alpha where the convention's factor of Size would show.
    check_against_torch<lrn<5>, shape<9, 4, 4>>(
        {{"kind", "lrn"}, {"size", 5}, {"kappa", 2.0}, {"alpha", 1e-4}, {"beta", 0.75}}, 2, 26);
    check_against_torch<lrn<5, 2.0f, 0.2f, 0.75f>, shape<9, 4, 4>>(
        {{"kind", "lrn"}, {"size", 5}, {"kappa", 2.0}, {"alpha", double(0.2f)}, {"beta", 0.75}}, 2, 27);
}

TEST_CASE("max_pool matches PyTorch with ceil and floor rounding and padding", "[nn][max_pool][torch]") {
    check_against_torch<max_pool<3, 2>, shape<3, 26, 26>>(
        {{"kind", "max_pool"}, {"kernel", 3}, {"stride", 2}, {"pad", {0, 0, 0, 0}}, {"ceil", true}}, 2, 28);
    check_against_torch<max_pool<3, 2, 1>, shape<2, 9, 10>>(
        {{"kind", "max_pool"}, {"kernel", 3}, {"stride", 2}, {"pad", {1, 1, 1, 1}}, {"ceil", true}}, 2, 29);
    check_against_torch<max_pool<3, 2, padding{0, 1, 0, 1}, rounding::floor>, shape<2, 26, 26>>(
        {{"kind", "max_pool"}, {"kernel", 3}, {"stride", 2}, {"pad", {0, 1, 0, 1}}, {"ceil", false}}, 2, 30);
}

TEST_CASE("softmax cross-entropy matches PyTorch's cross_entropy", "[nn][loss][torch]") {
    testing::scratch_dir dir("parity");
    rng gen(31);
    const host_tensor logits = random_tensor({6, 3, 1, 1}, gen, 3.0f);
    const std::vector<int> labels{0, 2, 1, 1, 0, 2};
    host_tensor grad;
    const double loss = cpu_ops::softmax_cross_entropy(logits, labels, grad);
    std::ofstream(dir / "spec.json") << R"({"kind": "softmax_cross_entropy"})";
    testing::save_npy(dir / "x.npy", logits);
    testing::save_npy(dir / "dy.npy", logits);
    testing::save_npy(dir / "labels.npy", xt::adapt(labels, {labels.size()}));
    testing::run_oracle("torch_layers.py", {"layer", dir.path().string()});
    CHECK(loss == Approx(testing::load_npy<double>(dir / "loss.npy")(0)).epsilon(1e-6));
    CHECK(relative_error(grad, testing::load_npy<double>(dir / "dx.npy")) <= tolerance);
}

TEST_CASE("a whole VGG-M forward at 224x224 matches PyTorch", "[nn][models][torch][slow]") {
    using vgg = models::vgg_m<2>;
    network<vgg, backend::cpu> net(uninitialized);
    rng gen(32);
    // Gaussian weights scaled by 1/sqrt(fan-in) keep activations at unit scale through 8 layers.
    net.for_each_param([&](std::size_t, param<backend::cpu>& p) {
        const auto d = p.value.shape();
        const float scale = p.role == param_role::weight ? float(1.0 / std::sqrt(double(d[1] * d[2] * d[3]))) : 0.1f;
        p.value = random_tensor({d[0], d[1], d[2], d[3]}, gen, scale * (p.role == param_role::weight ? 2.0f : 1.0f));
    });
    const host_tensor x = random_tensor({2, 3, 224, 224}, gen, 50.0f);  // mean-subtracted pixel scale
    const host_tensor logits = net.forward(x);
    const host_tensor relu7 = net.output<vgg::index_of<"relu7">>();
    const host_tensor tapped = net.features<"fc7">(x);
    CHECK(relative_error(tapped, relu7) == 0.0);

    testing::scratch_dir dir("vgg");
    testing::save_npy(dir / "x.npy", x);
    for (std::string_view name : {"conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"}) {
        auto p = net.params(vgg::find(name));
        REQUIRE(p.size() == 2);
        testing::save_npy(dir / (std::string(name) + "_w.npy"), p[0].value);
        testing::save_npy(dir / (std::string(name) + "_b.npy"), p[1].value);
    }
    testing::run_oracle("torch_layers.py", {"vgg_m", dir.path().string()});
    CHECK(relative_error(relu7, testing::load_npy<double>(dir / "relu7.npy")) <= tolerance);
    CHECK(relative_error(logits, testing::load_npy<double>(dir / "logits.npy")) <= tolerance);
}
