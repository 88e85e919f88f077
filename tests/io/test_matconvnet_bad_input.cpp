// MatConvNet files that are not what they claim: each kind of bad weight file is refused with a
// message naming the file and what was expected, and a damaged MAT structure is refused before
// matio allocates what it claims (tests/fuzz/findings/mat/). The files come from the independent
// writer (tests/oracles/matconvnet_models.py) or are built byte by byte (matconvnet_files.hpp).
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <matio.h>  // the test writes damaged and foreign MAT-files itself

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "matconvnet_files.hpp"
#include "tiny_nets.hpp"

using namespace dermtl;
namespace fs = std::filesystem;
using namespace dermtl::testing::matconvnet_files;

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
