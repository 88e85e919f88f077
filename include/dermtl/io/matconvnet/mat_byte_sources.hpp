#pragma once
// The bytes check_file (mat_structure.hpp) walks: one top-level element of a MAT level-5 file,
// read from the file itself (file_bytes) or from its zlib stream inflated on the fly
// (inflated_bytes), and what the walker throws when a size is not backed by them
// (structure_fault). Internal to check_file: only impl/mat_structure.ipp includes this header.
// Not templates: defined in impl/mat_byte_sources.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <zlib.h>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::io::mat_file::detail {

// The name of a level-5 matrix element from its first bytes (its tag, array flags, dimensions and
// name sub-elements); empty when they are too short or malformed. Names a compressed variable
// whose stream fails before the walk reached its name.
DERMTL_DECL std::string element_name(const unsigned char* b, std::size_t n);

// What the walker throws for an inconsistency; check_file turns it into the io_error (after
// letting a compressed element's zlib stream say whether it is corrupt, the likelier cause).
struct structure_fault {
    std::string path;  // where inside the variable ("layers{3}.weights"), empty at its top
    std::string what;  // what was claimed and what the file holds
};

// An uncompressed top-level element's bytes, read from the file. The walker never asks for more
// than the element's tag declares, and check_file has checked that the file holds that much.
class file_bytes {
public:
    file_bytes(std::ifstream& in, std::uint64_t offset) : in_(in), pos_(offset) { seek(); }
    DERMTL_DECL void read(unsigned char* out, std::size_t n);
    void skip(std::uint64_t n) {
        pos_ += n;
        seek();
    }

private:
    void seek() {
        in_.clear();
        in_.seekg(std::streamoff(pos_));
    }
    std::ifstream& in_;
    std::uint64_t pos_;
};

// One compressed element's zlib stream (its `bytes` bytes start after the tag at `offset`),
// inflated as the walker reads, in 256 KiB pieces: never an allocation of what the stream claims.
// corrupt() throws the io_error for a damaged stream (bad data, bad checksum, no end marker);
// reading past the stream's end is a structure_fault; inflating more than `cap` bytes is one too.
class inflated_bytes {
public:
    DERMTL_DECL inflated_bytes(std::ifstream& in, std::uint64_t offset, std::uint32_t bytes, std::size_t index,
                               const std::string& where);
    inflated_bytes(const inflated_bytes&) = delete;
    inflated_bytes& operator=(const inflated_bytes&) = delete;
    ~inflated_bytes() { inflateEnd(&z_); }

    // At most `cap` bytes may come out of the stream in all (set once the element's tag is read).
    void set_cap(std::uint64_t cap) { cap_ = cap; }
    std::uint64_t produced() const { return produced_; }

    DERMTL_DECL void read(unsigned char* out, std::size_t n);
    DERMTL_DECL void skip(std::uint64_t n);
    // Inflates the rest of the stream (so its checksum is checked); a structure_fault when it holds
    // more than the cap.
    DERMTL_DECL void finish();
    // Inflates on after a structure_fault, to find out whether the stream itself is damaged (then
    // throws that io_error); returns normally when the stream is intact.
    DERMTL_DECL void check_intact();

private:
    // Inflates the next piece; `need`: the caller wants bytes, so the stream's end is a fault.
    DERMTL_DECL void more(bool need = true);
    [[noreturn]] DERMTL_DECL void corrupt(const std::string& what);

    std::ifstream& in_;
    std::uint64_t offset_, left_;
    std::size_t index_;
    const std::string& where_;
    z_stream z_{};
    int status_ = Z_OK;
    std::vector<unsigned char> input_, output_;
    std::size_t got_ = 0, at_ = 0;
    std::uint64_t produced_ = 0, cap_ = std::numeric_limits<std::uint64_t>::max();
    unsigned char head_[256] = {};
    std::size_t head_size_ = 0;
};

}  // namespace dermtl::io::mat_file::detail

#if DERMTL_HEADER_ONLY
#include "dermtl/io/matconvnet/impl/mat_byte_sources.ipp"
#endif
