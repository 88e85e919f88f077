// Definitions of io/safetensors.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/safetensors.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "dermtl/io/atomic_file.hpp"

namespace dermtl::io {

namespace safetensors_detail {

// Where the bytes come from: a file or memory. read(offset, n, out) is only asked for ranges the
// caller has checked against size.
struct byte_source {
    std::uint64_t size = 0;
    std::function<void(std::uint64_t, std::size_t, unsigned char*)> read;
};

DERMTL_DECL std::uint64_t le64(const unsigned char* b) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

// "'name'" with non-printable bytes as \xNN, cut to 200 characters: tensor names come from the file.
DERMTL_DECL std::string quote_name(std::string_view s) {
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += char(c);
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > 200) out += "...";
    return out + "'";
}

DERMTL_DECL std::size_t dtype_size(safetensors_dtype t) { return t == safetensors_dtype::f32 ? 4 : 2; }

DERMTL_DECL std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

// A non-negative integer of the header (a dimension or an offset), else the error `what`.
DERMTL_DECL std::uint64_t header_integer(const nlohmann::json& v, const std::string& where, const std::string& what) {
    if (!v.is_number_unsigned())
        throw io_error(where + ": expected " + what + " to be a non-negative integer, found " + shortened(v.dump()));
    return v.get<std::uint64_t>();
}

// The tensor `name`'s header entry, checked on its own (dtype, shape, offsets inside the buffer of
// `buffer` bytes).
DERMTL_DECL safetensors_entry parse_entry(const std::string& name, const nlohmann::json& v, std::uint64_t buffer,
                                          const std::string& file_where) {
    const std::string where = file_where + ": tensor " + quote_name(name);
    if (name.empty()) throw io_error(file_where + ": a tensor has an empty name");
    if (!v.is_object())
        throw io_error(where + ": expected an object {\"dtype\", \"shape\", \"data_offsets\"}, found " + shortened(v.dump()));
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!v.contains(key)) throw io_error(where + ": the header entry has no \"" + key + "\"");

    safetensors_entry e;
    e.name = name;
    const auto& dtype = v.at("dtype");
    if (!dtype.is_string()) throw io_error(where + ": expected \"dtype\" to be a string, found " + shortened(dtype.dump()));
    const std::string d = dtype.get<std::string>();
    if (d == "F32")
        e.dtype = safetensors_dtype::f32;
    else if (d == "F16")
        e.dtype = safetensors_dtype::f16;
    else if (d == "BF16")
        e.dtype = safetensors_dtype::bf16;
    else {
        static constexpr std::array<std::string_view, 13> known{"F64",  "I64",  "I32", "I16",     "I8",      "U8",   "U16",
                                                                "U32",  "U64",  "BOOL", "F8_E4M3", "F8_E5M2", "C64"};
        const bool is_known = std::find(known.begin(), known.end(), d) != known.end();
        throw io_error(where + ": " + (is_known ? "dtype " + d + " is not one dermtl reads"
                                                : "unknown dtype " + quote_name(d)) +
                       "; expected F32, F16 or BF16 (re-save the weights as float32, e.g. "
                       "{k: v.float() for k, v in state_dict.items()})");
    }

    const auto& shape = v.at("shape");
    if (!shape.is_array()) throw io_error(where + ": expected \"shape\" to be an array, found " + shortened(shape.dump()));
    if (shape.size() > 8) throw io_error(where + ": expected a shape of at most 8 dimensions, found " + std::to_string(shape.size()));
    std::uint64_t count = 1;
    bool overflow = false;
    for (const auto& dim : shape) {
        const std::uint64_t n = header_integer(dim, where, "every dimension of \"shape\"");
        e.shape.push_back(static_cast<std::size_t>(n));
        if (n != 0 && count > std::numeric_limits<std::uint64_t>::max() / n)
            overflow = true;
        else
            count *= n;
    }
    const std::uint64_t bytes_needed = count * dtype_size(e.dtype);
    if (overflow || count > std::numeric_limits<std::uint64_t>::max() / dtype_size(e.dtype) || bytes_needed > buffer)
        throw io_error(where + ": shape " + shape_text(e.shape) + " of " + d + " needs more bytes than the file's " +
                       std::to_string(buffer) + "-byte data section holds");

