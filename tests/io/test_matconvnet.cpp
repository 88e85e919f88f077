// MatConvNet import/export: models written by an independent writer (scipy.io.savemat, in
// tests/oracles/matconvnet_models.py) with random weights in both layouts are loaded and run;
// the network's forward must equal PyTorch's forward of the same file, which proves the
// orientation of every filter (including fc6's 2x2 / 6x6 spatial kernel). Export is read back by
// scipy and by load_matconvnet. Bad files each have a test.
#include "support/compare.hpp"
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <zlib.h>

#include <matio.h>  // the test writes damaged and foreign MAT-files itself

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "tiny_nets.hpp"

using namespace dermtl;
using dermtl::testing::relative_error;
namespace fs = std::filesystem;

namespace {

using cpu_ops = backend::ops<backend::cpu>;
// VGG-M at 96x96 with widths / 16: pool5 leaves 2x2, so fc6 is a 2x2 kernel and the flatten order
// of a fully connected layer stored as a convolution is exercised.
using small_vgg = models::vgg_m_t<2, 96, 16>;

void write_model(const fs::path& out, const std::string& layout, std::vector<std::string> extra = {},
                 int size = 96, int div = 16, int classes = 2) {
    std::vector<std::string> args{"write",  out.string(),          "--layout", layout,
                                  "--size", std::to_string(size),  "--div",    std::to_string(div),
                                  "--classes", std::to_string(classes), "--seed", "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    testing::run_oracle("matconvnet_models.py", args);
}

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

template <class Net>
std::string message_of_load(const fs::path& file, io::matconvnet_import_options opt = {}) {
    nn::network<Net, backend::cpu> net(nn::uninitialized);
    try {
        io::load_matconvnet(file, net, opt);
    } catch (const error& e) {
        return e.what();
    }
    return "(no error)";
}

// MAT level-5 bytes built by hand (little-endian), for files whose structure is damaged in one
// known way: save_matconvnet and scipy only write consistent ones.
namespace mat_bytes {
std::string u32(std::uint32_t v) {
    std::string b;
    for (int i = 0; i < 4; ++i) b += char(v >> (8 * i) & 0xff);
    return b;
}
// A sub-element: tag (type, size), data, padding to 8 bytes.
std::string sub(std::uint32_t type, const std::string& data) {
    std::string b = u32(type) + u32(std::uint32_t(data.size())) + data;
    while (b.size() % 8) b += '\0';
    return b;
}
std::string int32s(const std::vector<std::int32_t>& v) {
    std::string b;
    for (auto x : v) b += u32(std::uint32_t(x));
    return b;
}
// A miMATRIX element of class `cls` (6 double, 1 cell, 2 struct), then `rest` (its parts).
std::string matrix(std::uint32_t cls, const std::vector<std::int32_t>& dims, const std::string& name,
                   const std::string& rest) {
    const std::string body = sub(6, u32(cls) + u32(0)) + sub(5, int32s(dims)) + sub(1, name) + rest;
    return u32(14) + u32(std::uint32_t(body.size())) + body;
}
// A struct's field-name length (a small int32) and its names, each padded to `length` bytes.
std::string field_names(std::uint32_t length, const std::vector<std::string>& names) {
    std::string all;
    for (auto n : names) {
        n.resize(length, '\0');
        all += n;
    }
    return u32(4u << 16 | 5) + u32(length) + sub(1, all);
}
// The whole file: header, then the top-level elements.
void write(const fs::path& file, const std::string& elements) {
    std::string header = "MATLAB 5.0 MAT-file, damaged on purpose by dermtl's tests";
    header.resize(124, ' ');
    header += std::string("\x00\x01IM", 4);
    std::ofstream(file, std::ios::binary) << header << elements;
}
// A miCOMPRESSED element holding `inner` deflated.
std::string compressed(const std::string& inner) {
    uLongf size = compressBound(uLong(inner.size()));
    std::string out(size, '\0');
    compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(inner.data()),
              uLong(inner.size()), 6);
    out.resize(size);
    return u32(15) + u32(std::uint32_t(size)) + out;
}
}  // namespace mat_bytes

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

TEST_CASE("bad weight files are reported clearly", "[io][matconvnet][bad_input]") {
    testing::scratch_dir dir("mcn-bad");
    // Written only by the sections that need it (each oracle run costs seconds).
    const fs::path good = dir / "good.mat";
    auto write_good = [&] { write_model(good, "newer"); };

    SECTION("missing file") {
        const auto msg = message_of_load<small_vgg>(dir / "absent.mat");
        CHECK_THAT(msg, Catch::Contains("absent.mat") && Catch::Contains("no such file"));
    }
    SECTION("not a MAT-file") {
        const fs::path text = dir / "weights.mat";
        std::ofstream(text) << "this is not a MAT-file, just text that is long enough to fill a header......"
                               "................................................................";
        CHECK_THAT(message_of_load<small_vgg>(text), Catch::Contains("not a MAT-file"));
        const fs::path tiny = dir / "tiny.mat";
        std::ofstream(tiny) << "MATLAB";
        CHECK_THAT(message_of_load<small_vgg>(tiny), Catch::Contains("not a MAT-file"));
    }
    SECTION("truncated file") {
        write_good();
        const fs::path cut = dir / "cut.mat";
        fs::copy_file(good, cut);
        fs::resize_file(cut, fs::file_size(good) / 2);
        const auto msg = message_of_load<small_vgg>(cut);
        CHECK_THAT(msg, Catch::Contains("cut.mat") && Catch::Contains("truncated"));
        CHECK_THROWS_AS(([&] {
            nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
            io::load_matconvnet(cut, net);
        }()), io_error);
    }
    SECTION("wrong network: every width differs") {
        write_good();
        const auto msg = message_of_load<models::vgg_m_t<2, 96, 8>>(good);
        CHECK_THAT(msg, Catch::Contains("'conv1'") && Catch::Contains("expected 7x7x3x12") &&
                            Catch::Contains("found 7x7x3x6"));
        CHECK_THROWS_AS(([&] {
            nn::network<models::vgg_m_t<2, 96, 8>, backend::cpu> net(nn::uninitialized);
            io::load_matconvnet(good, net);
        }()), shape_error);
    }
    SECTION("wrong network: VGG-16 names are not in a VGG-M file") {
        write_good();
        const auto msg = message_of_load<models::vgg_16_t<2, 32, 8>>(good);
        CHECK_THAT(msg, Catch::Contains("'conv1_1'") && Catch::Contains("not in the file"));
    }
    SECTION("wrong network: a renamed layer") {
        const fs::path renamed = dir / "renamed.mat";
        write_model(renamed, "newer", {"--rename", "conv3=conv3b"});
        const auto msg = message_of_load<small_vgg>(renamed);
        CHECK_THAT(msg, Catch::Contains("'conv3'") && Catch::Contains("conv3b"));
        io::matconvnet_import_options opt;
        opt.keep = {"conv3"};
        CHECK_THAT(message_of_load<small_vgg>(renamed, opt), Catch::Contains("'conv3b'") &&
                                                                 Catch::Contains("no counterpart"));
        opt.allow_extra_file_layers = true;
        CHECK(message_of_load<small_vgg>(renamed, opt) == "(no error)");
    }
    SECTION("pooling padding that gives other sizes than the network's") {
        const fs::path unpadded = dir / "unpadded.mat";
        write_model(unpadded, "newer", {"--unpadded-pools"});
        const auto msg = message_of_load<small_vgg>(unpadded);
        CHECK_THAT(msg, Catch::Contains("'pool2'") && Catch::Contains("expected 5x5") && Catch::Contains("found 4x4"));
    }
    SECTION("NaN weights") {
        const fs::path nan = dir / "nan.mat";
        write_model(nan, "older", {"--nan", "fc7"});
        const auto msg = message_of_load<small_vgg>(nan);
        CHECK_THAT(msg, Catch::Contains("'fc7'") && Catch::Contains("filters") && Catch::Contains("finite"));
        CHECK_THROWS_AS(([&] {
            nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
            io::load_matconvnet(nan, net);
        }()), numeric_error);
    }
    SECTION("complex arrays: filters, biases, a hyper-parameter and averageImage are each rejected by name") {
        // matio holds a complex array's data as a {Re, Im} pointer pair; reading it as numbers
        // read the pair and past it (a heap over-read that gave different weights each run).
        struct bad_field {
            const char* complex;  // the oracle's --complex argument
            std::vector<std::string> named;
        };
        for (const bad_field& b : {bad_field{"conv1.biases", {"'conv1'", "biases"}},
                                   bad_field{"fc7.filters", {"'fc7'", "filters"}},
                                   bad_field{"conv2.stride", {"'conv2'", "field 'stride'"}},
                                   bad_field{"averageImage", {"normalization", "averageImage"}}}) {
            INFO(b.complex);
            const fs::path file = dir / (std::string("complex-") + b.complex + ".mat");
            write_model(file, "newer", {"--complex", b.complex});
            const auto msg = message_of_load<small_vgg>(file);
            CHECK_THAT(msg, Catch::Contains(file.filename().string()) &&
                                Catch::Contains("expected a real numeric array, found a complex"));
            for (const auto& n : b.named) CHECK_THAT(msg, Catch::Contains(n));
            CHECK_THROWS_AS(([&] {
                nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
                io::load_matconvnet(file, net);
            }()), io_error);
        }
    }
    SECTION("corrupted compressed (zlib) data is reported as such, naming the variable") {
        write_good();
        // scipy writes `layers` (nearly all of the file) then `meta`, each zlib-compressed. Bytes
        // flipped in the middle leave the stream's start (and the variable's name) readable; matio
        // itself would return whatever they inflate to, without an error.
        const fs::path bad = dir / "flipped.mat";
        fs::copy_file(good, bad);
        {
            std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
            const auto middle = std::streamoff(fs::file_size(bad) / 2);
            f.seekg(middle);
            char bytes[16];
            f.read(bytes, sizeof bytes);
            for (char& c : bytes) c = char(c ^ 0x5a);
            f.seekp(middle);
            f.write(bytes, sizeof bytes);
        }
        const auto msg = message_of_load<small_vgg>(bad);
        CHECK_THAT(msg, Catch::Contains("flipped.mat") && Catch::Contains("compressed data is corrupt") &&
                            Catch::Contains("variable 'layers'") && Catch::Contains("zlib"));
        CHECK_THROWS_AS(([&] {
            nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
            io::load_matconvnet(bad, net);
        }()), io_error);
        CHECK(message_of_load<small_vgg>(good) == "(no error)");
    }
    SECTION("a MAT-file that is not a MatConvNet model") {
        const fs::path other = dir / "other.mat";
        nn::network<small_vgg, backend::cpu> net(1);
        io::save_matconvnet(other, net);
        // Rewrite it without `layers`: export an average image only through matio.
        mat_t* mat = Mat_CreateVer(other.string().c_str(), nullptr, MAT_FT_MAT5);
        size_t dims[2] = {1, 1};
        double v = 1;
        matvar_t* var = Mat_VarCreate("x", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, &v, 0);
        Mat_VarWrite(mat, var, MAT_COMPRESSION_NONE);
        Mat_VarFree(var);
        Mat_Close(mat);
        CHECK_THAT(message_of_load<small_vgg>(other), Catch::Contains("no top-level 'layers'"));
    }
}

TEST_CASE("a damaged MAT structure is refused before matio allocates what it claims", "[io][matconvnet][bad_input]") {
    // matio 1.5.23 allocates a variable's claimed size before reading it: damaged dims made it ask
    // for 14 GB or 16 EB from a 7.5 KB file (tests/fuzz/findings/mat/). mat_structure.hpp checks
    // every claim against the bytes first; each case below damages one claim.
    using namespace mat_bytes;
    testing::scratch_dir dir("mcn-structure");
    const fs::path file = dir / "damaged.mat";
    const std::string eight_bytes = sub(9, std::string(8, '\0'));  // one double
    // The load's message; unless `other`, it must name the file, the damage and the variable 'layers'.
    auto message = [&](const std::string& elements, bool other = false) {
        write(file, elements);
        const auto msg = message_of_load<small_vgg>(file);
        if (!other)
            CHECK_THAT(msg, Catch::Contains("damaged.mat") && Catch::Contains("structure is damaged") &&
                                Catch::Contains("variable 'layers'"));
        CHECK_THROWS_AS(([&] {
            nn::network<small_vgg, backend::cpu> net(nn::uninitialized);
            io::load_matconvnet(file, net);
        }()), io_error);
        return msg;
    };

    SECTION("a consistent hand-built file passes the check (and is then not a MatConvNet model)") {
        CHECK_THAT(message(matrix(6, {1, 1}, "x", eight_bytes), true), Catch::Contains("no top-level 'layers'"));
        CHECK_THAT(message(compressed(matrix(6, {1, 1}, "x", eight_bytes)), true), Catch::Contains("no top-level 'layers'"));
    }
    SECTION("numeric dims that claim more values than the data holds") {
        const auto msg = message(matrix(6, {1000, 1000}, "layers", eight_bytes));
        CHECK_THAT(msg, Catch::Contains("1000x1000 claim 1000000 double elements (8000000 bytes of double)") &&
                            Catch::Contains("the real part holds 8 bytes"));
    }
    SECTION("the same inside a compressed variable") {
        const auto msg = message(compressed(matrix(6, {1000, 1000}, "layers", eight_bytes)));
        CHECK_THAT(msg, Catch::Contains("8000000 bytes of double") && Catch::Contains("holds 8 bytes"));
    }
    SECTION("a compressed stream that inflates to more than its matrix declares") {
        const auto msg = message(compressed(matrix(6, {1, 1}, "layers", eight_bytes) + std::string(64, '\0')));
        CHECK_THAT(msg, Catch::Contains("inflates to") && Catch::Contains("more than the 72 bytes its matrix tag declares"));
    }
    SECTION("a cell whose dims claim 2^32 cells") {
        const auto msg = message(matrix(1, {65536, 65536}, "layers", matrix(6, {1, 1}, "", eight_bytes)));
        CHECK_THAT(msg, Catch::Contains("65536x65536 claim 4294967296 cells") &&
                            Catch::Contains("the cell holds 64 bytes"));
    }
    SECTION("a struct in a cell whose dims claim more structs than its fields hold, named by path") {
        const std::string layer = matrix(2, {1000, 1000}, "", field_names(8, {"name", "type"}) +
                                                                  matrix(6, {1, 1}, "", eight_bytes) +
                                                                  matrix(6, {1, 1}, "", eight_bytes));
        const auto msg = message(matrix(1, {1, 1}, "layers", layer));
        CHECK_THAT(msg, Catch::Contains("at layers{1}:") &&
                            Catch::Contains("1000x1000 claim 1000000 structs of 2 fields (2000000 matrix elements"));
    }
    SECTION("a field's own damage is named by its field path") {
        const std::string layer = matrix(2, {1, 1}, "", field_names(8, {"name", "weights"}) +
                                                            matrix(6, {1, 1}, "", eight_bytes) +
                                                            matrix(6, {3, 3}, "", eight_bytes));
        const auto msg = message(matrix(1, {1, 2}, "layers", matrix(6, {0, 0}, "", "") + layer));
        CHECK_THAT(msg, Catch::Contains("at layers{2}.weights:") && Catch::Contains("3x3 claim 9 double"));
    }
    SECTION("a struct whose field-name length is zero, or does not divide the names") {
        CHECK_THAT(message(matrix(2, {1, 1}, "layers", field_names(0, {}))),
                   Catch::Contains("field name length") && Catch::Contains("value 0"));
        const std::string odd = u32(4u << 16 | 5) + u32(8) + sub(1, std::string(12, 'a'));
        CHECK_THAT(message(matrix(2, {1, 1}, "layers", odd)),
                   Catch::Contains("12 bytes are not a whole number of 8-byte names"));
    }
    SECTION("a negative dimension") {
        CHECK_THAT(message(matrix(6, {1, -3}, "layers", eight_bytes)),
                   Catch::Contains("dimension 2 is -3"));
    }
    SECTION("a sub-element that claims more bytes than its matrix holds") {
        const auto msg = message(matrix(6, {1, 1}, "layers", u32(9) + u32(4000000000u) + std::string(8, '\0')));
        CHECK_THAT(msg, Catch::Contains("real part: a double sub-element claims 4000000000 bytes"));
    }
    SECTION("a matrix size that is not a multiple of 8") {
        std::string bad = matrix(6, {1, 1}, "layers", eight_bytes);
        bad.replace(4, 4, u32(std::uint32_t(bad.size() - 8 - 4)));
        CHECK_THAT(message(bad, true), Catch::Contains("damaged.mat") && Catch::Contains("not a multiple of 8"));
    }
    SECTION("every fuzz finding is refused as a dermtl error naming its file") {
        for (const auto& entry : fs::directory_iterator(testing::tests_dir() / "fuzz" / "findings" / "mat")) {
            INFO(entry.path());
            const auto msg = message_of_load<small_vgg>(entry.path());
            CHECK_THAT(msg, Catch::Contains(entry.path().filename().string()));
            CHECK(msg != "(no error)");
        }
    }
}
