#pragma once
// Deep features for the SVM stage: a feature tap's output for a whole dataset, saved to disk.
//
// Represents: one row per sample of a network's tap output -- by default "fc7", i.e. VGG's fc7
// after its ReLU (the paper's "Group 7 / Layer 19", 4096-d) -- computed in batches in eval mode
// (no dropout), each row L2-normalized (all-zero rows stay zero, as sklearn's normalize).
//
// Files: `<name>.npy` holds the matrix as NumPy's .npy format version 1.0, dtype '<f4' (float32
// little-endian), C order, shape (samples, dimensions) -- numpy.load reads it directly. The ids
// go beside it in `<name>.ids`: UTF-8 text, one sample id per line, in row order, '\n' endings.
// save_features writes both (each through a temporary file and a rename); load_features reads
// both and checks that they agree.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/core/fixed_string.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/data/batch.hpp"
#include "dermtl/data/dataset.hpp"
#include "dermtl/io/image_cache.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::io {

struct feature_set {
    std::vector<std::string> ids;  // ids[i] is the sample of row i
    svm::feature_matrix values;    // samples x dimensions, float32, row-major
};

struct feature_options {
    std::size_t batch_size = 48;
    bool l2_normalize = true;  // the paper normalizes before the SVM
};

// Runs `net` up to the tap `Tap` on `count` samples. `fill(indices, images)` must write the
// samples `indices` (0-based positions in [0, count)) into `images` as an N x C x H x W host
// tensor (preprocessed and mean-subtracted, as for training).
template <fixed_string Tap = "fc7", class Network, class Fill>
svm::feature_matrix extract_features(Network& net, std::size_t count, Fill&& fill, const feature_options& opt = {}) {
    using ops = typename Network::ops;
    using Net = typename Network::net_type;
    using tap_shape = typename Net::template shape_at<Net::template tap_index<Tap>>;
    if (opt.batch_size == 0) throw config_error("extract_features: batch_size must be at least 1, got 0");
    constexpr std::size_t dims = tap_shape::size;
    svm::feature_matrix out(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(dims));
    host_tensor images;
    std::vector<std::size_t> indices;
    for (std::size_t first = 0; first < count; first += opt.batch_size) {
        const std::size_t n = std::min(opt.batch_size, count - first);
        indices.resize(n);
        for (std::size_t k = 0; k < n; ++k) indices[k] = first + k;
        fill(std::span<const std::size_t>(indices), images);
        const host_tensor tap = ops::to_host(net.template features<Tap>(ops::from_host(images)));
        if (tap.size() != n * dims)
            throw shape_error("extract_features: the tap '" + std::string(Tap.view()) + "' gave " +
                              describe(dims_of(tap)) + " for a batch of " + std::to_string(n) + ", expected " +
                              std::to_string(n) + " x " + tap_shape::str());
        std::memcpy(out.data() + first * dims, tap.data(), n * dims * sizeof(float));
    }
    if (opt.l2_normalize) svm::l2_normalize_rows(out);
    return out;
}

// Features of samples already in memory (N x C x H x W).
template <fixed_string Tap = "fc7", class Network>
svm::feature_matrix extract_features(Network& net, const host_tensor& images, const feature_options& opt = {}) {
    const dims4 d = dims_of(images);
    const std::size_t per = d[1] * d[2] * d[3];
    return extract_features<Tap>(
        net, d[0],
        [&](std::span<const std::size_t> idx, host_tensor& batch) {
            ensure_shape(batch, {idx.size(), d[1], d[2], d[3]});
            for (std::size_t k = 0; k < idx.size(); ++k)
                std::memcpy(batch.data() + k * per, images.data() + idx[k] * per, per * sizeof(float));
        },
        opt);
}

// Features of the samples `indices` of a dataset (images through the preprocessed-image cache,
// minus `mean`), with their ids -- ready for save_features.
template <fixed_string Tap = "fc7", class Network>
feature_set extract_features(Network& net, const data::dataset& d, std::span<const std::size_t> indices,
                             io::image_cache& cache, const io::mean_image& mean, const feature_options& opt = {}) {
    feature_set out;
    out.ids.reserve(indices.size());
    for (auto i : indices) {
        if (i >= d.size())
            throw config_error("extract_features: index " + std::to_string(i) + " out of range for " + d.name + " (" +
                               std::to_string(d.size()) + " samples)");
        out.ids.push_back(d[i].id);
    }
    std::vector<std::size_t> chosen;
    std::vector<int> labels;
    out.values = extract_features<Tap>(
        net, indices.size(),
        [&](std::span<const std::size_t> positions, host_tensor& batch) {
            chosen.clear();
            for (auto p : positions) chosen.push_back(indices[p]);
            data::fill_batch(d, chosen, cache, mean, batch, labels);
        },
        opt);
    return out;
}

namespace features_detail {

inline std::filesystem::path ids_path(const std::filesystem::path& npy) {
    std::filesystem::path p = npy;
    p.replace_extension(".ids");
    return p;
}

inline void rename_into_place(const std::filesystem::path& tmp, const std::filesystem::path& path, const std::string& where) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw io_error(where + ": cannot rename the temporary file into place: " + ec.message());
    }
}

inline std::filesystem::path temporary(const std::filesystem::path& path) {
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    return tmp;
}

}  // namespace features_detail

