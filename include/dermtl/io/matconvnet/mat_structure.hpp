#pragma once
// The structure of a MAT level-5 file, checked before matio reads it.
//
// Why: matio (1.5.23) allocates what a variable's header claims -- a cell's or struct's element
// count, a numeric array's dims times its element size -- before it reads any data, so a 7.5 KB
// file whose dims were damaged makes it ask for 14 GB or 16 EB. check_file walks every top-level
// element the way matio will read it and refuses the file unless every size it claims is backed by
// bytes the file (or, for a compressed element, its inflated stream) actually holds.
//
// Represents: check_file(path, op), the only entry point. The byte sources (the file itself, or
// one compressed element's zlib stream inflated on the fly) are mat_byte_sources.hpp; the walker
// and check_file are defined in impl/mat_structure.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
// Requires: nothing of matio; reads the file with std::ifstream and zlib.
// Ensures: on return, for every miMATRIX in the file (top level, nested in cells and structs,
// compressed or not): its size is a multiple of 8 and within its parent; its array flags, dims and
// name sub-elements are in the form matio reads; no dimension is negative; the element count is
// representable; a cell holds as many element tags as its dims claim, a struct as many field tags
// as dims x fields; field names have a positive length dividing their sub-element; a numeric or
// char array's real (and imaginary) part holds exactly dims x element-size bytes (UTF-8 text: at
// least one byte per character); a compressed element's zlib stream is intact (checksum) and
// inflates to exactly the element its tag declares (never more than that: the cap is the tag's
// own size, under 4 GiB by the format). Otherwise io_error naming the operation, the file, the
// top-level element and variable, the path inside it (layers{3}.weights{1}), what was claimed and
// what the file holds. MAT v7.3 (HDF5) files are left to matio.
#include <filesystem>
#include <string_view>

#include "dermtl/core/config.hpp"

namespace dermtl::io::mat_file {

// Level-5 header and a walk over the top-level elements and, recursively, every matrix in them
// (see the contract at the top of this header): a file cut short is reported as truncated, a
// damaged compressed stream as corrupt compressed data, and any size the bytes do not back as a
// damaged structure, each naming the variable, instead of whatever matio would allocate or read.
DERMTL_DECL void check_file(const std::filesystem::path& path, std::string_view op);

}  // namespace dermtl::io::mat_file

#if DERMTL_HEADER_ONLY
#include "dermtl/io/matconvnet/impl/mat_structure.ipp"
#endif