    const auto& offsets = v.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2)
        throw io_error(where + ": expected \"data_offsets\" to be [begin, end], found " + shortened(offsets.dump()));
    e.begin = header_integer(offsets[0], where, "the begin of \"data_offsets\"");
    e.end = header_integer(offsets[1], where, "the end of \"data_offsets\"");
    if (e.begin > e.end)
        throw io_error(where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                       "] end before they begin");
    if (e.end > buffer)
        throw io_error(where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                       "] leave the file: its data section holds " + std::to_string(buffer) + " bytes");
    if (e.end - e.begin != bytes_needed)
        throw io_error(where + ": shape " + shape_text(e.shape) + " of " + d + " needs " + std::to_string(bytes_needed) +
                       " bytes, but data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "] hold " +
                       std::to_string(e.end - e.begin));
    return e;
}

// The checked header of the bytes `src` (see the header's contract).
DERMTL_DECL safetensors_index parse_index(const byte_source& src, const std::string& where) {
    safetensors_index index;
    index.file_size = src.size;
    if (src.size < 8)
        throw io_error(where + ": not a safetensors file: expected an 8-byte header length, found a file of " +
                       std::to_string(src.size) + " bytes");
    unsigned char head[8];
    src.read(0, 8, head);
    const std::uint64_t n = le64(head);
    if (n > src.size - 8)
        throw io_error(where + ": header length " + std::to_string(n) + " exceeds the file: " +
                       std::to_string(src.size - 8) + " bytes follow the length (a truncated file, or not a safetensors file)");
    if (n > safetensors_max_header)
        throw io_error(where + ": header length " + std::to_string(n) + " exceeds the limit of " +
                       std::to_string(safetensors_max_header) + " bytes");
    std::string text(static_cast<std::size_t>(n), '\0');
    if (n) src.read(8, static_cast<std::size_t>(n), reinterpret_cast<unsigned char*>(text.data()));
    index.data_offset = 8 + n;
    const std::uint64_t buffer = src.size - index.data_offset;

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw io_error(where + ": malformed JSON header: " + e.what());
    }
    if (!header.is_object())
        throw io_error(where + ": expected the header to be a JSON object, found " + std::string(header.type_name()));

    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                throw io_error(where + ": expected \"__metadata__\" to be an object of strings, found " +
                               std::string(value.type_name()));
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string())
                    throw io_error(where + ": __metadata__ " + quote_name(mk) + ": expected a string, found " +
                                   shortened(mv.dump()));
                index.metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        index.entries.push_back(parse_entry(key, value, buffer, where));
    }

    // File order; then the byte buffer must be tiled exactly: no overlap, no hole, nothing after.
    std::stable_sort(index.entries.begin(), index.entries.end(), [](const safetensors_entry& a, const safetensors_entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t at = 0;
    const safetensors_entry* previous = nullptr;
    for (const auto& e : index.entries) {
        if (e.begin < at)
            throw io_error(where + ": tensor " + quote_name(e.name) + ": data_offsets [" + std::to_string(e.begin) + ", " +
                           std::to_string(e.end) + "] overlap those of tensor " + quote_name(previous->name) + " [" +
                           std::to_string(previous->begin) + ", " + std::to_string(previous->end) + "]");
        if (e.begin > at)
            throw io_error(where + ": tensor " + quote_name(e.name) + ": data_offsets begin at " + std::to_string(e.begin) +
                           ", leaving bytes [" + std::to_string(at) + ", " + std::to_string(e.begin) +
                           ") that no tensor holds (the format allows no holes)");
        at = e.end;
        previous = &e;
    }
    if (at != buffer)
        throw io_error(where + ": the data section holds " + std::to_string(buffer) + " bytes but its tensors end at " +
                       std::to_string(at) + (previous ? " (the last is " + quote_name(previous->name) + ")" : std::string()) +
                       "; the format allows nothing after the last tensor");
    return index;
}

// Reads every entry's values from `src`, converted to float32, in pieces of at most 1 MiB.
DERMTL_DECL safetensors_file read_values(const byte_source& src, safetensors_index index) {
    safetensors_file out;
    out.metadata = std::move(index.metadata);
    out.tensors.reserve(index.entries.size());
    std::vector<unsigned char> piece;
    for (auto& e : index.entries) {
        safetensors_tensor t;
        t.name = std::move(e.name);
        t.shape = std::move(e.shape);
        const std::size_t size = dtype_size(e.dtype);
        const std::uint64_t count = (e.end - e.begin) / size;
        t.values.resize(static_cast<std::size_t>(count));
        constexpr std::uint64_t piece_values = (1u << 20) / 4;
        for (std::uint64_t first = 0; first < count; first += piece_values) {
            const std::size_t k = static_cast<std::size_t>(std::min(piece_values, count - first));
            piece.resize(k * size);
            src.read(index.data_offset + e.begin + first * size, piece.size(), piece.data());
            float* dst = t.values.data() + first;
            const unsigned char* b = piece.data();
            switch (e.dtype) {
            case safetensors_dtype::f32:
                for (std::size_t i = 0; i < k; ++i, b += 4)
                    dst[i] = std::bit_cast<float>(std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 |
                                                  std::uint32_t(b[2]) << 16 | std::uint32_t(b[3]) << 24);
                break;
            case safetensors_dtype::f16:
                for (std::size_t i = 0; i < k; ++i, b += 2) dst[i] = half_to_float(std::uint16_t(b[0] | b[1] << 8));
                break;
            case safetensors_dtype::bf16:
                for (std::size_t i = 0; i < k; ++i, b += 2) dst[i] = bfloat16_to_float(std::uint16_t(b[0] | b[1] << 8));
                break;
            }
        }
        out.tensors.push_back(std::move(t));
    }
    return out;
}

// A file opened for reading as a byte_source (the stream lives as long as the returned pair).
struct file_source {
    std::ifstream in;
    byte_source src;
    std::string where;

    DERMTL_DECL file_source(const std::filesystem::path& file, std::string_view op) {
        where = std::string(op) + ": '" + file.string() + "'";
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec || std::filesystem::is_directory(file))
            throw io_error(where + ": cannot read the file: " + (ec ? ec.message() : std::string("it is a folder")));
        in.open(file, std::ios::binary);
        if (!in) throw io_error(where + ": cannot open the file: " + std::strerror(errno));
        src.size = size;
        src.read = [this](std::uint64_t offset, std::size_t n, unsigned char* out) {
            in.seekg(static_cast<std::streamoff>(offset));
            in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
            if (!in || static_cast<std::size_t>(in.gcount()) != n)
                throw io_error(where + ": cannot read " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                               " (the file changed while it was read?)");
        };
    }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;
};

}  // namespace safetensors_detail

