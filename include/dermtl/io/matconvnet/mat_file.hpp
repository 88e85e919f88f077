#pragma once
// MAT-file (level 5) helpers over matio, shared by the MatConvNet import and export.
//
// Represents: owning handles for matio's files and variables, and the few reads and writes a
// simplenn model needs -- real numeric arrays of any stored type as double, char arrays as text,
// struct fields by name, cells of text -- with checks that turn matio's silence or stray log lines
// into io_error messages naming the file.
// Ensures: every function that opens or reads reports a missing, foreign, MAT v4, truncated or
// corrupt-compressed file as io_error (naming the operation and the file); a complex array where a
// numeric one is read is an io_error naming where and what (require_real, numbers); readers of a
// missing field return empty values, so callers decide what "absent" means for them.
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
#include <zlib.h>

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

// A numeric class's name, for messages ("single", "double", "int32", ...; "class N" otherwise).
inline std::string class_name(const matvar_t* v) {
    switch (v->class_type) {
    case MAT_C_DOUBLE: return "double";
    case MAT_C_SINGLE: return "single";
    case MAT_C_INT8: return "int8";
    case MAT_C_UINT8: return "uint8";
    case MAT_C_INT16: return "int16";
    case MAT_C_UINT16: return "uint16";
    case MAT_C_INT32: return "int32";
    case MAT_C_UINT32: return "uint32";
    case MAT_C_INT64: return "int64";
    case MAT_C_UINT64: return "uint64";
    case MAT_C_CHAR: return "char";
    case MAT_C_CELL: return "cell";
    case MAT_C_STRUCT: return "struct";
    case MAT_C_SPARSE: return "sparse";
    default: return "class " + std::to_string(int(v->class_type));
    }
}

// io_error "<where>: <what>: expected a real numeric array, found ..." unless `v` is a real
// numeric array whose data matio has read. Complex arrays are the case that matters: matio holds
// them as a {Re, Im} pair of pointers, so reading their data as numbers reads the pair (and past
// it), not the values.
inline void require_real(const matvar_t* v, const std::string& where, std::string_view what) {
    const auto fail = [&](const std::string& found) {
        throw io_error(where + ": " + std::string(what) + ": expected a real numeric array, found " + found);
    };
    if (!v) fail("nothing");
    if (v->isComplex)
        fail("a complex " + class_name(v) + " array " + dims_text(dims_of(v)) +
             " (MatConvNet models hold real values; save real(...) instead)");
    if (!is_numeric(v)) fail("a " + class_name(v) + " array " + dims_text(dims_of(v)));
    if (numel(v) > 0 && (!v->data || v->data_size <= 0 ||
                         v->nbytes / static_cast<std::size_t>(v->data_size) < numel(v)))
        fail("a " + class_name(v) + " array " + dims_text(dims_of(v)) + " without its data (a corrupted file?)");
}

