// safetensors in and out (issue 27): files written by an independent Python writer
// (tests/oracles/safetensors_vgg.py, struct + json) from VGG-16s built in PyTorch in torchvision's
// and timm's module layouts load into dermtl's VGG-16, whose fc7 and fc8 must equal PyTorch's
// forward within 1e-4 of their scale -- on the normalized input both take, and, with the preset
// folded into conv1, on dermtl's own input (pixels minus the mean at 0-255). F16 and BF16 are
// checked against numpy's and torch's conversions for all 65536 bit patterns; dermtl's own export
// is read by the Python reader into PyTorch. Every kind of bad file is refused naming the file and
// the tensor.
#include "support/compare.hpp"
#include "support/oracle.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/safetensors.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/models/weight_maps.hpp"
#include "dermtl/nn/network.hpp"
#include "dermtl/protocol/imagenet_weights.hpp"
#include "tiny_nets.hpp"

using namespace dermtl;
using dermtl::testing::relative_error;
namespace fs = std::filesystem;

namespace {

using small_vgg16 = models::vgg_16_scaled<3>;  // 32 px, widths / 8: fc6 takes 64 x 1 x 1

struct oracle_model {
    fs::path file;
    host_tensor pixels, x;
    xt::xarray<double> fc7, fc8;
};

// Runs the oracle once for every layout and dtype of the comma-separated lists; read_model reads one.
void make_models(const testing::scratch_dir& dir, const std::string& layouts, int size, int div, int classes,
                 int images, const std::string& dtypes = "F32") {
    testing::run_oracle("safetensors_vgg.py",
                        {"model", dir.path().string(), "--layout", layouts, "--size", std::to_string(size), "--div",
                         std::to_string(div), "--classes", std::to_string(classes), "--images", std::to_string(images),
                         "--seed", "5", "--dtype", dtypes});
}

oracle_model read_model(const testing::scratch_dir& scratch, const std::string& layout, const std::string& dtype = "F32") {
    oracle_model m;
    const fs::path dir = scratch / (layout + "-" + dtype);
    m.file = dir / "model.safetensors";
    auto to_host = [](const xt::xarray<float>& a) {
        host_tensor h({a.shape()[0], a.shape()[1], a.shape()[2], a.shape()[3]});
        std::copy(a.begin(), a.end(), h.begin());
        return h;
    };
    m.pixels = to_host(testing::load_npy<float>(dir / "pixels.npy"));
    m.x = to_host(testing::load_npy<float>(dir / "x.npy"));
    m.fc7 = testing::load_npy<double>(dir / "fc7.npy");
    m.fc8 = testing::load_npy<double>(dir / "fc8.npy");
    return m;
}

// pixels - the preset's mean at 0-255: dermtl's own input convention.
host_tensor centered(host_tensor pixels, const models::preprocessing_preset& p) {
    const auto mean = p.mean_255();
    const auto d = dims_of(pixels);
    for (std::size_t n = 0; n < d[0]; ++n)
        for (std::size_t c = 0; c < 3; ++c)
            for (std::size_t i = 0; i < d[2] * d[3]; ++i) pixels.data()[(n * 3 + c) * d[2] * d[3] + i] -= mean[c];
    return pixels;
}

// fc8 and fc7 (before relu7) of `net` on x, against the oracle's.
template <class Net>
void check_taps(nn::network<Net, backend::cpu>& net, const host_tensor& x, const oracle_model& m, double tolerance) {
    // fc7 before relu7: its own pass (a backend may fuse the ReLU into the layer's output).
    const host_tensor fc7 = net.template forward_through<Net::template index_of<"fc7">>(x);
    const host_tensor fc8 = net.forward(x);
    CHECK(relative_error(fc7, m.fc7) <= tolerance);
    CHECK(relative_error(fc8, m.fc8) <= tolerance);
}

// Loads the oracle's file with the given names and checks it both ways: on the normalized input,
// then with the preset folded into conv1 on pixels minus the mean at 0-255.
template <class Net>
void check_layout(const oracle_model& m, models::weight_names names, double tolerance) {
    nn::network<Net, backend::cpu> net(nn::uninitialized);
    CHECK(models::load_network_safetensors(m.file, net) == names);  // names detected from the file
    check_taps(net, m.x, m, tolerance);
    const auto preset = models::preset_of(names);
    models::fold_preset_into_first_conv(net, preset);
    check_taps(net, centered(m.pixels, preset), m, tolerance);
}

// A file made byte by byte (not by the writer under test): the 8-byte length, the header, the data.
fs::path raw_file(const testing::scratch_dir& dir, const std::string& name, const std::string& header,
                  std::size_t data_bytes, std::uint64_t length_override = 0) {
    const fs::path p = dir / name;
    std::ofstream out(p, std::ios::binary);
    const std::uint64_t n = length_override ? length_override : header.size();
    for (int i = 0; i < 8; ++i) out.put(char((n >> (8 * i)) & 0xff));
    out << header;
    for (std::size_t i = 0; i < data_bytes; ++i) out.put(char(0));
    return p;
}

}  // namespace

