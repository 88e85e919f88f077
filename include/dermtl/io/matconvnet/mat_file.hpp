#pragma once
// MAT-file (level 5) helpers over matio, shared by the MatConvNet import and export.
//
// Represents: owning handles for matio's files and variables, and the few reads and writes a
// simplenn model needs -- numeric arrays of any stored type as double, char arrays as text, struct
// fields by name, cells of text -- with checks that turn matio's silence or stray log lines into
// io_error messages naming the file.
// Ensures: every function that opens or reads reports a missing, foreign, MAT v4 or truncated file
// as io_error (naming the operation and the file); readers of a missing field return empty values,
// so callers decide what "absent" means for them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <matio.h>

#include "dermtl/core/error.hpp"

namespace dermtl::io::mat_file {

// Owning handles: a variable (freed with Mat_VarFree) and an open file (closed with Mat_Close).
struct var_deleter {
    void operator()(matvar_t* v) const { Mat_VarFree(v); }
};
struct mat_closer {
    void operator()(mat_t* m) const { Mat_Close(m); }
};
using var_ptr = std::unique_ptr<matvar_t, var_deleter>;
using mat_ptr = std::unique_ptr<mat_t, mat_closer>;

// matio reports problems through a log function; keep the last message for our errors instead of
// letting it print.
inline std::string& last_log() {
    static thread_local std::string message;
    return message;
}
inline void capture_log(int, char* message) { last_log() = message ? message : ""; }
inline void install_log() {
    static const bool installed = [] {
        Mat_LogInitFunc("dermtl", &capture_log);
        return true;
    }();
    (void)installed;
}

// Number of elements (0 for a null variable).
inline std::size_t numel(const matvar_t* v) {
    if (!v || v->rank <= 0) return 0;
    std::size_t n = 1;
    for (int i = 0; i < v->rank; ++i) n *= v->dims[i];
    return n;
}

inline std::vector<std::size_t> dims_of(const matvar_t* v) {
    if (!v) return {};
    return std::vector<std::size_t>(v->dims, v->dims + v->rank);
}

// "7x7x3x96", "(none)" for no dimensions; list_text: "[1 2 3]" or "[conv1 relu1]", for messages.
inline std::string dims_text(const std::vector<std::size_t>& d) {
    std::string s;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i) s += "x";
        s += std::to_string(d[i]);
    }
    return s.empty() ? "(none)" : s;
}

template <class T>
std::string list_text(const std::vector<T>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += " ";
        if constexpr (std::is_same_v<T, std::string>)
            s += v[i];
        else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", double(v[i]));
            s += buf;
        }
    }
    return s + "]";
}

inline bool is_numeric(const matvar_t* v) {
    switch (v->class_type) {
    case MAT_C_DOUBLE: case MAT_C_SINGLE: case MAT_C_INT8: case MAT_C_UINT8: case MAT_C_INT16: case MAT_C_UINT16:
    case MAT_C_INT32: case MAT_C_UINT32: case MAT_C_INT64: case MAT_C_UINT64: return true;
    default: return false;
    }
}

// Element i of a numeric array as double, whatever its stored type.
inline double element(const matvar_t* v, std::size_t i) {
    const void* d = v->data;
    switch (v->data_type) {
    case MAT_T_DOUBLE: return static_cast<const double*>(d)[i];
    case MAT_T_SINGLE: return static_cast<const float*>(d)[i];
    case MAT_T_INT8: return static_cast<const std::int8_t*>(d)[i];
    case MAT_T_UINT8: return static_cast<const std::uint8_t*>(d)[i];
    case MAT_T_INT16: return static_cast<const std::int16_t*>(d)[i];
    case MAT_T_UINT16: return static_cast<const std::uint16_t*>(d)[i];
    case MAT_T_INT32: return static_cast<const std::int32_t*>(d)[i];
    case MAT_T_UINT32: return static_cast<const std::uint32_t*>(d)[i];
    case MAT_T_INT64: return double(static_cast<const std::int64_t*>(d)[i]);
    case MAT_T_UINT64: return double(static_cast<const std::uint64_t*>(d)[i]);
    default: throw io_error("mat_file::element: unsupported numeric storage type " + std::to_string(int(v->data_type)));
    }
}

// All elements as double; empty for null, non-numeric or complex variables.
inline std::vector<double> numbers(const matvar_t* v) {
    std::vector<double> out;
    if (!v || !is_numeric(v) || v->isComplex || !v->data) return out;
    const std::size_t n = numel(v);
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(element(v, i));
    return out;
}

// A char array as ASCII text (trailing NULs and blanks dropped); empty if not a char array.
inline std::string text(const matvar_t* v) {
    if (!v || v->class_type != MAT_C_CHAR || !v->data) return {};
    const std::size_t n = numel(v);
    std::string s;
    if (v->data_size == 1) {
        s.assign(static_cast<const char*>(v->data), n);
    } else if (v->data_size == 2) {
        const auto* p = static_cast<const std::uint16_t*>(v->data);
        for (std::size_t i = 0; i < n; ++i) s += p[i] < 128 ? char(p[i]) : '?';
    } else if (v->data_size == 4) {
        const auto* p = static_cast<const std::uint32_t*>(v->data);
        for (std::size_t i = 0; i < n; ++i) s += p[i] < 128 ? char(p[i]) : '?';
    }
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    return s;
}