// Element i of a real numeric array as double, whatever its stored type. Requires: require_real(v)
// passed (checked again here for complex arrays, whose data is not an array of numbers).
inline double element(const matvar_t* v, std::size_t i) {
    if (v->isComplex) throw io_error("mat_file::element: a complex array read as a real one (call require_real first)");
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

// All elements of the numeric field or array `v` as double; empty for a null (absent) or
// non-numeric one; io_error naming `where` and `what` for a complex one (never silently "absent").
inline std::vector<double> numbers(const matvar_t* v, const std::string& where, std::string_view what) {
    std::vector<double> out;
    if (!v || !is_numeric(v)) return out;
    require_real(v, where, what);
    const std::size_t n = numel(v);
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(element(v, i));
    return out;
}

// A char array as ASCII text (trailing NULs and blanks dropped); empty if not a char array.
inline std::string text(const matvar_t* v) {
    if (!v || v->class_type != MAT_C_CHAR || !v->data) return {};
    // Never more characters than matio read: a damaged file's dims may claim more (even 4 GB).
    const std::size_t n = v->data_size > 0 ? std::min(numel(v), v->nbytes / static_cast<std::size_t>(v->data_size)) : 0;
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
    if (!names) return nullptr;  // a damaged struct: matio counts fields it has no names for
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

namespace detail {
// The name of a level-5 matrix element from its first bytes (its tag, array flags, dimensions and
// name sub-elements); empty when they are too short or malformed.
inline std::string element_name(const unsigned char* b, std::size_t n) {
    auto u32 = [&](std::size_t at) {
        return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
               std::uint32_t(b[at + 3]) << 24;
    };
    std::size_t at = 8;  // past the miMATRIX tag
    for (int sub = 0; sub < 3; ++sub) {  // flags, dimensions, name
        if (at + 8 > n) return {};
        const std::uint32_t tag = u32(at);
        const bool small = (tag >> 16) != 0;
        const std::size_t size = small ? tag >> 16 : u32(at + 4);
        const std::size_t data = small ? at + 4 : at + 8;
        if (sub == 2) {
            if (size > 64 || data + size > n) return {};
            return std::string(reinterpret_cast<const char*>(b + data), size);
        }
        at = small ? at + 8 : data + (size + 7) / 8 * 8;
    }
    return {};
}

// Inflates the zlib stream of the compressed element at `offset` (its `bytes` bytes start after
// the 8-byte tag) to its end, so its checksum is checked, and throws io_error naming the file, the
// element and its variable when the stream is corrupt. matio does not: it returns whatever the
// damaged stream decodes to, with at most a log line. Streams in 256 KiB pieces (no allocation
// of the variable's size).
inline void check_compressed(std::ifstream& in, std::uintmax_t offset, std::uint32_t bytes, std::size_t index,
                             const std::string& where) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK) throw io_error(where + ": zlib cannot start (out of memory?)");
    struct end_guard {
        z_stream* z;
        ~end_guard() { inflateEnd(z); }
    } guard{&z};
    std::vector<unsigned char> input(std::size_t{1} << 18), output(std::size_t{1} << 18);
    unsigned char head[256];
    std::size_t head_size = 0;
    std::uintmax_t left = bytes;
    in.clear();
    in.seekg(std::streamoff(offset + 8));
    int status = Z_OK;
    const auto fail = [&](const std::string& what) {
        const std::string name = element_name(head, head_size);
        throw io_error(where + ": the file's compressed data is corrupt: top-level element " + std::to_string(index + 1) +
                       (name.empty() ? "" : " (variable '" + name + "')") + " at byte " + std::to_string(offset) +
                       ": " + what + "; expected a zlib stream that decompresses with a matching checksum "
                       "(a damaged download or copy? fetch the file again)");
    };
    while (status != Z_STREAM_END) {
        if (z.avail_in == 0) {
            if (left == 0) fail("the stream ends before its end marker");
            const std::size_t take = static_cast<std::size_t>(std::min<std::uintmax_t>(left, input.size()));
            in.read(reinterpret_cast<char*>(input.data()), std::streamsize(take));
            if (in.gcount() != std::streamsize(take)) fail("the file ends inside the stream");
            left -= take;
            z.next_in = input.data();
            z.avail_in = static_cast<uInt>(take);
        }
        z.next_out = output.data();
        z.avail_out = static_cast<uInt>(output.size());
        status = inflate(&z, Z_NO_FLUSH);
        if (head_size < sizeof head) {
            const std::size_t got = output.size() - z.avail_out;
            const std::size_t copy = std::min(got, sizeof head - head_size);
            std::copy_n(output.data(), copy, head + head_size);
            head_size += copy;
        }
        if (status == Z_NEED_DICT || status == Z_DATA_ERROR || status == Z_MEM_ERROR || status == Z_STREAM_ERROR)
            fail(std::string("zlib: ") + (z.msg ? z.msg : "error " + std::to_string(status)));
        if (status == Z_BUF_ERROR && z.avail_in == 0 && left == 0) fail("the stream ends before its end marker");
    }
}
}  // namespace detail

// Level-5 header and a walk over the top-level elements, so a file cut short is reported as
// truncated (with expected and found sizes) instead of as whatever matio stumbles on, and a
// compressed element (v7, zlib) whose stream is damaged as corrupt compressed data (naming the
// variable) instead of being read as the garbage it inflates to.
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
    std::size_t index = 0;
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
        if (type == 15) detail::check_compressed(in, offset, bytes, index, where);
        offset = next;
        ++index;
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


// The numeric field `name` of layer struct `l` with one or more values, expanded: scalar s ->
// {s, s, ...} (count values); `fallback` when absent; io_error naming `where` and the field when
// complex.
inline std::vector<double> expanded(matvar_t* l, const char* name, std::size_t count, std::vector<double> fallback,
                                    const std::string& where) {
    auto v = numbers(field(l, name), where, std::string("field '") + name + "'");
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
