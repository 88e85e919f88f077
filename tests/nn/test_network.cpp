// network<Net, cpu>: compile-time shapes and counts, run-time errors that name the layer,
// initialization, feature taps, and a tiny scaled VGG-M overfitting a 16-image set.
#include "layer_check.hpp"

#include <cmath>
#include <vector>

#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/loss.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/train/sgd.hpp"

using namespace dermtl;
using namespace dermtl::nn;
using testing::random_tensor;

namespace {
bool same_values(const host_tensor& a, const host_tensor& b) {
    return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}
}  // namespace

TEST_CASE("VGG-M shapes per layer at 224x224 and parameter counts", "[nn][models][shape]") {
    using m = models::vgg_m<2>;
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::index_of<"conv1">>, shape<96, 109, 109>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::index_of<"pool1">>, shape<96, 54, 54>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::index_of<"conv2">>, shape<256, 26, 26>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::index_of<"pool2">>, shape<256, 13, 13>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::index_of<"conv5">>, shape<512, 13, 13>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::index_of<"pool5">>, shape<512, 6, 6>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<3>, shape<96, 54, 54>>);
    STATIC_REQUIRE(std::is_same_v<m::shape_at<m::tap_index<"fc7">>, shape<4096, 1, 1>>);
    STATIC_REQUIRE(m::names[m::tap_index<"fc7">] == "relu7");
    STATIC_REQUIRE(m::parameter_count == 98'819'714);
    STATIC_REQUIRE(models::vgg_m<1000>::parameter_count == 102'908'520);
    STATIC_REQUIRE(models::vgg_16<2>::parameter_count == 134'268'738);
    STATIC_REQUIRE(models::vgg_16<1000>::parameter_count == 138'357'544);
    using v16 = models::vgg_16<2>;
    STATIC_REQUIRE(std::is_same_v<v16::shape_at<v16::index_of<"pool5">>, shape<512, 7, 7>>);
    STATIC_REQUIRE(std::is_same_v<v16::shape_at<v16::index_of<"pool3">>, shape<256, 28, 28>>);
    // Floor rounding would break fc6: pool2 gives 12x12 and pool5 5x5.
    STATIC_REQUIRE(window_count(26, 3, 2, 0, 0, rounding::floor) == 12);
    CHECK(m::summary().find("layer 19 'relu7' (relu) -> 4096x1x1") != std::string::npos);
}

TEST_CASE("the scaled variants keep VGG's structure at laptop sizes", "[nn][models][shape]") {
    using s = models::vgg_m_scaled<3>;
    STATIC_REQUIRE(s::depth == models::vgg_m<3>::depth);
    STATIC_REQUIRE(std::is_same_v<s::shape_at<s::index_of<"pool5">>, shape<64, 1, 1>>);
    STATIC_REQUIRE(s::classes == 3);
    using s16 = models::vgg_16_scaled<2>;
    STATIC_REQUIRE(std::is_same_v<s16::shape_at<s16::index_of<"pool5">>, shape<64, 1, 1>>);
}

using tiny = net<input<3, 8, 8>, named<"conv", conv2d<4, 3, 1, 1>>, named<"act", relu>, max_pool<2>,
                 named<"fc", dense<3>>>;

TEST_CASE("run-time shape errors name the layer, the expected and the found shape", "[nn][errors]") {
    network<tiny, backend::cpu> n(1);
    const host_tensor wrong({2, 3, 9, 8});
    try {
        n.forward(wrong);
        FAIL("a mismatched input was accepted");
    } catch (const shape_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("layer 0 'conv'") != std::string::npos);
        CHECK(msg.find("expected N x 3x8x8") != std::string::npos);
        CHECK(msg.find("[2,3,9,8]") != std::string::npos);
    }
    const host_tensor empty({0, 3, 8, 8});
    CHECK_THROWS_WITH(n.forward(empty), Catch::Contains("empty batch"));
    const host_tensor ok({2, 3, 8, 8}, 0.1f);
    n.forward(ok);
    const host_tensor bad_grad({2, 4, 1, 1});
    CHECK_THROWS_AS(n.backward(bad_grad), shape_error);
}

TEST_CASE("NaN or Inf produced in a forward pass names the layer that produced it", "[nn][errors]") {
    network<tiny, backend::cpu> n(2);
    n.params(3)[0].value(1, 5, 0, 0) = std::numeric_limits<float>::infinity();  // fc weight
    rng gen(3);
    const host_tensor x = random_tensor({2, 3, 8, 8}, gen);
    try {
        n.forward(x);
        FAIL("a non-finite output went unnoticed");
    } catch (const numeric_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("layer 3 'fc' (dense<3>)") != std::string::npos);
        CHECK(msg.find("its input was finite") != std::string::npos);
    }
    host_tensor nan_input = x;
    nan_input(1, 2, 3, 4) = std::nanf("");
    network<tiny, backend::cpu> m(2);
    CHECK_THROWS_WITH(m.forward(nan_input), Catch::Contains("layer 0 'conv'") && Catch::Contains("sample 1"));
}

