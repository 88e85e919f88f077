#pragma once
// MAT-file (level 5) helpers over matio, shared by the MatConvNet import and export.
//
// Represents: owning handles for matio's files and variables, and the few reads and writes a
// simplenn model needs -- real numeric arrays of any stored type as double, char arrays as text,
// struct fields by name, cells of text -- with checks that turn matio's silence or stray log lines
// into io_error messages naming the file.
// Ensures: every function that opens or reads reports a missing, foreign, MAT v4, truncated,
// corrupt-compressed or structurally damaged file (mat_structure.hpp: a size its bytes do not back,
// which matio would allocate) as io_error (naming the operation and the file), before matio reads; a complex array where a
// numeric one is read is an io_error naming where and what (require_real, numbers); readers of a
// missing field return empty values, so callers decide what "absent" means for them.
// The non-template code is defined in impl/mat_file.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/io/matconvnet/mat_structure.hpp"

// matio's file and variable types, declared as <matio.h> declares them: this header only passes
// pointers to them around; the definitions (impl/mat_file.ipp) include matio itself.
struct _mat_t;
typedef struct _mat_t mat_t;
typedef struct matvar_t matvar_t;

namespace dermtl::io::mat_file {

// Owning handles: a variable (freed with Mat_VarFree) and an open file (closed with Mat_Close).
struct var_deleter {
    DERMTL_DECL void operator()(matvar_t* v) const;
};
struct mat_closer {
    DERMTL_DECL void operator()(mat_t* m) const;
};
using var_ptr = std::unique_ptr<matvar_t, var_deleter>;
using mat_ptr = std::unique_ptr<mat_t, mat_closer>;

// matio reports problems through a log function; keep the last message for our errors instead of
// letting it print.
DERMTL_DECL std::string& last_log();
DERMTL_DECL void install_log();

// Number of elements (0 for a null variable).
DERMTL_DECL std::size_t numel(const matvar_t* v);

DERMTL_DECL std::vector<std::size_t> dims_of(const matvar_t* v);

// "7x7x3x96", "(none)" for no dimensions; list_text: "[1 2 3]" or "[conv1 relu1]", for messages.
DERMTL_DECL std::string dims_text(const std::vector<std::size_t>& d);

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

DERMTL_DECL bool is_numeric(const matvar_t* v);

// A numeric class's name, for messages ("single", "double", "int32", ...; "class N" otherwise).
DERMTL_DECL std::string class_name(const matvar_t* v);

// io_error "<where>: <what>: expected a real numeric array, found ..." unless `v` is a real
// numeric array whose data matio has read. Complex arrays are the case that matters: matio holds
// them as a {Re, Im} pair of pointers, so reading their data as numbers reads the pair (and past
// it), not the values.
DERMTL_DECL void require_real(const matvar_t* v, const std::string& where, std::string_view what);

// Element i of a real numeric array as double, whatever its stored type. Requires: require_real(v)
// passed (checked again here for complex arrays, whose data is not an array of numbers).
DERMTL_DECL double element(const matvar_t* v, std::size_t i);

// All elements of the numeric field or array `v` as double; empty for a null (absent) or
// non-numeric one; io_error naming `where` and `what` for a complex one (never silently "absent").
DERMTL_DECL std::vector<double> numbers(const matvar_t* v, const std::string& where, std::string_view what);

// A char array as ASCII text (trailing NULs and blanks dropped); empty if not a char array.
DERMTL_DECL std::string text(const matvar_t* v);

// How many matvar_t* slots matio really holds for the struct or cell `v` (0 when it holds none):
// a damaged or empty (0x0) one may claim elements, or fields, that have no storage, and matio's
// own accessors index `v->data` without checking it.
DERMTL_DECL std::size_t pointer_slots(const matvar_t* v);

// Field `name` of the 1x1 struct `s`, or null (also for null or non-struct `s`, and for a struct
// with no elements or no storage for its fields); owned by `s`.
DERMTL_DECL matvar_t* field(matvar_t* s, const char* name);

// Element `i` of the cell array `c`, or null (also for a non-cell, or an element without storage).
DERMTL_DECL matvar_t* cell(matvar_t* c, std::size_t i);

// A cell of char arrays as strings (MatConvNet's class names).
DERMTL_DECL std::vector<std::string> texts(matvar_t* c);

// Opens a MAT level-5 file for reading after check_file; io_error naming `op` and the file otherwise.
DERMTL_DECL mat_ptr open(const std::filesystem::path& path, std::string_view op);

// Reads top-level variable `name` (null if matio cannot; its message is then last_log()).
DERMTL_DECL var_ptr read(mat_t* mat, const char* name);

// The names of the top-level variables, in file order.
DERMTL_DECL std::vector<std::string> top_level_names(mat_t* mat);

// The numeric field `name` of layer struct `l` with one or more values, expanded: scalar s ->
// {s, s, ...} (count values); `fallback` when absent; io_error naming `where` and the field when
// complex.
DERMTL_DECL std::vector<double> expanded(matvar_t* l, const char* name, std::size_t count, std::vector<double> fallback,
                                         const std::string& where);

// numeric_error naming `where`, `what` and the element when a value is NaN or Inf.
DERMTL_DECL void check_finite(const matvar_t* v, const std::string& where, const char* what);

// Dims padded with trailing ones (MATLAB drops them: 1x1x4096x1 is stored as 1x1x4096).
DERMTL_DECL std::vector<std::size_t> padded_dims(const matvar_t* v, std::size_t rank);

// Equal within a relative 1e-6: float hyper-parameters (LRN alpha) stored as double.
inline bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max({1.0, std::abs(a), std::abs(b)}); }

// Writing: arrays, cells and structs to hand to Mat_VarWrite (names only on top-level variables).

// A struct's fields in order, each an owned variable.
using fields = std::vector<std::pair<std::string, var_ptr>>;

DERMTL_DECL var_ptr make_text(const std::string& s);
DERMTL_DECL var_ptr make_doubles(std::vector<double> v, std::vector<std::size_t> dims);
inline var_ptr make_row(std::vector<double> v) { return make_doubles(v, {1, v.size()}); }
DERMTL_DECL var_ptr make_singles(std::vector<float> v, std::vector<std::size_t> dims);
DERMTL_DECL var_ptr make_cell(std::vector<var_ptr> items, const char* name = nullptr);
DERMTL_DECL var_ptr make_struct(const char* name, fields members);
DERMTL_DECL var_ptr make_texts(const std::vector<std::string>& v);

// Creates the MAT level-5 file `path` holding the top-level variables `vars` (each named). Throws
// io_error naming `where` when the file cannot be created or written; a partial file is left for
// the caller to remove (io::write_atomically does).
DERMTL_DECL void write_file(const std::filesystem::path& path, const std::vector<matvar_t*>& vars, bool compress,
                            const std::string& where);

}  // namespace dermtl::io::mat_file

#if DERMTL_HEADER_ONLY
#include "dermtl/io/matconvnet/impl/mat_file.ipp"
#endif
