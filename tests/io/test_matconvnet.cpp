// MatConvNet import/export: models written by an independent writer (scipy.io.savemat, in
// tests/oracles/matconvnet_models.py) with random weights in both layouts are loaded and run;
// the network's forward must equal PyTorch's forward of the same file, which proves the
// orientation of every filter (including fc6's 2x2 / 6x6 spatial kernel). Export is read back by
// scipy and by load_matconvnet. Bad files: test_matconvnet_bad_input.cpp.
#include "support/compare.hpp"
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "matconvnet_files.hpp"
#include "tiny_nets.hpp"

using namespace dermtl;
using dermtl::testing::relative_error;
namespace fs = std::filesystem;
using namespace dermtl::testing::matconvnet_files;

namespace {

using cpu_ops = backend::ops<backend::cpu>;

host_tensor random_input(std::size_t n, std::size_t size, std::uint64_t seed) {
    rng gen(seed);
    host_tensor x({n, 3, size, size});
    for (auto& v : x) v = float(gen.normal());
    return x;
}

// Our forward vs PyTorch's forward of the same .mat file: logits and relu7.
template <class Net>
void check_forward_against_torch(nn::network<Net, backend::cpu>& net, const fs::path& model, const host_tensor& x,
                                 const testing::scratch_dir& dir) {
    testing::save_npy(dir / "x.npy", x);
    testing::run_oracle("matconvnet_models.py", {"forward", model.string(), (dir / "x.npy").string(), dir.path().string()});
    const host_tensor logits = net.forward(x);
    CHECK(relative_error(logits, testing::load_npy<double>(dir / "logits.npy")) <= 1e-4);
    const host_tensor relu7 = net.template features<"fc7">(x);
    CHECK(relative_error(relu7, testing::load_npy<double>(dir / "relu7.npy")) <= 1e-4);
}

}  // namespace

TEST_CASE("newer layout (layers + meta): forward equals PyTorch's on the same file", "[io][matconvnet][torch]") {
    testing::scratch_dir dir("mcn-newer");
    const fs::path file = dir / "vggm.mat";
    write_model(file, "newer");
    nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
    const auto model = io::load_matconvnet(file, net);
    CHECK(model.layout == io::matconvnet_layout::newer);
    REQUIRE(model.layer_names.size() == 21);
    CHECK(model.layer_names[18] == "relu7");  // 0-based 18 = MatConvNet's layer 19, the paper's fc7 feature
    CHECK(model.layer_types[2] == "lrn");
    CHECK(model.class_names == std::vector<std::string>{"n00000000", "n00000001"});
    CHECK(model.class_descriptions == std::vector<std::string>{"class 0", "class 1"});
    CHECK(model.image_size == std::vector<double>{96, 96, 3});
    // Average image: H x W x 3 in RGB, the same values as the writer's array.
    const auto avg = testing::load_npy<double>(dir / "vggm_average.npy");
    REQUIRE(model.average_image.shape()[0] == 96);
    REQUIRE(model.average_image.shape()[2] == 3);
    CHECK(relative_error(model.average_image, avg) == 0);

    check_forward_against_torch(net, file, random_input(3, 96, 1), dir);
}

TEST_CASE("older layout (filters/biases, 'normalize', unpadded pool1/pool5) loads the same way",
          "[io][matconvnet][torch]") {
    testing::scratch_dir dir("mcn-older");
    const fs::path file = dir / "vggm-2014.mat";
    write_model(file, "older", {"--average", "per-channel"});
    nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
    const auto model = io::load_matconvnet(file, net);
    CHECK(model.layout == io::matconvnet_layout::older);
    CHECK(model.layer_types[2] == "normalize");
    REQUIRE(model.average_image.shape()[0] == 1);
    REQUIRE(model.average_image.shape()[1] == 1);
    CHECK(model.average_image(0, 0, 0) == Approx(123.68f));
    CHECK(model.average_image(0, 0, 2) == Approx(103.939f));
    CHECK(model.class_names.size() == 2);
    check_forward_against_torch(net, file, random_input(2, 96, 2), dir);
}