TEST_CASE("F16 and BF16 convert to float32 as numpy and torch do, for every bit pattern", "[io][safetensors][torch]") {
    testing::scratch_dir dir("safetensors-dtypes");
    testing::run_oracle("safetensors_vgg.py", {"dtypes", dir.path().string()});
    const auto f16 = testing::load_npy<float>(dir / "f16.npy");
    const auto bf16 = testing::load_npy<float>(dir / "bf16.npy");
    REQUIRE(f16.size() == 65536);
    REQUIRE(bf16.size() == 65536);
    std::size_t f16_bad = 0, bf16_bad = 0;
    for (std::uint32_t b = 0; b < 65536; ++b) {
        const float h = io::half_to_float(std::uint16_t(b)), bf = io::bfloat16_to_float(std::uint16_t(b));
        // NaNs: both NaN with the same sign (numpy may quiet a signalling NaN's payload).
        auto same = [](float ours, float theirs) {
            if (std::isnan(theirs)) return std::isnan(ours) && std::signbit(ours) == std::signbit(theirs);
            return std::bit_cast<std::uint32_t>(ours) == std::bit_cast<std::uint32_t>(theirs);
        };
        f16_bad += !same(h, f16(b));
        bf16_bad += !same(bf, bf16(b));
    }
    CHECK(f16_bad == 0);
    CHECK(bf16_bad == 0);
    // A few by hand: the largest half, the smallest subnormal half, negative zero.
    CHECK(io::half_to_float(0x7bff) == 65504.0f);
    CHECK(io::half_to_float(0x0001) == std::ldexp(1.0f, -24));
    CHECK(std::signbit(io::half_to_float(0x8000)));
}

TEST_CASE("torchvision's VGG-16 at full size: fc7 and fc8 match PyTorch", "[io][safetensors][torch][slow]") {
    testing::scratch_dir dir("safetensors-tv");
    make_models(dir, "torchvision", 224, 1, 1000, 1);
    const oracle_model m = read_model(dir, "torchvision");
    check_layout<models::vgg_16<1000>>(m, models::weight_names::torchvision, 1e-4);
}

TEST_CASE("timm's VGG-16 at 224 px: fc7 and fc8 match PyTorch", "[io][safetensors][torch][slow]") {
    // Widths / 4 keep the run short; pre_logits.fc1 is still a 7x7 convolution over pool5.
    testing::scratch_dir dir("safetensors-timm");
    make_models(dir, "timm", 224, 4, 1000, 2);
    const oracle_model m = read_model(dir, "timm");
    check_layout<models::vgg_16_t<1000, 224, 4>>(m, models::weight_names::timm, 1e-4);
}

TEST_CASE("F16 and BF16 files load as float32, also as --imagenet-weights", "[io][safetensors][torch]") {
    testing::scratch_dir dir("safetensors-half");
    make_models(dir, "torchvision,timm", 32, 8, 3, 2, "F16,BF16");
    for (const std::string dtype : {"F16", "BF16"}) {
        for (const std::string layout : {"torchvision", "timm"}) {
            INFO(layout << " " << dtype);
            const oracle_model m = read_model(dir, layout, dtype);
            nn::network<small_vgg16, backend::cpu> net(nn::uninitialized);
            models::load_network_safetensors(m.file, net);
            check_taps(net, m.x, m, 1e-4);

            // As --imagenet-weights: the preset's mean at 0-255 to subtract, its std folded into conv1.
            nn::network<small_vgg16, backend::cpu> via(nn::uninitialized);
            const io::mean_image mean = protocol::load_imagenet_weights(m.file, via);
            REQUIRE(mean.is_per_channel());
            CHECK(mean.at(0, 0, 0) == Approx(0.485 * 255));
            CHECK(mean.at(0, 0, 2) == Approx(0.406 * 255));
            const auto names = layout == "timm" ? models::weight_names::timm : models::weight_names::torchvision;
            check_taps(via, centered(m.pixels, models::preset_of(names)), m, 1e-4);

            // The preset enters the fingerprint; a file that is not safetensors adds nothing.
            protocol::fingerprint f;
            protocol::describe_imagenet_preprocessing(f, m.file);
            REQUIRE(f.fields().size() == 1);
            CHECK(f.fields()[0].first == "source_preprocessing");
            CHECK(f.fields()[0].second == nlohmann::json::parse(models::preset_json(models::preset_of(names))));
            protocol::fingerprint none;
            protocol::describe_imagenet_preprocessing(none, dir / (layout + "-" + dtype) / "x.npy");
            protocol::describe_imagenet_preprocessing(none, {});
            CHECK(none.fields().empty());
        }
    }
}

