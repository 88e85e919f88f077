// Deep-feature files: a matrix as .npy (the bytes numpy.save writes, read back by xtensor's
// reader) plus an ids file; hostile .npy files rejected with an io_error naming the file.
// Computing features is tests/train/test_features.cpp's.
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dermtl/io/features.hpp"

using namespace dermtl;
namespace fs = std::filesystem;

namespace {

io::feature_set some_features(Eigen::Index rows, Eigen::Index cols) {
    io::feature_set f;
    f.values.resize(rows, cols);
    for (Eigen::Index i = 0; i < f.values.size(); ++i) f.values.data()[i] = float(i) * 0.25f - 3.0f;
    for (Eigen::Index i = 0; i < rows; ++i) f.ids.push_back("ISIC_" + std::to_string(i));
    return f;
}

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A .npy file by hand: the preamble of `version`, `dict` padded with spaces to `header_length`
// (newline included), then `data_bytes` bytes of float data.
void write_npy(const fs::path& p, const std::string& dict, std::size_t header_length, std::size_t data_bytes,
               unsigned char version = 1) {
    std::string header = dict;
    header.resize(header_length - 1, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += char(version);
    out += '\0';
    const std::uint32_t n = std::uint32_t(header.size());
    out += char(n & 0xff);
    out += char(n >> 8 & 0xff);
    if (version >= 2) {
        out += char(n >> 16 & 0xff);
        out += char(n >> 24 & 0xff);
    }
    out += header;
    out.append(data_bytes, '\0');
    std::ofstream(p, std::ios::binary) << out;
}

const std::string dict_3x8 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8), }";

}  // namespace

TEST_CASE("features saved as .npy + ids and read back", "[io][features]") {
    testing::scratch_dir dir("features");
    const io::feature_set f = some_features(3, 8);
    const fs::path file = dir / "fc7.npy";
    io::save_features(file, f);
    REQUIRE(fs::exists(dir / "fc7.ids"));
    CHECK(file_bytes(dir / "fc7.ids") == "ISIC_0\nISIC_1\nISIC_2\n");

    // The bytes numpy.save writes: version 1.0, the header padded to 64 bytes, then the data.
    const std::string bytes = file_bytes(file);
    std::string header = dict_3x8;
    header.resize(128 - 10 - 1, ' ');
    header += '\n';
    REQUIRE(bytes.size() == 128 + 3 * 8 * sizeof(float));
    CHECK(bytes.substr(0, 10) == std::string("\x93NUMPY\x01\x00\x76\x00", 10));
    CHECK(bytes.substr(10, 118) == header);
    CHECK(std::memcmp(bytes.data() + 128, f.values.data(), 3 * 8 * sizeof(float)) == 0);

    const auto npy = testing::load_npy<float>(file);  // xtensor's reader: shape and values
    REQUIRE(npy.dimension() == 2);
    CHECK(npy.shape()[0] == 3);
    CHECK(npy.shape()[1] == 8);
    const io::feature_set back = io::load_features(file);
    CHECK(back.ids == f.ids);
    CHECK(back.values == f.values);

    SECTION("empty matrices and large ones round-trip") {
        for (auto [r, c] : {std::pair<Eigen::Index, Eigen::Index>{0, 4096}, {1279, 4096}, {5, 0}}) {
            const io::feature_set g = some_features(r, c);
            io::save_features(dir / "g.npy", g);
            const io::feature_set h = io::load_features(dir / "g.npy");
            CHECK(h.values.rows() == r);
            CHECK(h.values.cols() == c);
            CHECK(h.values == g.values);
            CHECK(h.ids == g.ids);
        }
    }
    SECTION("no temporary files are left") {
        for (const auto& e : fs::directory_iterator(dir.path()))
            CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    }
    SECTION("ids that do not fit") {
        io::feature_set wrong = f;
        wrong.ids.pop_back();
        CHECK_THROWS_AS(io::save_features(dir / "wrong.npy", wrong), shape_error);
        CHECK_FALSE(fs::exists(dir / "wrong.npy"));
        io::feature_set broken = f;
        broken.ids[1] = "two\nlines";
        CHECK_THROWS_AS(io::save_features(dir / "broken.npy", broken), config_error);
        fs::remove(dir / "fc7.ids");
        CHECK_THROWS_AS(io::load_features(file), io_error);
    }
}

