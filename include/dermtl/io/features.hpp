#pragma once
// Deep-feature files: a feature matrix and the ids of its rows, as NumPy reads them.
//
// Represents: a feature_set (io/feature_set.hpp) on disk. `<name>.npy` holds the matrix as
// NumPy's .npy format version 1.0, dtype '<f4' (float32 little-endian), C order, shape
// (samples, dimensions) -- numpy.load reads it directly. The ids go beside it in `<name>.ids`:
// UTF-8 text, one sample id per line, in row order, '\n' endings. save_features writes both,
// each atomically (io/atomic_file.hpp); load_features reads both and checks that they agree.
// Computing features (running a network) is train/features.hpp's job, not this file's.
//
// .npy goes through xtensor's xnpy (xt::dump_npy, xt::load_npy), with one addition on reading:
// xnpy trusts the file it is given, so load_npy_matrix first checks the header itself. As of
// xtensor 0.24, xt::load_npy
//   - allocates what the header's shape announces before reading a byte of data (a lying
//     header asks for any amount of memory; a shape whose product overflows gives a buffer
//     smaller than the array it is then wrapped in),
//   - ignores a short read, so a truncated file yields uninitialized values without an error,
//   - reads the header length's bytes as signed char, so a length whose low byte (version 1.0;
//     any of the three low bytes in 2.0) is 0x80 or more is misread and a valid file rejected,
//   - throws std::runtime_error without the file's name or what was expected.
// The check (check_npy_header) rejects all of these with an io_error naming the file, what was
// expected and what was found, and bounds every allocation by the file's size; xnpy then reads
// the file. Writing needs no check: xt::dump_npy's bytes are exactly the previous hand-written
// writer's for 2-D float32 (a 64-aligned header, the same dictionary text).
// The non-template code is defined in impl/features.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <filesystem>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/feature_set.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::io {

// Writes an n x d float32 matrix as .npy (version 1.0, '<f4', C order), atomically.
DERMTL_DECL void save_npy_matrix(const std::filesystem::path& path, const svm::feature_matrix& m);

// Reads a 2-D float32 C-order .npy matrix (as written by save_npy_matrix or numpy.save).
DERMTL_DECL svm::feature_matrix load_npy_matrix(const std::filesystem::path& path);

// Writes `<path>` (.npy matrix) and `<path with extension .ids>` (one id per line).
DERMTL_DECL void save_features(const std::filesystem::path& path, const feature_set& f);

DERMTL_DECL feature_set load_features(const std::filesystem::path& path);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/features.ipp"
#endif
