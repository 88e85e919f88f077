#pragma once
// safetensors files (Hugging Face's format, the one timm, diffusers and most PyTorch users ship
// weights in): read into float32 tensors, and written from them.
//
// The format: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON, an object
// mapping each tensor's name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
// byte buffer that follows the header), plus an optional "__metadata__" object of string values;
// trailing spaces may pad the header; then the byte buffer: each tensor's values, row-major,
// little-endian, packed, with no holes between tensors and nothing after the last one.
//
// Reading (read_safetensors, parse_safetensors): the header is parsed and every claim in it is
// checked against the file's size before any tensor is allocated -- the header length against the
// file, the JSON's form, each dtype (F32, F16, BF16 are read; another known dtype is refused as one
// that is not read; anything else as unknown), each shape's element count times the dtype's size
// against its offsets, the offsets against the buffer (inside it, no two tensors overlapping, no
// holes, nothing left over). Every failure is an io_error naming the file and, where there is one,
// the tensor. F16 and BF16 values are converted to float32 exactly (every half and bfloat16 value
// is a float32 value). The header is limited to 100 MB, as the reference implementation does.
// Writing (write_safetensors): float32 ("F32") tensors in the given order, the header padded with
// spaces so the byte buffer starts 8-byte aligned, written atomically (io/atomic_file.hpp).
// Non-template code, defined in impl/safetensors.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp); nlohmann_json is seen there only.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io {

// One tensor: its name, its shape (outermost first; empty for a scalar) and its values as float32,
// row-major (values.size() is the product of shape).
struct safetensors_tensor {
    std::string name;
    std::vector<std::size_t> shape;
    std::vector<float> values;
};

// A whole file: the header's "__metadata__" and the tensors in file order (by data offset).
struct safetensors_file {
    std::map<std::string, std::string> metadata;
    std::vector<safetensors_tensor> tensors;
    // The tensor called `name`, or nullptr.
    DERMTL_DECL const safetensors_tensor* find(std::string_view name) const;
};

// The element types the reader converts to float32.
enum class safetensors_dtype { f32, f16, bf16 };

// One tensor as the header describes it: what the reader checked before reading any value.
struct safetensors_entry {
    std::string name;
    safetensors_dtype dtype = safetensors_dtype::f32;
    std::vector<std::size_t> shape;
    std::uint64_t begin = 0, end = 0;  // byte offsets into the byte buffer (begin <= end)
};

// A file's checked header: its metadata, its tensors in file order, and where the byte buffer starts.
struct safetensors_index {
    std::map<std::string, std::string> metadata;
    std::vector<safetensors_entry> entries;
    std::uint64_t data_offset = 0;  // 8 + the header length
    std::uint64_t file_size = 0;
};

// The largest header accepted (the reference implementation's limit).
inline constexpr std::uint64_t safetensors_max_header = 100'000'000;

// The header of `file`, checked against the file's size (see the top of this header); reads no
// tensor. Throws io_error naming the file and the tensor.
DERMTL_DECL safetensors_index read_safetensors_index(const std::filesystem::path& file);

// The whole file, F32/F16/BF16 converted to float32. Throws io_error naming the file and the tensor.
DERMTL_DECL safetensors_file read_safetensors(const std::filesystem::path& file);

// The same from bytes in memory; `name` stands for the file in messages (the fuzz target's entry).
DERMTL_DECL safetensors_file parse_safetensors(std::span<const unsigned char> bytes, std::string_view name);

// Writes `tensors` as F32 with `metadata` as "__metadata__" (omitted when empty), atomically.
// Throws io_error naming the file (and the tensor) for a tensor whose values do not fill its shape,
// an empty, duplicate or reserved ("__metadata__") name, or a failed write; `file`'s folder must exist.
DERMTL_DECL void write_safetensors(const std::filesystem::path& file, const std::vector<safetensors_tensor>& tensors,
                                   const std::map<std::string, std::string>& metadata);

// Whether `file` looks like a safetensors file, by content: at least 8 bytes, a header length that
// fits in the file (and the limit), and a header starting with '{'. A MAT-file's text header never
// passes (its first 8 bytes make an enormous length). False for a file that cannot be read.
DERMTL_DECL bool is_safetensors(const std::filesystem::path& file);

// IEEE 754 binary16 and bfloat16 bit patterns to float, exactly (subnormals, infinities, NaN kept).
DERMTL_DECL float half_to_float(std::uint16_t bits);
DERMTL_DECL float bfloat16_to_float(std::uint16_t bits);

// "F32", "F16", "BF16".
DERMTL_DECL std::string_view dtype_name(safetensors_dtype t);

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/safetensors.ipp"
#endif