DERMTL_DECL const safetensors_tensor* safetensors_file::find(std::string_view name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

DERMTL_DECL float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mantissa = h & 0x3ffu;
    std::uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);  // infinity, NaN (payload kept)
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);  // normal: rebias 15 -> 127
    } else if (mantissa == 0) {
        bits = sign;  // signed zero
    } else {
        // Subnormal half: mantissa * 2^-24; normalize (every one is a normal float).
        std::uint32_t e = 113;  // 127 - 14
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    }
    return std::bit_cast<float>(bits);
}

DERMTL_DECL float bfloat16_to_float(std::uint16_t bits) { return std::bit_cast<float>(std::uint32_t(bits) << 16); }

DERMTL_DECL std::string_view dtype_name(safetensors_dtype t) {
    switch (t) {
    case safetensors_dtype::f32: return "F32";
    case safetensors_dtype::f16: return "F16";
    case safetensors_dtype::bf16: return "BF16";
    }
    return "?";
}

DERMTL_DECL safetensors_index read_safetensors_index(const std::filesystem::path& file) {
    safetensors_detail::file_source f(file, "read_safetensors");
    return safetensors_detail::parse_index(f.src, f.where);
}

DERMTL_DECL safetensors_file read_safetensors(const std::filesystem::path& file) {
    safetensors_detail::file_source f(file, "read_safetensors");
    return safetensors_detail::read_values(f.src, safetensors_detail::parse_index(f.src, f.where));
}