TEST_CASE("dermtl's export: PyTorch loads it, and it reads back to the same weights", "[io][safetensors][torch]") {
    testing::scratch_dir dir("safetensors-dermtl");
    nn::network<small_vgg16, backend::cpu> net(11);
    const auto tensors = models::network_tensors(net);
    REQUIRE(tensors.size() == 16 * 2);
    CHECK(tensors.front().name == "conv1_1.weight");
    CHECK(tensors.front().shape == std::vector<std::size_t>{8, 3, 3, 3});
    CHECK(tensors[26].name == "fc6.weight");
    CHECK(tensors[26].shape == std::vector<std::size_t>{512, 64});
    const fs::path file = dir / "net.safetensors";
    io::write_safetensors(file, tensors, {{"dermtl.format", "test"}});

    // Byte layout: the data starts 8-byte aligned, the header is JSON padded with spaces.
    const io::safetensors_index index = io::read_safetensors_index(file);
    CHECK(index.data_offset % 8 == 0);
    CHECK(index.metadata.at("dermtl.format") == "test");

    const host_tensor x = testing::random_images(2, 3, 32);
    testing::save_npy(dir / "x.npy", x);
    testing::run_oracle("safetensors_vgg.py", {"dermtl", file.string(), (dir / "x.npy").string(), dir.path().string(),
                                               "--size", "32", "--div", "8", "--classes", "3"});
    const host_tensor ours = net.forward(x);
    CHECK(relative_error(ours, testing::load_npy<double>(dir / "fc8.npy")) <= 1e-4);

    nn::network<small_vgg16, backend::cpu> back(nn::uninitialized);
    CHECK(models::load_network_safetensors(file, back) == models::weight_names::dermtl);
    const host_tensor again = back.forward(x);
    CHECK(testing::relative_error(again, ours) == 0);
    const auto read = io::read_safetensors(file);
    REQUIRE(read.tensors.size() == tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        CHECK(read.tensors[i].name == tensors[i].name);
        CHECK(read.tensors[i].values == tensors[i].values);
    }
}

TEST_CASE("is_safetensors tells the format by content", "[io][safetensors]") {
    testing::scratch_dir dir("safetensors-detect");
    io::write_safetensors(dir / "weights.mat", {{"a", {2}, {1, 2}}}, {});
    CHECK(io::is_safetensors(dir / "weights.mat"));
    std::ofstream(dir / "model.safetensors", std::ios::binary)
        << "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024" << std::string(60, ' ');
    CHECK_FALSE(io::is_safetensors(dir / "model.safetensors"));
    CHECK_FALSE(io::is_safetensors(dir / "missing"));
}

