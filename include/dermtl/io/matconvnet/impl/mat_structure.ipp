// Definitions of io/matconvnet/mat_structure.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_io with DERMTL_SEPARATE_COMPILATION. The walker follows matio's
// reading code; the contract is the header's.
#include "dermtl/io/matconvnet/mat_structure.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>

#include "dermtl/core/error.hpp"
#include "dermtl/io/matconvnet/mat_byte_sources.hpp"

namespace dermtl::io::mat_file {

namespace detail {

// MAT level-5 data types and array classes (MATLAB's "MAT-File Format", tables 1-3 and 1-4).
enum : std::uint32_t { mi_int8 = 1, mi_int32 = 5, mi_uint32 = 6, mi_matrix = 14, mi_compressed = 15, mi_utf8 = 16 };
enum : std::uint32_t { mx_cell = 1, mx_struct = 2, mx_object = 3, mx_char = 4, mx_sparse = 5, mx_uint64 = 15 };

// Bytes per element of a numeric or text storage type; 0 for any other type.
DERMTL_DECL std::uint32_t storage_size(std::uint32_t type) {
    switch (type) {
    case 1: case 2: case 16: return 1;        // miINT8, miUINT8, miUTF8
    case 3: case 4: case 17: return 2;        // miINT16, miUINT16, miUTF16
    case 5: case 6: case 7: case 18: return 4; // miINT32, miUINT32, miSINGLE, miUTF32
    case 9: case 12: case 13: return 8;       // miDOUBLE, miINT64, miUINT64
    default: return 0;
    }
}

DERMTL_DECL std::string class_text(std::uint32_t c) {
    static const char* const names[] = {"class 0", "cell",  "struct", "object", "char",  "sparse",
                                        "double",  "single", "int8",  "uint8",  "int16", "uint16",
                                        "int32",   "uint32", "int64", "uint64"};
    return c < 16 ? names[c] : "class " + std::to_string(c);
}

// Walks one miMATRIX element the way matio reads it (mat5.c: Mat_VarReadNextInfo5, ReadNextCell,
// ReadNextStructField, Mat_VarRead5), from `Bytes` (file_bytes or inflated_bytes). Throws
// structure_fault at the first size that its bytes do not back.
template <class Bytes>
class matrix_walker {
public:
    matrix_walker(Bytes& bytes, bool swap) : bytes_(bytes), swap_(swap) {}

    // The top-level variable's name once its matrix header has been read (empty before).
    const std::string& top_name() const { return top_name_; }

    // A matrix element's tag (8 bytes), then its content; `path` names it for messages.
    std::uint64_t tagged_matrix(std::uint64_t room, const std::string& path, const std::string& what) {
        if (room < 8) fault(path, what + ": needs an 8-byte matrix tag, " + std::to_string(room) + " bytes remain");
        unsigned char tag[8];
        bytes_.read(tag, 8);
        const std::uint32_t type = u32(tag), size = u32(tag + 4);
        if (type != mi_matrix)
            fault(path, what + ": expected a matrix element (type 14), found a " + type_text(type) + " element");
        if (size > room - 8)
            fault(path, what + ": its tag claims " + std::to_string(size) + " bytes, its parent holds " +
                            std::to_string(room - 8) + " after the tag");
        matrix(size, path, false);
        return 8 + std::uint64_t(size);
    }

    // The content of a matrix element of `size` bytes (its tag read already).
    void matrix(std::uint32_t size, const std::string& path, bool top) {
        if (size == 0) return;  // an empty matrix: matio makes an empty variable of it
        if (size % 8 != 0)
            fault(path, "the matrix claims " + std::to_string(size) +
                            " bytes, not a multiple of 8 (every element is 8-byte aligned)");
        std::uint64_t left = size;

        // Array flags: miUINT32, 8 bytes (class, complex/global/logical bits; nzmax for sparse).
        const sub flags = sub_element(left, path, "array flags");
        if (flags.small || flags.type != mi_uint32 || flags.size != 8)
            fault(path, "array flags: expected an 8-byte uint32 sub-element, found " + sub_text(flags));
        unsigned char fb[8];
        read_data(flags, fb, left);
        const std::uint32_t cls = u32(fb) & 0xff;
        const bool complex = (u32(fb) & 0x0800) != 0;

        // Dimensions: miINT32, two or more, none negative.
        const sub dims = sub_element(left, path, "dimensions");
        if (dims.small || dims.type != mi_int32 || dims.size < 8 || dims.size % 4 != 0)
            fault(path, "dimensions: expected an int32 sub-element of 2 or more dimensions, found " + sub_text(dims));
        std::uint64_t count = 1;
        bool overflow = false;
        std::string dims_text, problem;  // a problem is reported once the name is known
        for (std::uint32_t i = 0; i < dims.size / 4; ++i) {
            unsigned char d[4];
            bytes_.read(d, 4);
            const auto dim = static_cast<std::int32_t>(u32(d));
            if (i < 8) dims_text += (i ? "x" : "") + std::to_string(dim);
            else if (i == 8) dims_text += "x...";
            if (dim < 0 && problem.empty())
                problem = "dimension " + std::to_string(i + 1) + " is " + std::to_string(dim) + ", a negative size";
            if (dim < 0) continue;
            if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / std::uint64_t(dim)) overflow = true;
            count *= std::uint64_t(dim);
        }
        skip_padding(dims, left);
        if (overflow && count != 0 && problem.empty())
            problem = "the dimensions " + dims_text + " claim more than 2^64 elements";

