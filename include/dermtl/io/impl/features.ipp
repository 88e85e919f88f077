// Definitions of io/features.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/features.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <istream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xnpy.hpp>

namespace dermtl::io {

namespace features_detail {

DERMTL_DECL std::filesystem::path ids_path(const std::filesystem::path& npy) {
    std::filesystem::path p = npy;
    p.replace_extension(".ids");
    return p;
}

// What check_npy_header found: a 2-D '<f4' C-order matrix whose data the file holds in full.
struct npy_matrix_header {
    std::size_t rows = 0, cols = 0;
};

DERMTL_DECL std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Validates the header of the .npy file `in` (at its start, `file_size` bytes long) as xnpy
// cannot: see the comment at the top of io/features.hpp. Leaves `in` anywhere.
DERMTL_DECL npy_matrix_header check_npy_header(std::istream& in, std::uintmax_t file_size, const std::string& where) {
    unsigned char pre[12] = {};
    in.read(reinterpret_cast<char*>(pre), 10);
    if (in.gcount() != 10 || std::string_view(reinterpret_cast<const char*>(pre), 6) != "\x93NUMPY")
        throw io_error(where + ": not a .npy file (expected the magic \\x93NUMPY)");
    const unsigned major = pre[6], minor = pre[7];
    if ((major != 1 && major != 2) || minor != 0)
        throw io_error(where + ": expected .npy format version 1.0 or 2.0 (as numpy.save writes for float32), found " +
                       std::to_string(major) + "." + std::to_string(minor));
    std::size_t preamble = 10, header_length = pre[8] | std::size_t(pre[9]) << 8;
    bool signed_bytes_misread = pre[8] >= 0x80;
    if (major == 2) {
        in.read(reinterpret_cast<char*>(pre + 10), 2);
        if (in.gcount() != 2) throw io_error(where + ": truncated header");
        preamble = 12;
        header_length |= std::size_t(pre[10]) << 16 | std::size_t(pre[11]) << 24;
        signed_bytes_misread = pre[8] >= 0x80 || pre[9] >= 0x80 || pre[10] >= 0x80;
    }
    if (header_length == 0 || header_length > (file_size > preamble ? file_size - preamble : 0))
        throw io_error(where + ": truncated header (it announces " + std::to_string(header_length) +
                       " bytes, the file has " + std::to_string(file_size) + ")");
    if (signed_bytes_misread)
        throw io_error(where + ": a header of " + std::to_string(header_length) +
                       " bytes, which xtensor's .npy reader misreads (it takes the length's bytes as signed); "
                       "expected the header numpy.save writes for a float32 matrix; save it again with numpy.save");
    std::string header(header_length, '\0');
    in.read(header.data(), std::streamsize(header_length));
    if (std::size_t(in.gcount()) != header_length) throw io_error(where + ": truncated header");
    if (header.back() != '\n') throw io_error(where + ": expected the header to end with a newline: " + header);

    auto value_of = [&](std::string_view key) {
        const auto k = header.find("'" + std::string(key) + "'");
        if (k == std::string::npos) throw io_error(where + ": header lacks '" + std::string(key) + "': " + header);
        const auto colon = header.find(':', k);
        if (colon == std::string::npos) throw io_error(where + ": header has no value for '" + std::string(key) + "'");
        return trimmed(std::string_view(header).substr(colon + 1));
    };
    const std::string_view descr = value_of("descr");
    if (!descr.starts_with("'<f4'"))
        throw io_error(where + ": expected dtype '<f4' (float32), found " +
                       std::string(descr.substr(0, descr.find(','))));
    if (!value_of("fortran_order").starts_with("False"))
        throw io_error(where + ": expected C order (fortran_order False)");
    const std::string_view shape = value_of("shape");
    const auto close = shape.find(')');
    if (!shape.starts_with("(") || close == std::string_view::npos)
        throw io_error(where + ": expected a shape tuple (rows, cols), found " + std::string(shape));
    const std::string_view inside = shape.substr(1, close - 1);
    const auto not_2d = [&] {
        return io_error(where + ": expected a 2-D shape (rows, cols), found (" + std::string(inside) + ")");
    };
    std::vector<std::size_t> dims;
    for (std::size_t first = 0; first <= inside.size();) {
        const std::size_t comma = std::min(inside.find(',', first), inside.size());
        const std::string_view token = trimmed(inside.substr(first, comma - first));
        if (token.empty() && comma == inside.size() && !dims.empty()) break;  // "(3, 4,)"
        std::size_t v = 0;
        const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
        if (token.empty() || ec != std::errc() || end != token.data() + token.size()) throw not_2d();
        dims.push_back(v);
        first = comma + 1;
    }
    if (dims.size() != 2) throw not_2d();
    const std::uintmax_t available = file_size - preamble - header_length;
    const std::size_t rows = dims[0], cols = dims[1];
    if (cols != 0 && (rows > available / sizeof(float) / cols))
        throw io_error(where + ": truncated: expected " + std::to_string(rows) + " x " + std::to_string(cols) +
                       " float32 values after the header, found " + std::to_string(available) + " data bytes");
    return {rows, cols};
}

}  // namespace features_detail

// Writes an n x d float32 matrix as .npy (version 1.0, '<f4', C order), atomically.
DERMTL_DECL void save_npy_matrix(const std::filesystem::path& path, const svm::feature_matrix& m) {
    const std::array<std::size_t, 2> shape{std::size_t(m.rows()), std::size_t(m.cols())};
    const auto view = xt::adapt(m.data(), std::size_t(m.size()), xt::no_ownership(), shape);
    write_file_atomically(path, xt::dump_npy(view));
}

// Reads a 2-D float32 C-order .npy matrix (as written by save_npy_matrix or numpy.save).
DERMTL_DECL svm::feature_matrix load_npy_matrix(const std::filesystem::path& path) {
    const std::string where = "load_npy_matrix: '" + path.string() + "'";
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (ec || !in) throw io_error(where + ": " + (std::filesystem::exists(path) ? "cannot open" : "no such file"));
    const features_detail::npy_matrix_header h = features_detail::check_npy_header(in, size, where);
    in.clear();
    in.seekg(0);
    svm::feature_matrix m(static_cast<Eigen::Index>(h.rows), static_cast<Eigen::Index>(h.cols));
    try {
        const auto a = xt::load_npy<float, xt::layout_type::row_major>(in);
        if (a.dimension() != 2 || a.shape()[0] != h.rows || a.shape()[1] != h.cols)
            throw io_error(where + ": xtensor's .npy reader disagrees with the header's shape (" +
                           std::to_string(h.rows) + ", " + std::to_string(h.cols) + ")");
        std::copy(a.data(), a.data() + a.size(), m.data());
    } catch (const error&) {
        throw;
    } catch (const std::exception& e) {
        throw io_error(where + ": xtensor's .npy reader refused it: " + e.what());
    }
    return m;
}

// Writes `<path>` (.npy matrix) and `<path with extension .ids>` (one id per line).
DERMTL_DECL void save_features(const std::filesystem::path& path, const feature_set& f) {
    const std::string where = "save_features: '" + path.string() + "'";
    if (f.ids.size() != static_cast<std::size_t>(f.values.rows()))
        throw shape_error(where + ": expected one id per row, found " + std::to_string(f.ids.size()) + " ids for " +
                          std::to_string(f.values.rows()) + " rows");
    std::string ids;
    for (const auto& id : f.ids) {
        if (id.find('\n') != std::string::npos || id.find('\r') != std::string::npos)
            throw config_error(where + ": the id '" + id + "' contains a line break");
        ids += id;
        ids += '\n';
    }
    save_npy_matrix(path, f.values);
    write_file_atomically(features_detail::ids_path(path), ids);
}

DERMTL_DECL feature_set load_features(const std::filesystem::path& path) {
    feature_set f;
    f.values = load_npy_matrix(path);
    const auto ids = features_detail::ids_path(path);
    std::ifstream in(ids);
    if (!in) throw io_error("load_features: '" + ids.string() + "': no such file (the ids beside '" + path.string() + "')");
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        f.ids.push_back(line);
    }
    if (f.ids.size() != static_cast<std::size_t>(f.values.rows()))
        throw io_error("load_features: '" + ids.string() + "' lists " + std::to_string(f.ids.size()) + " ids, '" +
                       path.string() + "' has " + std::to_string(f.values.rows()) + " rows");
    return f;
}

}  // namespace dermtl::io