// Field `name` of the 1x1 struct `s`, or null (also for null or non-struct `s`); owned by `s`.
inline matvar_t* field(matvar_t* s, const char* name) {
    if (!s || s->class_type != MAT_C_STRUCT) return nullptr;
    // Look the name up first: matio logs an error for unknown fields.
    const unsigned n = Mat_VarGetNumberOfFields(s);
    char* const* names = Mat_VarGetStructFieldnames(s);
    for (unsigned i = 0; i < n; ++i)
        if (names[i] && std::string_view(names[i]) == name) return Mat_VarGetStructFieldByIndex(s, i, 0);
    return nullptr;
}

// A cell of char arrays as strings (MatConvNet's class names).
inline std::vector<std::string> texts(matvar_t* cell) {
    std::vector<std::string> out;
    if (!cell || cell->class_type != MAT_C_CELL) return out;
    const std::size_t n = numel(cell);
    for (std::size_t i = 0; i < n; ++i) out.push_back(text(Mat_VarGetCell(cell, int(i))));
    return out;
}

// Level-5 header and a walk over the top-level elements, so a file cut short is reported as
// truncated (with expected and found sizes) instead of as whatever matio stumbles on.
inline void check_file(const std::filesystem::path& path, std::string_view op) {
    const std::string where = std::string(op) + ": '" + path.string() + "'";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw io_error(where + ": no such file");
    if (!std::filesystem::is_regular_file(path, ec)) throw io_error(where + ": not a regular file");
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(where + ": cannot open for reading");
    char header[128] = {};
    in.read(header, 128);
    if (in.gcount() < 128 || std::string_view(header, 6) != "MATLAB")
        throw io_error(where + ": not a MAT-file (expected a 128-byte header starting 'MATLAB 5.0 MAT-file', found " +
                       (in.gcount() < 128 ? std::to_string(in.gcount()) + " bytes" : "other content") + ")");
    const std::uint16_t version = std::uint16_t(std::uint8_t(header[124]) | std::uint8_t(header[125]) << 8);
    const bool little = header[126] == 'I' && header[127] == 'M';
    const bool big = header[126] == 'M' && header[127] == 'I';
    if (!little && !big) throw io_error(where + ": not a MAT-file (no endian indicator at bytes 126-127)");
    if (version == 0x0200 || version == 0x0002)
        return;  // v7.3 (HDF5): left to matio
    if (!little) return;  // big-endian v5: no walk, matio checks
    std::uintmax_t offset = 128;
    while (offset < size) {
        if (size - offset < 8)
            throw io_error(where + ": truncated: " + std::to_string(size - offset) +
                           " stray bytes after the last element (file size " + std::to_string(size) + ")");
        in.seekg(std::streamoff(offset));
        unsigned char tag[8];
        in.read(reinterpret_cast<char*>(tag), 8);
        std::uint32_t type = tag[0] | tag[1] << 8 | tag[2] << 16 | std::uint32_t(tag[3]) << 24;
        std::uint32_t bytes = tag[4] | tag[5] << 8 | tag[6] << 16 | std::uint32_t(tag[7]) << 24;
        std::uintmax_t next = offset + 8 + bytes;
        if ((type >> 16) != 0) next = offset + 8;  // small element (not expected at top level)
        else if (type != 15) next = (next + 7) / 8 * 8;  // uncompressed elements are 8-byte aligned
        if (next > size + ((type != 15) ? 7u : 0u))
            throw io_error(where + ": truncated: an element at byte " + std::to_string(offset) + " needs " +
                           std::to_string(bytes) + " bytes, the file ends after " + std::to_string(size - offset - 8));
        offset = next;
    }
}

// Opens a MAT level-5 file for reading after check_file; io_error naming `op` and the file otherwise.
inline mat_ptr open(const std::filesystem::path& path, std::string_view op) {
    install_log();
    check_file(path, op);
    last_log().clear();
    mat_ptr mat(Mat_Open(path.string().c_str(), MAT_ACC_RDONLY));
    if (!mat) throw io_error(std::string(op) + ": '" + path.string() + "': matio cannot open it as a MAT-file" +
                             (last_log().empty() ? "" : " (" + last_log() + ")"));
    if (Mat_GetVersion(mat.get()) == MAT_FT_MAT4)
        throw io_error(std::string(op) + ": '" + path.string() + "': a MAT v4 file; MatConvNet models are MAT level 5");
    return mat;
}

// Reads top-level variable `name` (null if matio cannot; its message is then last_log()).
inline var_ptr read(mat_t* mat, const char* name) {
    last_log().clear();
    return var_ptr(Mat_VarRead(mat, name));
}