TEST_CASE("full VGG-M geometry at 224 (fc6 stored as 6x6 convolution, pools padded [0 1 0 1])",
          "[io][matconvnet][torch]") {
    // Widths / 8 keep it fast; the spatial path (109 -> 54 -> 26 -> 13 -> 6) is VGG-M's own.
    using vgg224 = models::vgg_m_t<1000, 224, 8>;
    testing::scratch_dir dir("mcn-224");
    const fs::path file = dir / "vggm224.mat";
    write_model(file, "newer", {}, 224, 8, 1000);
    nn::network<vgg224, backend::cpu> net(nn::uninitialized);
    io::load_matconvnet(file, net);
    CHECK(cpu_ops::dims(net.params(vgg224::find("fc6"))[0].value) == dims4{512, 64 * 6 * 6, 1, 1});
    check_forward_against_torch(net, file, random_input(1, 224, 3), dir);

    SECTION("the 2014 layout at 224 gives the same sizes") {
        const fs::path old = dir / "vggm224-2014.mat";
        write_model(old, "older", {}, 224, 8, 1000);
        nn::network<vgg224, backend::cpu> net2(nn::uninitialized);
        io::load_matconvnet(old, net2);
        check_forward_against_torch(net2, old, random_input(1, 224, 4), dir);
    }
}

TEST_CASE("VGG-16 (imagenet-vgg-verydeep-16.mat's layers, fc6 as a 7x7 convolution at 224) in both layouts",
          "[io][matconvnet][torch]") {
    // Widths / 16 keep it fast; the spatial path (224 -> 112 -> 56 -> 28 -> 14 -> 7) is VGG-16's own.
    using vgg16 = models::vgg_16_t<1000, 224, 16>;
    testing::scratch_dir dir("mcn-vgg16");
    for (const char* layout : {"newer", "older"}) {
        INFO(layout);
        const fs::path file = dir / (std::string("vgg16-") + layout + ".mat");
        write_model(file, layout, {"--arch", "vgg-16", "--average", "per-channel"}, 224, 16, 1000);
        nn::network<vgg16, backend::cpu> net(nn::uninitialized);
        const auto model = io::load_matconvnet(file, net);
        CHECK(model.layer_names[0] == "conv1_1");
        CHECK(cpu_ops::dims(net.params(vgg16::find("fc6"))[0].value) == dims4{256, 32 * 7 * 7, 1, 1});
        check_forward_against_torch(net, file, random_input(1, 224, 5), dir);
    }
}

TEST_CASE("export writes MatConvNet's newer layout: scipy/PyTorch and load_matconvnet read it back",
          "[io][matconvnet][torch]") {
    testing::scratch_dir dir("mcn-export");
    nn::network<small_vgg, backend::cpu> net(42);  // the paper's initialization, not a loaded file
    xt::xtensor<float, 3> avg = xt::xtensor<float, 3>::from_shape({96, 96, 3});
    for (std::size_t i = 0; i < avg.size(); ++i) avg.data()[i] = float(i % 251);
    io::matconvnet_export_options opt;
    opt.average_image = avg;
    opt.class_names = {"benign", "malignant"};
    const fs::path out = dir / "trained.mat";
    io::save_matconvnet(out, net, opt);
    CHECK(fs::exists(out));

    // An independent reader (scipy.io.loadmat + PyTorch) computes the same forward.
    check_forward_against_torch(net, out, random_input(2, 96, 5), dir);

    // And our importer gives back the very same parameters.
    nn::network<small_vgg, backend::cpu> back(nn::uninitialized);
    const auto model = io::load_matconvnet(out, back);
    CHECK(model.layout == io::matconvnet_layout::newer);
    CHECK(model.class_names == opt.class_names);
    CHECK(relative_error(model.average_image, avg) == 0);
    for (std::size_t i = 0; i < small_vgg::depth; ++i) {
        auto a = net.params(i);
        auto b = back.params(i);
        REQUIRE(a.size() == b.size());
        for (std::size_t k = 0; k < a.size(); ++k) {
            const bool same = a[k].value == b[k].value;
            CHECK(same);
        }
    }
}

