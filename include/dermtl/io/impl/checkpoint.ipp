// Definitions of io/checkpoint.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/checkpoint.hpp"

#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "dermtl/core/rng.hpp"
#include "dermtl/io/output_folder.hpp"

namespace dermtl::io {

namespace checkpoint_detail {

DERMTL_DECL std::string signature(const std::string& input, std::size_t depth, std::string (*label)(std::size_t),
                                  std::string (*shape_text)(std::size_t)) {
    std::string s = "input " + input + "\n";
    for (std::size_t i = 0; i < depth; ++i) s += label(i) + " -> " + shape_text(i + 1) + "\n";
    return s;
}

class writer {
public:
    // `failed(errno)` makes the exception thrown when a write fails.
    writer(std::FILE* f, std::function<io_error(int)> failed) : f_(f), failed_(std::move(failed)) {}
    void bytes(const void* p, std::size_t n) {
        if (n && std::fwrite(p, 1, n, f_) != n) throw failed_(errno);
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
    std::function<io_error(int)> failed_;
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

// What the checksum cannot vouch for (a file written wrong, or made with a matching checksum):
// every stored value finite, the optimizer's velocity and the best weights absent or tensor for
// tensor of the weights' shapes, the generator's state readable.
DERMTL_DECL void check_contents(const std::string& where, const checkpoint& c) {
    auto finite = [&](const std::vector<host_tensor>& ts, const std::string& what) {
        for (std::size_t i = 0; i < ts.size(); ++i) {
            const float* p = ts[i].data();
            for (std::size_t k = 0; k < ts[i].size(); ++k)
                if (!std::isfinite(p[k]))
                    throw io_error(where + ": corrupted: " + what + " tensor " + std::to_string(i) + " " +
                                   describe(dims_of(ts[i])) + ": expected finite values, found " + std::to_string(p[k]) +
                                   " at element " + std::to_string(k));
        }
    };
    auto like_weights = [&](const std::vector<host_tensor>& ts, const std::string& what) {
        if (ts.empty()) return;
        if (ts.size() != c.weights.size())
            throw io_error(where + ": corrupted: expected no " + what + " tensors or one per weight tensor (" +
                           std::to_string(c.weights.size()) + "), found " + std::to_string(ts.size()));
        for (std::size_t i = 0; i < ts.size(); ++i)
            if (dims_of(ts[i]) != dims_of(c.weights[i]))
                throw io_error(where + ": corrupted: " + what + " tensor " + std::to_string(i) + ": expected the shape of " +
                               "weight tensor " + std::to_string(i) + ", " + describe(dims_of(c.weights[i])) + ", found " +
                               describe(dims_of(ts[i])));
    };
    finite(c.weights, "weight");
    like_weights(c.velocity, "velocity");
    finite(c.velocity, "velocity");
    like_weights(c.best_weights, "best weights");
    finite(c.best_weights, "best weights");
    try {
        rng g;
        g.set_state(c.rng_state);
    } catch (const error& e) {
        throw io_error(where + ": corrupted: the network generator's state is unreadable (" + e.what() + ")");
    }
}

}  // namespace checkpoint_detail

// Writes `c` atomically (io::write_atomically: temporary file, fsync, rename, fsync of the folder).
DERMTL_DECL void write_checkpoint(const std::filesystem::path& path, const checkpoint& c) {
    using namespace checkpoint_detail;
    const std::string where = "write_checkpoint: '" + path.string() + "'";
    write_atomically(path, "write_checkpoint", [&](const std::filesystem::path& tmp) {
        std::unique_ptr<std::FILE, file_closer> f(std::fopen(tmp.string().c_str(), "wb"));
        if (!f)
            throw io_error(where + ": cannot create the temporary file '" + tmp.string() +
                           "': " + std::strerror(errno));
        auto failed = [&](int error_number) {
            return io_error(describe_write_failure("write_checkpoint", path, tmp, error_number));
        };
        char header[header_size] = {};
        if (std::fwrite(header, 1, header_size, f.get()) != header_size) throw failed(errno);
        writer w(f.get(), failed);
        w.u64(c.net_hash);
        w.str(c.net_signature);
        w.u64(c.epoch);
        w.u64(c.step);
        w.str(c.rng_state);
        w.str(c.extra);
        w.tensors(c.weights);
        w.tensors(c.velocity);
        w.tensors(c.best_weights);
        // The numerics only when not float32's (an optional trailing field of version 2), so
        // float32 checkpoints keep their bytes.
        if (!c.numerics.empty()) w.str(c.numerics);
        std::memcpy(header, magic, 8);
        const std::uint32_t version = checkpoint_version;
        const std::uint64_t size = w.size(), hash = w.hash();
        std::memcpy(header + 8, &version, 4);
        std::memcpy(header + 12, &size, 8);
        std::memcpy(header + 20, &hash, 8);
        if (std::fseek(f.get(), 0, SEEK_SET) != 0 || std::fwrite(header, 1, header_size, f.get()) != header_size ||
            std::fflush(f.get()) != 0)
            throw failed(errno);
        if (std::fclose(f.release()) != 0) throw failed(errno);
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
    if (version >= 2 && r.left() != 0) c.numerics = r.str();
    if (r.left() != 0) throw io_error(where + ": corrupted: " + std::to_string(r.left()) + " unread payload bytes");
    if (r.hash() != hash) throw io_error(where + ": corrupted: the payload checksum does not match the header's");
    check_contents(where, c);
    return c;
}

}  // namespace dermtl::io