        // Name: miINT8 (small when 4 characters or fewer); empty inside cells and structs.
        const sub name = sub_element(left, path, "name");
        if (name.type != mi_int8) fault(path, "name: expected an int8 sub-element, found " + sub_text(name));
        const std::string name_text = read_text(name, left, 256);
        const std::string here = top ? name_text : path;
        if (top) top_name_ = name_text;
        if (!problem.empty()) fault(here, problem);

        const std::string claims = "the dimensions " + dims_text + " claim " + std::to_string(count);
        switch (cls) {
        case mx_cell: {
            if (count > left / 8)
                fault(here, claims + " cells (" + std::to_string(count) + " matrix elements of 8 bytes or more), the cell holds " +
                                std::to_string(left) + " bytes");
            for (std::uint64_t i = 0; i < count; ++i)
                left -= tagged_matrix(left, here + "{" + std::to_string(i + 1) + "}", "cell " + std::to_string(i + 1));
            break;
        }
        case mx_struct:
        case mx_object: {
            if (cls == mx_object) {
                const sub class_name = sub_element(left, here, "class name");
                if (class_name.type != mi_int8)
                    fault(here, "class name: expected an int8 sub-element, found " + sub_text(class_name));
                read_text(class_name, left, 0);
            }
            // Field name length: a small int32 (matio reads no other form).
            if (left < 8) fault(here, "field name length: needs 8 bytes, " + std::to_string(left) + " remain");
            unsigned char lb[8];
            bytes_.read(lb, 8);
            left -= 8;
            const std::uint32_t length = u32(lb + 4);
            if (u32(lb) != (4u << 16 | mi_int32) || length == 0 || length > 4096)
                fault(here, "field name length: expected a small int32 sub-element holding 1 to 4096, found tag " +
                                hex(u32(lb)) + " value " + std::to_string(length));
            const sub names = sub_element(left, here, "field names");
            if (names.small || names.type != mi_int8)
                fault(here, "field names: expected an int8 sub-element, found " + sub_text(names));
            if (names.size % length != 0)
                fault(here, "field names: " + std::to_string(names.size) + " bytes are not a whole number of " +
                                std::to_string(length) + "-byte names");
            const std::uint64_t fields = names.size / length;
            const std::string all = read_text(names, left, 1 << 16, false);
            auto field_name = [&](std::uint64_t f) {
                if (all.size() < (f + 1) * length) return "field" + std::to_string(f + 1);
                std::string s = all.substr(std::size_t(f * length), length);
                s.resize(std::min(s.find('\0'), s.size()));
                return s;
            };
            if (fields != 0 && count > left / 8 / fields)
                fault(here, claims + " structs of " + std::to_string(fields) + " fields (" +
                                (count > std::numeric_limits<std::uint64_t>::max() / fields
                                     ? std::string("more than 2^64")
                                     : std::to_string(count * fields)) +
                                " matrix elements of 8 bytes or more), the struct holds " + std::to_string(left) +
                                " bytes");
            for (std::uint64_t e = 0; e < count; ++e)
                for (std::uint64_t f = 0; f < fields; ++f) {
                    const std::string field_path =
                        here + (count > 1 ? "(" + std::to_string(e + 1) + ")" : "") + "." + field_name(f);
                    left -= tagged_matrix(left, field_path, "field '" + field_name(f) + "'");
                }
            break;
        }
        case mx_sparse: {
            // Row indices, column starts, values (and imaginary values): matio sizes each from its tag.
            for (const char* part : {"row indices", "column starts", "values", "imaginary values"}) {
                if (part == std::string_view("imaginary values") && !complex) break;
                const sub s = sub_element(left, here, part);
                skip_data(s, left);
            }
            break;
        }
        default: {
            if (cls != mx_char && (cls < 6 || cls > mx_uint64))
                fault(here, "array class " + std::to_string(cls) +
                                " is not one dermtl reads (numeric, char, logical, cell, struct, object or sparse)");
            if (count == 0 && left == 0) break;  // an empty array may have no data sub-element
            for (const char* part : {"real part", "imaginary part"}) {
                if (part == std::string_view("imaginary part") && !complex) break;
                const sub s = sub_element(left, here, part);
                const std::uint32_t each = storage_size(s.type);
                const std::string what = claims + " " + class_text(cls) + " elements";
                if (each == 0) fault(here, std::string(part) + ": expected a numeric sub-element, found " + sub_text(s));
                if (cls == mx_char && s.type == mi_utf8) {
                    if (count > s.size)
                        fault(here, what + " (at least 1 byte each in UTF-8), the " + part + " holds " +
                                        std::to_string(s.size) + " bytes");
                } else if (count > s.size / each || count * each != s.size) {
                    fault(here, what + " (" +
                                    (count > std::numeric_limits<std::uint64_t>::max() / each
                                         ? std::string("more than 2^64")
                                         : std::to_string(count * each)) +
                                    " bytes of " + type_text(s.type) + "), the " + part + " holds " +
                                    std::to_string(s.size) + " bytes");
                }
                skip_data(s, left);
            }
        }
        }
        bytes_.skip(left);  // what a writer left after the parts matio reads
    }

private:
    struct sub {
        std::uint32_t type = 0, size = 0;
        bool small = false;
        unsigned char inline_data[4] = {};
    };