// Writes an n x d float32 matrix as .npy (version 1.0, '<f4', C order).
inline void save_npy_matrix(const std::filesystem::path& path, const svm::feature_matrix& m) {
    const std::string where = "save_npy_matrix: '" + path.string() + "'";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(m.rows()) + ", " +
                         std::to_string(m.cols()) + "), }";
    const std::size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    const auto tmp = features_detail::temporary(path);
    {
        std::ofstream out(tmp, std::ios::binary);
        if (!out) throw io_error(where + ": cannot create '" + tmp.string() + "'");
        const unsigned char preamble[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        out.write(reinterpret_cast<const char*>(preamble), 8);
        const std::uint16_t len = static_cast<std::uint16_t>(header.size());
        const unsigned char len_le[2] = {static_cast<unsigned char>(len & 0xff), static_cast<unsigned char>(len >> 8)};
        out.write(reinterpret_cast<const char*>(len_le), 2);
        out.write(header.data(), std::streamsize(header.size()));
        out.write(reinterpret_cast<const char*>(m.data()), std::streamsize(m.size() * sizeof(float)));
        out.flush();
        if (!out) throw io_error(where + ": write failed (disk full?)");
    }
    features_detail::rename_into_place(tmp, path, where);
}

// Reads a 2-D float32 C-order .npy matrix (as written by save_npy_matrix or numpy.save).
inline svm::feature_matrix load_npy_matrix(const std::filesystem::path& path) {
    const std::string where = "load_npy_matrix: '" + path.string() + "'";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(where + ": " + (std::filesystem::exists(path) ? "cannot open" : "no such file"));
    unsigned char pre[10];
    in.read(reinterpret_cast<char*>(pre), 10);
    if (in.gcount() != 10 || std::memcmp(pre, "\x93NUMPY", 6) != 0)
        throw io_error(where + ": not a .npy file (expected the magic \\x93NUMPY)");
    std::size_t hlen = pre[8] | std::size_t(pre[9]) << 8;
    if (pre[6] >= 2) {  // versions 2 and 3: 4-byte header length
        unsigned char more[2];
        in.read(reinterpret_cast<char*>(more), 2);
        hlen |= std::size_t(more[0]) << 16 | std::size_t(more[1]) << 24;
    }
    std::string header(hlen, '\0');
    in.read(header.data(), std::streamsize(hlen));
    if (!in) throw io_error(where + ": truncated header");
    auto value_of = [&](const std::string& key) {
        const auto k = header.find("'" + key + "'");
        if (k == std::string::npos) throw io_error(where + ": header lacks '" + key + "': " + header);
        auto v = header.find(':', k) + 1;
        while (v < header.size() && header[v] == ' ') ++v;
        return v;
    };
    const auto d = value_of("descr");
    if (header.compare(d, 5, "'<f4'") != 0)
        throw io_error(where + ": expected dtype '<f4' (float32), found " + header.substr(d, header.find(',', d) - d));
    const auto f = value_of("fortran_order");
    if (header.compare(f, 5, "False") != 0) throw io_error(where + ": expected C order (fortran_order False)");
    const auto s = value_of("shape");
    const auto close = header.find(')', s);
    const std::string shape = header.substr(s + 1, close - s - 1);
    std::size_t rows = 0, cols = 0;
    if (std::sscanf(shape.c_str(), "%zu, %zu", &rows, &cols) != 2)
        throw io_error(where + ": expected a 2-D shape (rows, cols), found (" + shape + ")");
    svm::feature_matrix m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    in.read(reinterpret_cast<char*>(m.data()), std::streamsize(rows * cols * sizeof(float)));
    if (std::size_t(in.gcount()) != rows * cols * sizeof(float))
        throw io_error(where + ": truncated: expected " + std::to_string(rows * cols * sizeof(float)) +
                       " data bytes for (" + shape + "), found " + std::to_string(in.gcount()));
    return m;
}

// Writes `<path>` (.npy matrix) and `<path with extension .ids>` (one id per line).
inline void save_features(const std::filesystem::path& path, const feature_set& f) {
    const std::string where = "save_features: '" + path.string() + "'";
    if (f.ids.size() != static_cast<std::size_t>(f.values.rows()))
        throw shape_error(where + ": expected one id per row, found " + std::to_string(f.ids.size()) + " ids for " +
                          std::to_string(f.values.rows()) + " rows");
    for (const auto& id : f.ids)
        if (id.find('\n') != std::string::npos || id.find('\r') != std::string::npos)
            throw config_error(where + ": the id '" + id + "' contains a line break");
    save_npy_matrix(path, f.values);
    const auto ids = features_detail::ids_path(path);
    const auto tmp = features_detail::temporary(ids);
    {
        std::ofstream out(tmp, std::ios::binary);
        for (const auto& id : f.ids) out << id << '\n';
        out.flush();
        if (!out) throw io_error(where + ": cannot write '" + tmp.string() + "'");
    }
    features_detail::rename_into_place(tmp, ids, where);
}

inline feature_set load_features(const std::filesystem::path& path) {
    feature_set f;
    f.values = load_npy_matrix(path);
    const auto ids = features_detail::ids_path(path);
    std::ifstream in(ids);
    if (!in) throw io_error("load_features: '" + ids.string() + "': no such file (the ids beside '" + path.string() + "')");
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        f.ids.push_back(line);
    }
    if (f.ids.size() != static_cast<std::size_t>(f.values.rows()))
        throw io_error("load_features: '" + ids.string() + "' lists " + std::to_string(f.ids.size()) + " ids, '" +
                       path.string() + "' has " + std::to_string(f.values.rows()) + " rows");
    return f;
}

}  // namespace dermtl::io
