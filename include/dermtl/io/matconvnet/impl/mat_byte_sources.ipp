// Definitions of io/matconvnet/mat_byte_sources.hpp (see core/config.hpp): inline in header-only
// use, compiled once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/matconvnet/mat_byte_sources.hpp"

#include <algorithm>
#include <string>

namespace dermtl::io::mat_file::detail {

// The name of a level-5 matrix element from its first bytes (its tag, array flags, dimensions and
// name sub-elements); empty when they are too short or malformed. Names a compressed variable
// whose stream fails before the walk reached its name.
DERMTL_DECL std::string element_name(const unsigned char* b, std::size_t n) {
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

DERMTL_DECL void file_bytes::read(unsigned char* out, std::size_t n) {
    in_.read(reinterpret_cast<char*>(out), std::streamsize(n));
    if (in_.gcount() != std::streamsize(n))
        throw structure_fault{{}, "the file ends at byte " + std::to_string(pos_ + std::uint64_t(in_.gcount())) +
                                      ", inside the element"};
    pos_ += n;
}

DERMTL_DECL inflated_bytes::inflated_bytes(std::ifstream& in, std::uint64_t offset, std::uint32_t bytes,
                                           std::size_t index, const std::string& where)
    : in_(in), offset_(offset), left_(bytes), index_(index), where_(where), input_(std::size_t{1} << 18),
      output_(std::size_t{1} << 18) {
    if (inflateInit(&z_) != Z_OK) throw io_error(where + ": zlib cannot start (out of memory?)");
    in_.clear();
    in_.seekg(std::streamoff(offset + 8));
}

DERMTL_DECL void inflated_bytes::read(unsigned char* out, std::size_t n) {
    while (n > 0) {
        if (at_ == got_) more();
        const std::size_t take = std::min(n, got_ - at_);
        std::copy_n(output_.data() + at_, take, out);
        at_ += take;
        out += take;
        n -= take;
    }
}

DERMTL_DECL void inflated_bytes::skip(std::uint64_t n) {
    while (n > 0) {
        if (at_ == got_) more();
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, got_ - at_));
        at_ += take;
        n -= take;
    }
}

// Inflates the rest of the stream (so its checksum is checked); a structure_fault when it holds
// more than the cap.
DERMTL_DECL void inflated_bytes::finish() {
    while (status_ != Z_STREAM_END) {
        at_ = got_;
        more(false);
    }
    if (produced_ > cap_)
        throw structure_fault{{}, "the compressed element inflates to " + std::to_string(produced_) +
                                      " bytes, more than the " + std::to_string(cap_) + " bytes its matrix tag declares"};
}

// Inflates on after a structure_fault, to find out whether the stream itself is damaged (then
// throws that io_error); returns normally when the stream is intact.
DERMTL_DECL void inflated_bytes::check_intact() {
    try {
        finish();
    } catch (const structure_fault&) {
    }
}

// Inflates the next piece; `need`: the caller wants bytes, so the stream's end is a fault.
DERMTL_DECL void inflated_bytes::more(bool need) {
    if (status_ == Z_STREAM_END)
        throw structure_fault{{}, "the compressed element inflates to " + std::to_string(produced_) +
                                      " bytes and ends there, inside the element"};
    for (;;) {
        if (z_.avail_in == 0) {
            if (left_ == 0) corrupt("the stream ends before its end marker");
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, input_.size()));
            in_.read(reinterpret_cast<char*>(input_.data()), std::streamsize(take));
            if (in_.gcount() != std::streamsize(take)) corrupt("the file ends inside the stream");
            left_ -= take;
            z_.next_in = input_.data();
            z_.avail_in = static_cast<uInt>(take);
        }
        z_.next_out = output_.data();
        z_.avail_out = static_cast<uInt>(output_.size());
        status_ = inflate(&z_, Z_NO_FLUSH);
        got_ = output_.size() - z_.avail_out;
        at_ = 0;
        if (head_size_ < sizeof head_) {
            const std::size_t copy = std::min(got_, sizeof head_ - head_size_);
            std::copy_n(output_.data(), copy, head_ + head_size_);
            head_size_ += copy;
        }
        produced_ += got_;
        if (status_ == Z_NEED_DICT || status_ == Z_DATA_ERROR || status_ == Z_MEM_ERROR || status_ == Z_STREAM_ERROR)
            corrupt(std::string("zlib: ") + (z_.msg ? z_.msg : "error " + std::to_string(status_)));
        if (status_ == Z_BUF_ERROR && z_.avail_in == 0 && left_ == 0) corrupt("the stream ends before its end marker");
        if (produced_ > cap_)
            throw structure_fault{{}, "the compressed element inflates to more than the " + std::to_string(cap_) +
                                          " bytes its matrix tag declares (the stream may hold no more)"};
        if (got_ > 0 || (status_ == Z_STREAM_END && !need)) return;
        if (status_ == Z_STREAM_END)
            throw structure_fault{{}, "the compressed element inflates to " + std::to_string(produced_) +
                                          " bytes and ends there, inside the element"};
    }
}

DERMTL_DECL void inflated_bytes::corrupt(const std::string& what) {
    const std::string name = element_name(head_, head_size_);
    throw io_error(where_ + ": the file's compressed data is corrupt: top-level element " + std::to_string(index_ + 1) +
                   (name.empty() ? "" : " (variable '" + name + "')") + " at byte " + std::to_string(offset_) +
                   ": " + what + "; expected a zlib stream that decompresses with a matching checksum "
                   "(a damaged download or copy? fetch the file again)");
}

}  // namespace dermtl::io::mat_file::detail
