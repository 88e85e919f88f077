// Definitions of io/matconvnet/mat_file.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/matconvnet/mat_file.hpp"

#include <cstdint>
#include <fstream>

#include <matio.h>

namespace dermtl::io::mat_file {

DERMTL_DECL void var_deleter::operator()(matvar_t* v) const { Mat_VarFree(v); }
DERMTL_DECL void mat_closer::operator()(mat_t* m) const { Mat_Close(m); }

// matio reports problems through a log function; keep the last message for our errors instead of
// letting it print.
DERMTL_DECL std::string& last_log() {
    static thread_local std::string message;
    return message;
}

DERMTL_DECL void capture_log(int, char* message) { last_log() = message ? message : ""; }

DERMTL_DECL void install_log() {
    static const bool installed = [] {
        Mat_LogInitFunc("dermtl", &capture_log);
        return true;
    }();
    (void)installed;
}

// Number of elements (0 for a null variable).
DERMTL_DECL std::size_t numel(const matvar_t* v) {
    if (!v || v->rank <= 0) return 0;
    std::size_t n = 1;
    for (int i = 0; i < v->rank; ++i) n *= v->dims[i];
    return n;
}

DERMTL_DECL std::vector<std::size_t> dims_of(const matvar_t* v) {
    if (!v) return {};
    return std::vector<std::size_t>(v->dims, v->dims + v->rank);
}

// "7x7x3x96", "(none)" for no dimensions; list_text: "[1 2 3]" or "[conv1 relu1]", for messages.
DERMTL_DECL std::string dims_text(const std::vector<std::size_t>& d) {
    std::string s;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i) s += "x";
        s += std::to_string(d[i]);
    }
    return s.empty() ? "(none)" : s;
}

DERMTL_DECL bool is_numeric(const matvar_t* v) {
    switch (v->class_type) {
    case MAT_C_DOUBLE: case MAT_C_SINGLE: case MAT_C_INT8: case MAT_C_UINT8: case MAT_C_INT16: case MAT_C_UINT16:
    case MAT_C_INT32: case MAT_C_UINT32: case MAT_C_INT64: case MAT_C_UINT64: return true;
    default: return false;
    }
}

