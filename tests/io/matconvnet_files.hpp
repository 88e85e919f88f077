#pragma once
// MatConvNet files for the import tests (test_matconvnet.cpp, test_matconvnet_bad_input.cpp):
// models written by the independent writer (tests/oracles/matconvnet_models.py), what loading one
// says, and MAT level-5 bytes built by hand for damaged files.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
#include "support/oracle.hpp"

namespace dermtl::testing::matconvnet_files {

namespace fs = std::filesystem;

// VGG-M at 96x96 with widths / 16: pool5 leaves 2x2, so fc6 is a 2x2 kernel and the flatten order
// of a fully connected layer stored as a convolution is exercised.
using small_vgg = models::vgg_m_t<2, 96, 16>;

inline void write_model(const fs::path& out, const std::string& layout, std::vector<std::string> extra = {},
                 int size = 96, int div = 16, int classes = 2) {
    std::vector<std::string> args{"write",  out.string(),          "--layout", layout,
                                  "--size", std::to_string(size),  "--div",    std::to_string(div),
                                  "--classes", std::to_string(classes), "--seed", "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    testing::run_oracle("matconvnet_models.py", args);
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
inline std::string u32(std::uint32_t v) {
    std::string b;
    for (int i = 0; i < 4; ++i) b += char(v >> (8 * i) & 0xff);
    return b;
}
// A sub-element: tag (type, size), data, padding to 8 bytes.
inline std::string sub(std::uint32_t type, const std::string& data) {
    std::string b = u32(type) + u32(std::uint32_t(data.size())) + data;
    while (b.size() % 8) b += '\0';
    return b;
}
inline std::string int32s(const std::vector<std::int32_t>& v) {
    std::string b;
    for (auto x : v) b += u32(std::uint32_t(x));
    return b;
}
// A miMATRIX element of class `cls` (6 double, 1 cell, 2 struct), then `rest` (its parts).
inline std::string matrix(std::uint32_t cls, const std::vector<std::int32_t>& dims, const std::string& name,
                   const std::string& rest) {
    const std::string body = sub(6, u32(cls) + u32(0)) + sub(5, int32s(dims)) + sub(1, name) + rest;
    return u32(14) + u32(std::uint32_t(body.size())) + body;
}
// A struct's field-name length (a small int32) and its names, each padded to `length` bytes.
inline std::string field_names(std::uint32_t length, const std::vector<std::string>& names) {
    std::string all;
    for (auto n : names) {
        n.resize(length, '\0');
        all += n;
    }
    return u32(4u << 16 | 5) + u32(length) + sub(1, all);
}
// The whole file: header, then the top-level elements.
inline void write(const fs::path& file, const std::string& elements) {
    std::string header = "MATLAB 5.0 MAT-file, damaged on purpose by dermtl's tests";
    header.resize(124, ' ');
    header += std::string("\x00\x01IM", 4);
    std::ofstream(file, std::ios::binary) << header << elements;
}
// A miCOMPRESSED element holding `inner` deflated.
inline std::string compressed(const std::string& inner) {
    uLongf size = compressBound(uLong(inner.size()));
    std::string out(size, '\0');
    compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(inner.data()),
              uLong(inner.size()), 6);
    out.resize(size);
    return u32(15) + u32(std::uint32_t(size)) + out;
}
}  // namespace mat_bytes

}  // namespace dermtl::testing::matconvnet_files