TEST_CASE("initialization: orthogonal weights, biases 0.05, fixed by the seed", "[nn][init]") {
    network<tiny, backend::cpu> a(7), b(7), c(8);
    const host_tensor& w = a.params(0)[0].value;  // 4 x 27: rows orthonormal
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < 27; ++k) dot += double(w.data()[i * 27 + k]) * double(w.data()[j * 27 + k]);
            CHECK(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-5));
        }
    for (float v : a.params(0)[1].value) CHECK(v == 0.05f);
    CHECK(same_values(a.params(3)[0].value, b.params(3)[0].value));
    CHECK_FALSE(same_values(a.params(3)[0].value, c.params(3)[0].value));
    // A tall matrix (dense 3 <- 64 is wide; check a tall one directly): columns orthonormal.
    rng gen(9);
    host_tensor tall({10, 3, 1, 1});
    orthogonal(tall, gen, 2.0f);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < 10; ++k) dot += double(tall.data()[k * 3 + i]) * double(tall.data()[k * 3 + j]);
            CHECK(dot == Approx(i == j ? 4.0 : 0.0).margin(1e-5));
        }
}

TEST_CASE("dropout: identity in eval, seeded inverted masks in training", "[nn][dropout]") {
    dropout<30>::impl<shape<100, 10, 10>, backend::cpu> layer;
    const host_tensor x({4, 100, 10, 10}, 1.0f);
    host_tensor y;
    rng g1(5), g2(5);
    forward_context eval{mode::eval, &g1};
    layer.forward(x, y, eval);
    CHECK(same_values(y, x));
    forward_context train{mode::train, &g1};
    layer.forward(x, y, train);
    std::size_t zeros = 0;
    for (float v : y) {
        REQUIRE((v == 0.0f || std::abs(v - 1.0f / 0.7f) < 1e-6f));
        zeros += v == 0.0f;
    }
    CHECK(double(zeros) / double(y.size()) == Approx(0.3).margin(0.02));
    host_tensor y2;
    forward_context train2{mode::train, &g2};
    layer.forward(x, y2, train2);
    CHECK(same_values(y2, y));
}

TEST_CASE("softmax cross-entropy is stable for huge logits", "[nn][loss]") {
    host_tensor logits({2, 2, 1, 1});
    logits(0, 0, 0, 0) = 1e4f;
    logits(0, 1, 0, 0) = 0.0f;
    logits(1, 0, 0, 0) = -1e4f;
    logits(1, 1, 0, 0) = 1e4f;
    const std::vector<int> labels{1, 1};
    host_tensor grad;
    const double loss = softmax_cross_entropy<backend::cpu>(logits, std::span<const int>(labels), grad);
    CHECK(loss == Approx(1e4 / 2.0));  // sample 0 costs 1e4, sample 1 costs 0
    CHECK(grad(0, 0, 0, 0) == Approx(0.5));
    CHECK(grad(0, 1, 0, 0) == Approx(-0.5));
    const std::vector<int> out_of_range{0, 2};
    CHECK_THROWS_AS(softmax_cross_entropy<backend::cpu>(logits, std::span<const int>(out_of_range), grad), config_error);
}

TEST_CASE("a tiny scaled VGG-M overfits 16 images to near-zero training loss", "[nn][train]") {
    using small = models::vgg_m_t<2, 64, 16>;
    network<small, backend::cpu> net(11);
    rng gen(12);
    const host_tensor x = random_tensor({16, 3, 64, 64}, gen, 40.0f);
    std::vector<int> labels(16);
    for (std::size_t i = 0; i < 16; ++i) labels[i] = int(i % 2);
    train::sgd_nesterov opt(net, {.learning_rate = 0.01f, .momentum = 0.9f, .l2 = 0.0f});
    host_tensor grad;
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
        const double loss = softmax_cross_entropy<backend::cpu>(net.forward(x, mode::train), labels, grad);
        if (step == 0) first = loss;
        net.backward(grad);
        opt.step();
    }
    last = softmax_cross_entropy<backend::cpu>(net.forward(x, mode::eval), labels, grad);
    INFO("loss " << first << " -> " << last);
    CHECK(first > 0.5);
    CHECK(last < 0.02);
}