    std::uint32_t u32(const unsigned char* b) const {
        const std::uint32_t v = std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
                                std::uint32_t(b[3]) << 24;
        return swap_ ? (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24) : v;
    }
    static std::string hex(std::uint32_t v) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%08x", unsigned(v));
        return buf;
    }
    static std::string type_text(std::uint32_t type) {
        static const char* const names[] = {"",       "int8", "uint8",  "int16", "uint16", "int32",      "uint32",
                                            "single", "",     "double", "",      "",       "int64",      "uint64",
                                            "matrix", "compressed", "utf8", "utf16", "utf32"};
        return type < 19 && *names[type] ? names[type] : "type-" + std::to_string(type);
    }
    static std::string sub_text(const sub& s) {
        return std::string(s.small ? "a small " : "a ") + type_text(s.type) + " sub-element of " +
               std::to_string(s.size) + " bytes";
    }
    [[noreturn]] static void fault(const std::string& path, const std::string& what) {
        throw structure_fault{path, what};
    }

    // The next sub-element's tag, in either form; its data must fit in the `left` bytes that remain.
    sub sub_element(std::uint64_t& left, const std::string& path, const char* what) {
        if (left < 8)
            fault(path, std::string(what) + ": needs an 8-byte tag, the matrix has " + std::to_string(left) + " bytes left");
        unsigned char tag[8];
        bytes_.read(tag, 8);
        left -= 8;
        sub s;
        const std::uint32_t first = u32(tag);
        if ((first >> 16) != 0) {  // small element: size and type in 4 bytes, data in the next 4
            s.small = true;
            s.type = first & 0xffff;
            s.size = first >> 16;
            std::copy_n(tag + 4, 4, s.inline_data);
            if (s.size > 4)
                fault(path, std::string(what) + ": a small sub-element claims " + std::to_string(s.size) +
                                " bytes, at most 4 fit");
            return s;
        }
        s.type = first;
        s.size = u32(tag + 4);
        if (s.size > left)
            fault(path, std::string(what) + ": a " + type_text(s.type) + " sub-element claims " + std::to_string(s.size) +
                            " bytes, the matrix has " + std::to_string(left) + " left");
        return s;
    }
    static std::uint64_t padded(std::uint32_t size) { return (std::uint64_t(size) + 7) / 8 * 8; }
    // After the data of a non-small sub-element: its padding to 8 bytes, within the matrix.
    void skip_padding(const sub& s, std::uint64_t& left) {
        left -= s.size;
        const std::uint64_t pad = padded(s.size) - s.size;
        if (pad > left) fault({}, "a sub-element's padding runs past the end of its matrix");
        bytes_.skip(pad);
        left -= pad;
    }
    void skip_data(const sub& s, std::uint64_t& left) {
        if (s.small) return;
        bytes_.skip(s.size);
        skip_padding(s, left);
    }
    void read_data(const sub& s, unsigned char* out, std::uint64_t& left) {
        if (s.small) {
            std::copy_n(s.inline_data, s.size, out);
            return;
        }
        bytes_.read(out, s.size);
        skip_padding(s, left);
    }
    // A text sub-element's first `keep` bytes as a string (the rest skipped); NULs kept unless trim.
    std::string read_text(const sub& s, std::uint64_t& left, std::size_t keep, bool trim = true) {
        std::string out;
        if (s.small) {
            out.assign(reinterpret_cast<const char*>(s.inline_data), s.size);
        } else {
            const std::size_t take = std::min<std::size_t>(s.size, keep);
            out.resize(take);
            bytes_.read(reinterpret_cast<unsigned char*>(out.data()), take);
            bytes_.skip(s.size - take);
            skip_padding(s, left);
        }
        if (trim) out.resize(std::min(out.find('\0'), out.size()));
        return out;
    }