// A numeric class's name, for messages ("single", "double", "int32", ...; "class N" otherwise).
DERMTL_DECL std::string class_name(const matvar_t* v) {
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
DERMTL_DECL void require_real(const matvar_t* v, const std::string& where, std::string_view what) {
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
DERMTL_DECL double element(const matvar_t* v, std::size_t i) {
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
DERMTL_DECL std::vector<double> numbers(const matvar_t* v, const std::string& where, std::string_view what) {
    std::vector<double> out;
    if (!v || !is_numeric(v)) return out;
    require_real(v, where, what);
    const std::size_t n = numel(v);
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(element(v, i));
    return out;
}

// A char array as ASCII text (trailing NULs and blanks dropped); empty if not a char array.
DERMTL_DECL std::string text(const matvar_t* v) {
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

// How many matvar_t* slots matio really holds for the struct or cell `v` (0 when it holds none):
// a damaged or empty (0x0) one may claim elements, or fields, that have no storage, and matio's
// own accessors index `v->data` without checking it.
DERMTL_DECL std::size_t pointer_slots(const matvar_t* v) {
    if (!v || !v->data || v->data_size != static_cast<int>(sizeof(matvar_t*))) return 0;
    return v->nbytes / sizeof(matvar_t*);
}

// Field `name` of the 1x1 struct `s`, or null (also for null or non-struct `s`, and for a struct
// with no elements or no storage for its fields); owned by `s`.
DERMTL_DECL matvar_t* field(matvar_t* s, const char* name) {
    if (!s || s->class_type != MAT_C_STRUCT || numel(s) == 0) return nullptr;
    // Look the name up first: matio logs an error for unknown fields.
    const unsigned n = Mat_VarGetNumberOfFields(s);
    char* const* names = Mat_VarGetStructFieldnames(s);
    if (!names) return nullptr;  // a damaged struct: matio counts fields it has no names for
    for (unsigned i = 0; i < n; ++i)
        if (names[i] && std::string_view(names[i]) == name)
            return i < pointer_slots(s) ? Mat_VarGetStructFieldByIndex(s, i, 0) : nullptr;
    return nullptr;
}

// Element `i` of the cell array `c`, or null (also for a non-cell, or an element without storage).
DERMTL_DECL matvar_t* cell(matvar_t* c, std::size_t i) {
    if (!c || c->class_type != MAT_C_CELL || i >= numel(c) || i >= pointer_slots(c)) return nullptr;
    return Mat_VarGetCell(c, static_cast<int>(i));
}

// A cell of char arrays as strings (MatConvNet's class names).
DERMTL_DECL std::vector<std::string> texts(matvar_t* c) {
    std::vector<std::string> out;
    if (!c || c->class_type != MAT_C_CELL) return out;
    const std::size_t n = numel(c);
    for (std::size_t i = 0; i < n; ++i) out.push_back(text(cell(c, i)));
    return out;
}

// Opens a MAT level-5 file for reading after check_file; io_error naming `op` and the file otherwise.
DERMTL_DECL mat_ptr open(const std::filesystem::path& path, std::string_view op) {
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
DERMTL_DECL var_ptr read(mat_t* mat, const char* name) {
    last_log().clear();
    return var_ptr(Mat_VarRead(mat, name));
}

// The names of the top-level variables, in file order.
DERMTL_DECL std::vector<std::string> top_level_names(mat_t* mat) {
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
DERMTL_DECL std::vector<double> expanded(matvar_t* l, const char* name, std::size_t count, std::vector<double> fallback,
                                         const std::string& where) {
    auto v = numbers(field(l, name), where, std::string("field '") + name + "'");
    if (v.empty()) return fallback;
    if (v.size() == 1) return std::vector<double>(count, v[0]);
    if (count == 4 && v.size() == 2) return {v[0], v[0], v[1], v[1]};
    return v;
}

// numeric_error naming `where`, `what` and the element when a value is NaN or Inf.
DERMTL_DECL void check_finite(const matvar_t* v, const std::string& where, const char* what) {
    const std::size_t n = numel(v);
    for (std::size_t i = 0; i < n; ++i) {
        const double x = element(v, i);
        if (!std::isfinite(x))
            throw numeric_error(where + ": " + what + " element " + std::to_string(i) + " (column-major) is " +
                                std::to_string(x) + "; expected finite weights (a corrupted or diverged model?)");
    }
}

// Dims padded with trailing ones (MATLAB drops them: 1x1x4096x1 is stored as 1x1x4096).
DERMTL_DECL std::vector<std::size_t> padded_dims(const matvar_t* v, std::size_t rank) {
    auto d = dims_of(v);
    while (d.size() < rank) d.push_back(1);
    while (d.size() > rank && d.back() == 1) d.pop_back();
    return d;
}

DERMTL_DECL var_ptr make_text(const std::string& s) {
    size_t dims[2] = {1, s.size()};
    std::string copy = s;
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UTF8, 2, dims, copy.data(), 0));
}

DERMTL_DECL var_ptr make_doubles(std::vector<double> v, std::vector<std::size_t> dims) {
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, int(dims.size()), dims.data(), v.data(), 0));
}

DERMTL_DECL var_ptr make_singles(std::vector<float> v, std::vector<std::size_t> dims) {
    return var_ptr(Mat_VarCreate(nullptr, MAT_C_SINGLE, MAT_T_SINGLE, int(dims.size()), dims.data(), v.data(), 0));
}

DERMTL_DECL var_ptr make_cell(std::vector<var_ptr> items, const char* name) {
    size_t dims[2] = {1, items.size()};
    var_ptr cell(Mat_VarCreate(name, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0));
    for (std::size_t i = 0; i < items.size(); ++i) Mat_VarSetCell(cell.get(), int(i), items[i].release());
    return cell;
}

DERMTL_DECL var_ptr make_struct(const char* name, fields members) {
    std::vector<const char*> names;
    for (auto& f : members) names.push_back(f.first.c_str());
    names.push_back(nullptr);
    size_t dims[2] = {1, 1};
    var_ptr s(Mat_VarCreateStruct2(name, 2, dims, names.data()));
    for (auto& f : members) Mat_VarSetStructFieldByName(s.get(), f.first.c_str(), 0, f.second.release());
    return s;
}

DERMTL_DECL var_ptr make_texts(const std::vector<std::string>& v) {
    std::vector<var_ptr> items;
    for (const auto& s : v) items.push_back(make_text(s));
    return make_cell(std::move(items));
}

// Creates the MAT level-5 file `path` holding the top-level variables `vars` (each named). Throws
// io_error naming `where` when the file cannot be created or written; a partial file is left for
// the caller to remove (io::write_atomically does).
DERMTL_DECL void write_file(const std::filesystem::path& path, const std::vector<matvar_t*>& vars, bool compress,
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