TEST_CASE("bad safetensors files are refused naming the file and the tensor", "[io][safetensors]") {
    testing::scratch_dir dir("safetensors-bad");
    auto refused = [](const fs::path& p, const std::string& what) {
        INFO(p.filename().string());
        CHECK_THROWS_WITH(io::read_safetensors(p),
                          Catch::Contains(p.string()) && Catch::Contains(what, Catch::CaseSensitive::No));
    };
    const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
    const std::string b = R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]})";
    {
        const fs::path p = dir / "tiny";
        std::ofstream(p, std::ios::binary) << "abc";
        refused(p, "8-byte header length");
    }
    refused(raw_file(dir, "length", "{" + a + "}", 8, 1000), "header length 1000 exceeds the file");
    refused(raw_file(dir, "json", "{" + a + ",}", 8), "malformed JSON");
    refused(raw_file(dir, "array", "[1,2]", 0), "JSON object");
    refused(raw_file(dir, "overlap", "{" + a + "," + b + "}", 8), "tensor 'b': data_offsets [4, 8] overlap those of tensor 'a'");
    refused(raw_file(dir, "outside", R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8),
            "tensor 'a'");
    refused(raw_file(dir, "past", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 8),
            "tensor 'a': data_offsets [8, 12] leave the file");
    refused(raw_file(dir, "dtype", R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", 8),
            "tensor 'a': unknown dtype 'Q7'");
    refused(raw_file(dir, "int", R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})", 8),
            "tensor 'a': dtype I32 is not one dermtl reads");
    refused(raw_file(dir, "size", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 16),
            "tensor 'a': shape [3] of F32 needs 12 bytes");
    refused(raw_file(dir, "hole", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
            "no tensor holds");
    refused(raw_file(dir, "trailing", "{" + a + "}", 12), "nothing after the last tensor");
    refused(raw_file(dir, "negative", R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", 8),
            "tensor 'a': expected every dimension");
    refused(raw_file(dir, "huge", R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
            "tensor 'a': shape");
    refused(raw_file(dir, "metadata", R"({"__metadata__":{"k":1}})", 0), "__metadata__");
    refused(raw_file(dir, "missing-field", R"({"a":{"dtype":"F32","shape":[2]}})", 8), "data_offsets");
    CHECK_THROWS_WITH(io::read_safetensors(dir / "absent"), Catch::Contains("absent"));

    // A good file for contrast: read, values and names as written.
    const auto good = io::read_safetensors(raw_file(dir, "good", "{" + a + "}    ", 8));
    REQUIRE(good.tensors.size() == 1);
    CHECK(good.tensors[0].values == std::vector<float>{0, 0});
}

TEST_CASE("tensors that do not fit the network are refused naming the tensor", "[io][safetensors]") {
    testing::scratch_dir dir("safetensors-net");
    using tiny = testing::tiny_vgg<2>;
    nn::network<tiny, backend::cpu> source(3);
    auto tensors = models::network_tensors(source);
    io::write_safetensors(dir / "tiny.safetensors", tensors, {});

    // Another class count: fc8's shape differs (unless kept).
    nn::network<testing::tiny_vgg<3>, backend::cpu> three(nn::uninitialized);
    CHECK_THROWS_WITH(models::load_network_safetensors(dir / "tiny.safetensors", three),
                      Catch::Contains("tiny.safetensors") && Catch::Contains("tensor 'fc8.weight'") &&
                          Catch::Contains("expected shape [3, 8] or [3, 8, 1, 1], found [2, 8]"));
    models::load_network_safetensors(dir / "tiny.safetensors", three, {}, {.keep = {"fc8"}});

    // A missing tensor, an extra tensor, a NaN: each named; the network unchanged.
    nn::network<tiny, backend::cpu> target(nn::uninitialized);
    auto missing = tensors;
    missing.erase(missing.begin() + 1);
    io::write_safetensors(dir / "missing.safetensors", missing, {});
    CHECK_THROWS_WITH(models::load_network_safetensors(dir / "missing.safetensors", target, models::weight_names::dermtl),
                      Catch::Contains("tensor 'conv1.bias'") && Catch::Contains("missing"));
    auto extra = tensors;
    extra.push_back({"fc9.weight", {1}, {0}});
    io::write_safetensors(dir / "extra.safetensors", extra, {});
    CHECK_THROWS_WITH(models::load_network_safetensors(dir / "extra.safetensors", target),
                      Catch::Contains("tensor 'fc9.weight'") && Catch::Contains("no place"));
    auto nan = tensors;
    nan[2].values[5] = std::nanf("");
    io::write_safetensors(dir / "nan.safetensors", nan, {});
    CHECK_THROWS_AS(models::load_network_safetensors(dir / "nan.safetensors", target), numeric_error);
    for (std::size_t i = 0; i < tiny::depth; ++i)
        for (auto& p : target.params(i))
            for (float v : p.value) CHECK(v == 0);

    // VGG-16's torchvision names for a net that is not VGG-16.
    const std::string names = R"({"classifier.0.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    CHECK_THROWS_WITH(models::load_network_safetensors(raw_file(dir, "tv", names, 4), target),
                      Catch::Contains("torchvision name map has no tensor for") && Catch::Contains("conv1"));
    // Names that are nobody's.
    const std::string odd = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    CHECK_THROWS_WITH(models::load_network_safetensors(raw_file(dir, "odd", odd, 4), target),
                      Catch::Contains("cannot tell whose names") && Catch::Contains("[w]"));

    // The writer refuses what it cannot write.
    CHECK_THROWS_WITH(io::write_safetensors(dir / "w", {{"a", {3}, {1, 2}}}, {}),
                      Catch::Contains("tensor 'a'") && Catch::Contains("holds 3 values, found 2"));
    CHECK_THROWS_WITH(io::write_safetensors(dir / "w", {{"a", {1}, {1}}, {"a", {1}, {1}}}, {}),
                      Catch::Contains("two tensors are called 'a'"));
    CHECK_FALSE(fs::exists(dir / "w"));
}

TEST_CASE("presets: torchvision's at 0-1 with std, MatConvNet's at 0-255", "[io][safetensors]") {
    const auto tv = models::preset_of(models::weight_names::torchvision);
    CHECK(tv.divides());
    CHECK(tv.mean_255()[0] == Approx(0.485 * 255));
    CHECK(models::preset_json(tv) ==
          R"({"preset":"torchvision","scale":255,"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]})");
    const auto mcn = models::matconvnet_preset(122.5f, 116.5f, 104.0f);
    CHECK_FALSE(mcn.divides());
    CHECK(models::preset_json(mcn) == R"({"preset":"matconvnet","scale":1,"mean":[122.5,116.5,104],"std":[1,1,1]})");
    CHECK_THROWS_AS(models::preset_of(models::weight_names::dermtl), io_error);
}
