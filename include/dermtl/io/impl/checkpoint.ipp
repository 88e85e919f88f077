// Definitions of io/checkpoint.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/checkpoint.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

namespace dermtl::io {

namespace checkpoint_detail {

class writer {
public:
    writer(std::FILE* f, std::string where) : f_(f), where_(std::move(where)) {}
    void bytes(const void* p, std::size_t n) {
        if (n && std::fwrite(p, 1, n, f_) != n) throw io_error(where_ + ": write failed (disk full?)");
        hash_ = core::fnv1a64(p, n, hash_);
        size_ += n;
    }
    void u64(std::uint64_t v) { bytes(&v, 8); }
    void str(std::string_view s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    void tensors(const std::vector<host_tensor>& ts) {
        u64(ts.size());
        for (const auto& t : ts) {
            for (auto d : dims_of(t)) u64(d);
            bytes(t.data(), t.size() * sizeof(float));
        }
    }
    std::uint64_t hash() const { return hash_; }
    std::uint64_t size() const { return size_; }

private:
    std::FILE* f_;
    std::string where_;
    std::uint64_t hash_ = core::fnv1a_offset, size_ = 0;
};

class reader {
public:
    reader(std::FILE* f, std::uint64_t payload, std::string where) : f_(f), left_(payload), where_(std::move(where)) {}
    void bytes(void* p, std::size_t n) {
        if (n > left_) throw io_error(where_ + ": corrupted: a field runs past the end of the payload");
        if (n && std::fread(p, 1, n, f_) != n) throw io_error(where_ + ": truncated: the file ends inside the payload");
        hash_ = core::fnv1a64(p, n, hash_);
        left_ -= n;
    }
    std::uint64_t u64() {
        std::uint64_t v;
        bytes(&v, 8);
        return v;
    }
    std::string str() {
        const std::uint64_t n = u64();
        if (n > left_) throw io_error(where_ + ": corrupted: a string of " + std::to_string(n) + " bytes exceeds the payload");
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
    }
    std::vector<host_tensor> tensors() {
        const std::uint64_t count = u64();
        if (count > left_ / 32) throw io_error(where_ + ": corrupted: " + std::to_string(count) + " tensors cannot fit");
        std::vector<host_tensor> out;
        out.reserve(count);
        for (std::uint64_t i = 0; i < count; ++i) {
            dims4 d;
            std::uint64_t n = 1;
            // The dims' product (zeros counted as ones, so every stride is bounded too) must fit
            // in what remains, checked without wrapping around.
            bool fits = true;
            std::uint64_t bound = 1;
            for (auto& e : d) {
                e = u64();
                const std::uint64_t f = e == 0 ? 1 : e;
                if (bound > left_ / sizeof(float) / f) fits = false;
                else bound *= f;
            }
            if (fits)
                for (auto e : d) n *= e;
            if (!fits || n * sizeof(float) > left_)
                throw io_error(where_ + ": corrupted or truncated: tensor " + std::to_string(i) + " " + describe(d) +
                               " needs more bytes than remain");
            host_tensor t(d);
            bytes(t.data(), n * sizeof(float));
            out.push_back(std::move(t));
        }
        return out;
    }
    std::uint64_t hash() const { return hash_; }
    std::uint64_t left() const { return left_; }

private:
    std::FILE* f_;
    std::uint64_t left_;
    std::string where_;
    std::uint64_t hash_ = core::fnv1a_offset;
};

struct file_closer {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};

// First line where two signatures differ, for the wrong-network message.
DERMTL_DECL std::string first_difference(const std::string& a, const std::string& b) {
    std::istringstream ia(a), ib(b);
    std::string la, lb;
    for (;;) {
        const bool ha = bool(std::getline(ia, la)), hb = bool(std::getline(ib, lb));
        if (!ha && !hb) return "(signatures equal)";
        if (la != lb || ha != hb)
            return "this network has '" + (ha ? la : std::string("(end)")) + "', the checkpoint '" +
                   (hb ? lb : std::string("(end)")) + "'";
    }
}

}  // namespace checkpoint_detail

// Writes `c` atomically (io::write_atomically: temporary file, fsync, rename, fsync of the folder).
DERMTL_DECL void write_checkpoint(const std::filesystem::path& path, const checkpoint& c) {
    using namespace checkpoint_detail;
    const std::string where = "write_checkpoint: '" + path.string() + "'";
    write_atomically(path, "write_checkpoint", [&](const std::filesystem::path& tmp) {
        std::unique_ptr<std::FILE, file_closer> f(std::fopen(tmp.string().c_str(), "wb"));
        if (!f) throw io_error(where + ": cannot create the temporary file '" + tmp.string() + "'");
        char header[header_size] = {};
        if (std::fwrite(header, 1, header_size, f.get()) != header_size) throw io_error(where + ": write failed");
        writer w(f.get(), where);
        w.u64(c.net_hash);
        w.str(c.net_signature);
        w.u64(c.epoch);
        w.u64(c.step);
        w.str(c.rng_state);
        w.str(c.extra);
        w.tensors(c.weights);
        w.tensors(c.velocity);
        w.tensors(c.best_weights);
        std::memcpy(header, magic, 8);
        const std::uint32_t version = checkpoint_version;
        const std::uint64_t size = w.size(), hash = w.hash();
        std::memcpy(header + 8, &version, 4);
        std::memcpy(header + 12, &size, 8);
        std::memcpy(header + 20, &hash, 8);
        if (std::fseek(f.get(), 0, SEEK_SET) != 0 || std::fwrite(header, 1, header_size, f.get()) != header_size ||
            std::fflush(f.get()) != 0)
            throw io_error(where + ": write failed (disk full?)");
        if (std::fclose(f.release()) != 0) throw io_error(where + ": closing the temporary file failed");
    });
}

// Reads and verifies (magic, version, size, checksum) a checkpoint of any network.
DERMTL_DECL checkpoint read_checkpoint(const std::filesystem::path& path) {
    using namespace checkpoint_detail;
    const std::string where = "read_checkpoint: '" + path.string() + "'";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw io_error(where + ": no such file");
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.string().c_str(), "rb"));
    if (!f) throw io_error(where + ": cannot open for reading");
    char header[header_size];
    if (std::fread(header, 1, header_size, f.get()) != header_size || std::memcmp(header, magic, 8) != 0)
        throw io_error(where + ": not a dermtl checkpoint (expected the magic 'DERMTLCK' in a " +
                       std::to_string(header_size) + "-byte header)");
    std::uint32_t version;
    std::uint64_t size, hash;
    std::memcpy(&version, header + 8, 4);
    std::memcpy(&size, header + 12, 8);
    std::memcpy(&hash, header + 20, 8);
    if (version < oldest_checkpoint_version || version > checkpoint_version)
        throw io_error(where + ": format version " + std::to_string(version) + ", this build reads versions " +
                       std::to_string(oldest_checkpoint_version) + " to " + std::to_string(checkpoint_version));
    const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
    if (file_size != header_size + size)
        throw io_error(where + ": truncated or padded: the header announces " + std::to_string(header_size + size) +
                       " bytes, the file has " + std::to_string(file_size));
    reader r(f.get(), size, where);
    checkpoint c;
    c.net_hash = r.u64();
    c.net_signature = r.str();
    c.epoch = r.u64();
    c.step = version >= 2 ? r.u64() : 0;
    c.rng_state = r.str();
    c.extra = r.str();
    c.weights = r.tensors();
    c.velocity = r.tensors();
    c.best_weights = r.tensors();
    if (r.left() != 0) throw io_error(where + ": corrupted: " + std::to_string(r.left()) + " unread payload bytes");
    if (r.hash() != hash) throw io_error(where + ": corrupted: the payload checksum does not match the header's");
    return c;
}

}  // namespace dermtl::io