    Bytes& bytes_;
    bool swap_;
    std::string top_name_;
};

// The io_error for a structure_fault in top-level element `index` at byte `offset`.
[[noreturn]] DERMTL_DECL void structure_error(const std::string& where, std::size_t index, std::uint64_t offset,
                                              const std::string& name, const structure_fault& f) {
    const std::string variable = name.empty() ? "" : " (variable '" + shortened(name) + "')";
    const std::string at = f.path.empty() || f.path == name ? "" : ", at " + shortened(f.path, 160);
    throw io_error(where + ": the file's structure is damaged: top-level element " + std::to_string(index + 1) +
                   variable + " at byte " + std::to_string(offset) + at + ": " + f.what +
                   "; expected every size the file claims to be backed by its bytes (a damaged download or copy? "
                   "fetch the file again)");
}

}  // namespace detail

// Level-5 header and a walk over the top-level elements and, recursively, every matrix in them
// (see the contract at the top of this header): a file cut short is reported as truncated, a
// damaged compressed stream as corrupt compressed data, and any size the bytes do not back as a
// damaged structure, each naming the variable, instead of whatever matio would allocate or read.
DERMTL_DECL void check_file(const std::filesystem::path& path, std::string_view op) {
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
    const bool little = header[126] == 'I' && header[127] == 'M';
    const bool big = header[126] == 'M' && header[127] == 'I';
    if (!little && !big) throw io_error(where + ": not a MAT-file (no endian indicator at bytes 126-127)");
    const std::uint16_t version = std::uint16_t(std::uint8_t(header[124]) | std::uint8_t(header[125]) << 8);
    if (version == 0x0200 || version == 0x0002) return;  // v7.3 (HDF5): left to matio and the HDF5 library
    const bool swap = big;
    auto u32 = [&](const unsigned char* b) {
        const std::uint32_t v = b[0] | b[1] << 8 | b[2] << 16 | std::uint32_t(b[3]) << 24;
        return swap ? (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24) : v;
    };
    std::uintmax_t offset = 128;
    std::size_t index = 0;
    while (offset < size) {
        if (size - offset < 8)
            throw io_error(where + ": truncated: " + std::to_string(size - offset) +
                           " stray bytes after the last element (file size " + std::to_string(size) + ")");
        in.clear();
        in.seekg(std::streamoff(offset));
        unsigned char tag[8];
        in.read(reinterpret_cast<char*>(tag), 8);
        const std::uint32_t type = u32(tag), bytes = u32(tag + 4);
        std::uintmax_t next = offset + 8 + bytes;
        if ((type >> 16) != 0) next = offset + 8;  // small element (not expected at top level)
        else if (type != detail::mi_compressed) next = (next + 7) / 8 * 8;  // uncompressed elements are 8-byte aligned
        if (next > size + ((type != detail::mi_compressed) ? 7u : 0u))
            throw io_error(where + ": truncated: an element at byte " + std::to_string(offset) + " needs " +
                           std::to_string(bytes) + " bytes, the file ends after " + std::to_string(size - offset - 8));
        if (type == detail::mi_matrix) {
            detail::file_bytes source(in, offset + 8);
            detail::matrix_walker walker(source, swap);
            try {
                walker.matrix(bytes, {}, true);
            } catch (const detail::structure_fault& f) {
                detail::structure_error(where, index, offset, walker.top_name(), f);
            }
        } else if (type == detail::mi_compressed) {
            detail::inflated_bytes source(in, offset, bytes, index, where);
            detail::matrix_walker walker(source, swap);
            try {
                // The stream holds one matrix element: its tag, then the content the tag declares.
                unsigned char inner[8];
                source.read(inner, 8);
                const std::uint32_t inner_type = u32(inner), inner_size = u32(inner + 4);
                if (inner_type != detail::mi_matrix)
                    throw detail::structure_fault{{}, "the compressed element holds data type " +
                                                          std::to_string(inner_type) + "; expected a matrix (type 14)"};
                source.set_cap(8 + std::uint64_t(inner_size));
                walker.matrix(inner_size, {}, true);
                source.finish();
            } catch (const detail::structure_fault& f) {
                source.check_intact();  // a corrupt stream is the likelier cause: say that if so
                detail::structure_error(where, index, offset, walker.top_name(), f);
            }
        }
        offset = next;
        ++index;
    }
}

}  // namespace dermtl::io::mat_file