DERMTL_DECL safetensors_file parse_safetensors(std::span<const unsigned char> bytes, std::string_view name) {
    safetensors_detail::byte_source src;
    src.size = bytes.size();
    src.read = [bytes](std::uint64_t offset, std::size_t n, unsigned char* out) {
        std::memcpy(out, bytes.data() + offset, n);
    };
    const std::string where = "read_safetensors: '" + std::string(name) + "'";
    return safetensors_detail::read_values(src, safetensors_detail::parse_index(src, where));
}

DERMTL_DECL void write_safetensors(const std::filesystem::path& file, const std::vector<safetensors_tensor>& tensors,
                                   const std::map<std::string, std::string>& metadata) {
    using safetensors_detail::quote_name;
    const std::string where = "write_safetensors: '" + file.string() + "'";
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t at = 0;
    for (const auto& t : tensors) {
        if (t.name.empty()) throw io_error(where + ": a tensor has an empty name");
        if (t.name == "__metadata__") throw io_error(where + ": a tensor may not be called '__metadata__' (reserved)");
        if (header.contains(t.name)) throw io_error(where + ": two tensors are called " + quote_name(t.name));
        std::size_t count = 1;
        for (auto d : t.shape) count *= d;
        if (count != t.values.size())
            throw io_error(where + ": tensor " + quote_name(t.name) + ": shape " + safetensors_detail::shape_text(t.shape) +
                           " holds " + std::to_string(count) + " values, found " + std::to_string(t.values.size()));
        const std::uint64_t bytes = std::uint64_t(t.values.size()) * 4;
        header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {at, at + bytes}}};
        at += bytes;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {  // a name or metadata value that is not UTF-8
        throw io_error(where + ": a tensor name or metadata value cannot be written as JSON: " + e.what());
    }
    // Spaces after the JSON so that the byte buffer (at 8 + header length) is 8-byte aligned.
    while (text.size() % 8) text += ' ';

    write_atomically(file, "write_safetensors", [&](const std::filesystem::path& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw io_error(where + ": cannot create '" + tmp.string() + "': " + std::strerror(errno));
        unsigned char length[8];
        for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(std::uint64_t(text.size()) >> (8 * i));
        out.write(reinterpret_cast<const char*>(length), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        std::vector<unsigned char> piece;
        for (const auto& t : tensors) {
            constexpr std::size_t piece_values = (1u << 20) / 4;
            for (std::size_t first = 0; first < t.values.size(); first += piece_values) {
                const std::size_t k = std::min(piece_values, t.values.size() - first);
                piece.resize(4 * k);
                for (std::size_t i = 0; i < k; ++i) {
                    const std::uint32_t v = std::bit_cast<std::uint32_t>(t.values[first + i]);
                    for (int j = 0; j < 4; ++j) piece[4 * i + j] = static_cast<unsigned char>(v >> (8 * j));
                }
                out.write(reinterpret_cast<const char*>(piece.data()), static_cast<std::streamsize>(piece.size()));
            }
        }
        out.close();
        if (!out) throw io_error(where + ": writing '" + tmp.string() + "' failed: " + std::strerror(errno));
    });
}

DERMTL_DECL bool is_safetensors(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec || size < 10) return false;
    std::ifstream in(file, std::ios::binary);
    unsigned char head[9];
    if (!in.read(reinterpret_cast<char*>(head), 9)) return false;
    const std::uint64_t n = safetensors_detail::le64(head);
    return n >= 2 && n <= safetensors_max_header && n <= size - 8 && head[8] == '{';
}

}  // namespace dermtl::io