TEST_CASE("each layer kind's matconvnet_layer writes MatConvNet's record and reads it back", "[io][matconvnet]") {
    // The trait seam without an oracle: every kind the nets use, named and unnamed, asymmetric
    // conv padding and a floor-rounded pool, through save_matconvnet and load_matconvnet.
    STATIC_REQUIRE(io::matconvnet_layer<nn::named<"drop6", nn::dropout<50>>>::may_be_absent);
    STATIC_REQUIRE(!io::matconvnet_layer<nn::named<"fc6", nn::dense<4>>>::may_be_absent);
    testing::scratch_dir dir("mcn-kinds");

    SECTION("VGG-M's kinds (tiny_vgg)") {
        using tiny = testing::tiny_vgg<3>;
        nn::network<tiny, backend::cpu> net(11);
        io::matconvnet_export_options opt;
        opt.append_softmax = false;
        opt.compress = false;
        io::save_matconvnet(dir / "tiny.mat", net, opt);
        nn::network<tiny, backend::cpu> back(nn::uninitialized);
        const auto model = io::load_matconvnet(dir / "tiny.mat", back);
        CHECK(model.layer_names == std::vector<std::string>(tiny::names.begin(), tiny::names.end()));
        CHECK(model.layer_types == std::vector<std::string>{"conv", "relu", "lrn", "pool", "conv", "relu", "dropout",
                                                            "conv", "relu", "dropout", "conv"});
        for (std::size_t i = 0; i < tiny::depth; ++i)
            for (std::size_t k = 0; k < net.params(i).size(); ++k) {
                INFO(tiny::label(i) << " parameter " << k);
                const bool same = net.params(i)[k].value == back.params(i)[k].value;
                CHECK(same);
            }
        const host_tensor x = testing::random_images(2, 3);
        CHECK(relative_error(back.forward(x), host_tensor(net.forward(x))) == 0);
    }
    SECTION("unnamed layers are written as layerN; asymmetric padding and floor rounding survive") {
        using odd = nn::net<nn::input<2, 9, 9>, nn::named<"conv1", nn::conv2d<3, 3, 2, padding{0, 1, 0, 1}>>, nn::relu,
                            nn::named<"pool1", nn::max_pool<2, 2, padding{}, rounding::floor>>,
                            nn::named<"fc", nn::dense<2>>>;
        nn::network<odd, backend::cpu> net(3);
        io::save_matconvnet(dir / "odd.mat", net);
        nn::network<odd, backend::cpu> back(nn::uninitialized);
        const auto model = io::load_matconvnet(dir / "odd.mat", back);
        CHECK(model.layer_names == std::vector<std::string>{"conv1", "layer2", "pool1", "fc", "prob"});
        const host_tensor x = testing::random_images(2, 4, 9);
        host_tensor x2({2, 2, 9, 9});
        std::copy_n(x.data(), x2.size(), x2.data());
        CHECK(relative_error(back.forward(x2), host_tensor(net.forward(x2))) == 0);
    }
}

TEST_CASE("transfer: a 1000-class file into a 2-class net, keeping fc8", "[io][matconvnet]") {
    testing::scratch_dir dir("mcn-keep");
    const fs::path file = dir / "imagenet.mat";
    write_model(file, "newer", {}, 96, 16, 1000);
    using two = models::vgg_m_t<2, 96, 16>;
    const std::string msg = message_of_load<two>(file);
    CHECK_THAT(msg, Catch::Contains("'fc8'") && Catch::Contains("1x1x256x2") && Catch::Contains("1x1x256x1000"));

    nn::network<two, backend::cpu> net(5);
    const host_tensor fc8_before = net.params(two::find("fc8"))[0].value;
    io::matconvnet_import_options opt;
    opt.keep = {"fc8"};
    io::load_matconvnet(file, net, opt);
    const bool kept = net.params(two::find("fc8"))[0].value == fc8_before;
    CHECK(kept);
}