TEST_CASE("hostile .npy files give an io_error naming the file and what was expected", "[io][features][bad_input]") {
    testing::scratch_dir dir("npy");
    const fs::path p = dir / "bad.npy";
    using Catch::Matchers::Contains;
    auto fails_with = [&](const std::string& what) {
        try {
            (void)io::load_npy_matrix(p);
            FAIL("expected an io_error saying " << what);
        } catch (const io_error& e) {
            CHECK_THAT(std::string(e.what()), Contains(p.string()) && Contains(what));
        }
    };

    SECTION("not numpy, or absent") {
        std::ofstream(p) << "not numpy";
        fails_with("expected the magic");
        CHECK_THROWS_AS(io::load_npy_matrix(dir / "absent.npy"), io_error);
        CHECK_THROWS_WITH(io::load_npy_matrix(dir / "absent.npy"), Contains("no such file"));
    }
    SECTION("a header announcing more data than the file holds allocates nothing") {
        write_npy(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }", 118, 16);
        fails_with("truncated");
        write_npy(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (18446744073709551615, 2), }", 118, 16);
        fails_with("truncated");
    }
    SECTION("truncated data") {
        write_npy(p, dict_3x8, 118, 3 * 8 * 4 - 1);
        fails_with("truncated");
    }
    SECTION("a header length past the end of the file") {
        write_npy(p, dict_3x8, 118, 0);
        std::string b = file_bytes(p);
        b[8] = '\x7f';
        b[9] = '\x7f';
        std::ofstream(p, std::ios::binary) << b;
        fails_with("truncated header");
    }
    SECTION("not float32") {
        write_npy(p, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 8), }", 118, 3 * 8 * 8);
        fails_with("'<f4' (float32)");
        write_npy(p, "{'descr': '>f4', 'fortran_order': False, 'shape': (3, 8), }", 118, 3 * 8 * 4);
        fails_with("'<f4' (float32)");
    }
    SECTION("Fortran order") {
        write_npy(p, "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 8), }", 118, 3 * 8 * 4);
        fails_with("C order");
    }
    SECTION("not 2-D") {
        write_npy(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8, 2), }", 118, 3 * 8 * 2 * 4);
        fails_with("2-D");
        write_npy(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (24,), }", 118, 24 * 4);
        fails_with("2-D");
        write_npy(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, x), }", 118, 24 * 4);
        fails_with("2-D");
    }
    SECTION("a key missing") {
        write_npy(p, "{'descr': '<f4', 'shape': (3, 8), }", 118, 3 * 8 * 4);
        fails_with("fortran_order");
    }
    SECTION("format version 3.0") {
        write_npy(p, dict_3x8, 118, 3 * 8 * 4, 3);
        fails_with("version 1.0 or 2.0");
    }
    SECTION("a header length xnpy would misread is named as such") {
        write_npy(p, dict_3x8, 182, 3 * 8 * 4);  // 192-byte preamble + header: legal, but the length byte is 0xb6
        fails_with("misreads");
    }
}

TEST_CASE(".npy files as other writers make them are read", "[io][features]") {
    testing::scratch_dir dir("npy");
    const fs::path p = dir / "other.npy";
    const io::feature_set f = some_features(3, 8);
    auto data = [&] { return std::string(reinterpret_cast<const char*>(f.values.data()), 3 * 8 * sizeof(float)); };
    auto write = [&](const std::string& dict, std::size_t header_length, unsigned char version, const std::string& tail) {
        write_npy(p, dict, header_length, 0, version);
        std::ofstream(p, std::ios::binary | std::ios::app) << data() << tail;
    };
    // numpy >= 1.24 pads the dictionary for a growing first axis; old numpy aligned to 16 bytes.
    write("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8), }                    ", 118, 1, "");
    CHECK(io::load_npy_matrix(p) == f.values);
    write(dict_3x8, 70, 1, "");
    CHECK(io::load_npy_matrix(p) == f.values);
    write(dict_3x8, 116, 2, "");  // version 2.0: a 4-byte header length
    CHECK(io::load_npy_matrix(p) == f.values);
    write(dict_3x8, 118, 1, "trailing bytes");  // ignored, as numpy.load does
    CHECK(io::load_npy_matrix(p) == f.values);
}