// The names of the top-level variables, in file order.
inline std::vector<std::string> top_level_names(mat_t* mat) {
    std::vector<std::string> out;
    Mat_Rewind(mat);
    while (matvar_t* v = Mat_VarReadNextInfo(mat)) {
        if (v->name) out.emplace_back(v->name);
        Mat_VarFree(v);
    }
    Mat_Rewind(mat);
    return out;
}


// A numeric field with one or more values, expanded: scalar s -> {s, s, ...} (count values).
inline std::vector<double> expanded(matvar_t* l, const char* name, std::size_t count, std::vector<double> fallback) {
    auto v = numbers(field(l, name));
    if (v.empty()) return fallback;
    if (v.size() == 1) return std::vector<double>(count, v[0]);
    if (count == 4 && v.size() == 2) return {v[0], v[0], v[1], v[1]};
    return v;
}

// numeric_error naming `where`, `what` and the element when a value is NaN or Inf.
inline void check_finite(const matvar_t* v, const std::string& where, const char* what) {
    const std::size_t n = numel(v);
    for (std::size_t i = 0; i < n; ++i) {
        const double x = element(v, i);
        if (!std::isfinite(x))
            throw numeric_error(where + ": " + what + " element " + std::to_string(i) + " (column-major) is " +
                                std::to_string(x) + "; expected finite weights (a corrupted or diverged model?)");
    }
}

// Dims padded with trailing ones (MATLAB drops them: 1x1x4096x1 is stored as 1x1x4096).
inline std::vector<std::size_t> padded_dims(const matvar_t* v, std::size_t rank) {
    auto d = dims_of(v);
    while (d.size() < rank) d.push_back(1);
    while (d.size() > rank && d.back() == 1) d.pop_back();
    return d;
}

// Equal within a relative 1e-6: float hyper-parameters (LRN alpha) stored as double.
inline bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max({1.0, std::abs(a), std::abs(b)}); }

// Writing: arrays, cells and structs to hand to Mat_VarWrite (names only on top-level variables).

// A struct's fields in order, each an owned variable.
using fields = std::vector<std::pair<std::string, var_ptr>>;

inline var_ptr make_text(const std::string& s) {
    size_t dims[2] = {1, s.size()};
    std::string copy = s;
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UTF8, 2, dims, copy.data(), 0));
}
inline var_ptr make_doubles(std::vector<double> v, std::vector<std::size_t> dims) {
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, int(dims.size()), dims.data(), v.data(), 0));
}
inline var_ptr make_row(std::vector<double> v) { return make_doubles(v, {1, v.size()}); }
inline var_ptr make_singles(std::vector<float> v, std::vector<std::size_t> dims) {
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_SINGLE, MAT_T_SINGLE, int(dims.size()), dims.data(), v.data(), 0));
}
inline var_ptr make_cell(std::vector<var_ptr> items, const char* name = nullptr) {
    size_t dims[2] = {1, items.size()};
    var_ptr cell(Mat_VarCreate(name, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0));
    for (std::size_t i = 0; i < items.size(); ++i) Mat_VarSetCell(cell.get(), int(i), items[i].release());
    return cell;
}
inline var_ptr make_struct(const char* name, fields members) {
    std::vector<const char*> names;
    for (auto& f : members) names.push_back(f.first.c_str());
    names.push_back(nullptr);
    size_t dims[2] = {1, 1};
    var_ptr s(Mat_VarCreateStruct2(name, 2, dims, names.data()));
    for (auto& f : members) Mat_VarSetStructFieldByName(s.get(), f.first.c_str(), 0, f.second.release());
    return s;
}
inline var_ptr make_texts(const std::vector<std::string>& v) {
    std::vector<var_ptr> items;
    for (const auto& s : v) items.push_back(make_text(s));
    return make_cell(std::move(items));
}

// Creates the MAT level-5 file `path` holding the top-level variables `vars` (each named). Throws
// io_error naming `where` when the file cannot be created or written; a partial file is left for
// the caller to remove (io::write_atomically does).
inline void write_file(const std::filesystem::path& path, const std::vector<matvar_t*>& vars, bool compress,
                       const std::string& where) {
    install_log();
    last_log().clear();
    mat_ptr mat(Mat_CreateVer(path.string().c_str(), "MATLAB 5.0 MAT-file, written by dermtl", MAT_FT_MAT5));
    if (!mat) throw io_error(where + ": cannot create '" + path.string() + "'" +
                             (last_log().empty() ? "" : " (" + last_log() + ")"));
    const auto compression = compress ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
    for (matvar_t* v : vars)
        if (Mat_VarWrite(mat.get(), v, compression) != 0)
            throw io_error(where + ": writing failed (disk full?)" + (last_log().empty() ? "" : ": " + last_log()));
    if (Mat_Close(mat.release()) != 0) throw io_error(where + ": closing the file failed (disk full?)");
}

}  // namespace dermtl::io::mat_file
