#pragma once
// Native training checkpoints: everything needed to resume a run bit for bit.
//
// Represents: a network's parameters, the optimizer's velocity, the position in training (the
// number of completed epochs and, for a checkpoint written mid-epoch, the number of completed
// steps of the next epoch), the network generator's state (dropout masks), optionally a second set of weights (the trainer's
// lowest-validation-loss weights) and free text for the trainer's bookkeeping (JSON), tied to the
// network *type* by a hash of its layer list.
//
// File layout (little-endian; version 2):
//   0   8 bytes  magic "DERMTLCK"
//   8   u32      format version (2)
//   12  u64      payload size in bytes
//   20  u64      FNV-1a 64 checksum of the payload
//   28  payload:
//        u64 net hash, str net signature, u64 epoch, u64 step, str rng state, str extra,
//        tensors weights, tensors velocity, tensors best_weights[, str numerics]
//   where str = u64 length + bytes, tensors = u64 count + per tensor 4 x u64 dims (N,C,H,W) +
//   float32 data in NCHW order.
// `numerics` (backend::numerics::str(), e.g. "bf16") is written only for a network that does not
// compute in float32, so float32 checkpoints are byte-identical to those written before it existed;
// a checkpoint is resumed only in the numerics it was written in (restore_checkpoint).
// Version 1 (epoch-level checkpoints only) is version 2 without `step`; it is still read, with
// step 0. Writing always uses version 2.
// Writes are atomic (io/atomic_file.hpp): the file is written next to the target under a
// temporary name, flushed to disk (fsync) and renamed over the target, so a run killed mid-write
// leaves the previous checkpoint intact. The checksum and the network-type hash are
// core::fnv1a64 (core/hash.hpp), the payload hashed in the order it is written.
// Errors: missing/short/corrupted file (bad magic, version, size or checksum; a non-finite value;
// velocity or best weights that are not one tensor of the weights' shape per weight tensor; an
// unreadable generator state) -> io_error naming the file; a checkpoint of another network type -> config_error naming both networks and the
// first layer where they differ; parameter shapes that do not fit -> shape_error naming the layer.
// The non-template code is defined in impl/checkpoint.ipp (compiled once into libdermtl_io with
// DERMTL_SEPARATE_COMPILATION, inline otherwise; core/config.hpp).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/core/hash.hpp"
#include "dermtl/core/tensor.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/nn/layer.hpp"
#include "dermtl/nn/net.hpp"

namespace dermtl::io {

static_assert(std::endian::native == std::endian::little,
              "io/checkpoint.hpp: the checkpoint format is little-endian and written with memcpy; add byte swapping "
              "for a big-endian host");

namespace checkpoint_detail {
// net_signature's text from a net's input shape, depth, labels and shapes (Net::label, Net::shape_text).
DERMTL_DECL std::string signature(const std::string& input, std::size_t depth, std::string (*label)(std::size_t),
                                  std::string (*shape_text)(std::size_t));
}  // namespace checkpoint_detail

// One line per layer: "input 3x224x224", then "layer 0 'conv1' (conv2d<96,7,2,pad 0 0 0 0>) -> 96x109x109".
template <nn::net_type Net>
std::string net_signature() {
    return checkpoint_detail::signature(Net::input_shape::str(), Net::depth, &Net::label, &Net::shape_text);
}

// Identity of a network type: the hash of its layer list (names, descriptors, shapes).
template <nn::net_type Net>
std::uint64_t net_hash() {
    const std::string s = net_signature<Net>();
    return core::fnv1a64(s.data(), s.size());
}

struct checkpoint {
    std::uint64_t net_hash = 0;
    std::string net_signature;
    std::uint64_t epoch = 0;                // completed epochs
    std::uint64_t step = 0;                 // completed steps of epoch `epoch + 1`; 0: at an epoch boundary
    std::string rng_state;                  // the network's generator (rng::state())
    std::string extra;                      // the trainer's bookkeeping (JSON text)
    std::vector<host_tensor> weights;       // in network::for_each_param order
    std::vector<host_tensor> velocity;      // the optimizer's, same order; empty if none
    std::vector<host_tensor> best_weights;  // e.g. the lowest-validation-loss weights; may be empty
    std::string numerics;                   // the network's numerics; empty: float32 (backend/precision.hpp)
};

// A network's numerics as a checkpoint records them: "" for float32, else numerics::str().
template <class Network>
std::string numerics_of(const Network& net) {
    if constexpr (requires { net.numerics(); })
        return net.numerics().is_default() ? std::string() : net.numerics().str();
    else
        return {};
}

inline constexpr std::uint32_t checkpoint_version = 2;
inline constexpr std::uint32_t oldest_checkpoint_version = 1;  // still read: epoch-level, no step

namespace checkpoint_detail {

inline constexpr char magic[8] = {'D', 'E', 'R', 'M', 'T', 'L', 'C', 'K'};
inline constexpr std::size_t header_size = 28;

// First line where two signatures differ, for the wrong-network message.
DERMTL_DECL std::string first_difference(const std::string& a, const std::string& b);

// What read_checkpoint checks beyond the checksum (see Errors above): io_error prefixed by `where`.
DERMTL_DECL void check_contents(const std::string& where, const checkpoint& c);

}  // namespace checkpoint_detail

// Writes `c` atomically (io::write_atomically: temporary file, fsync, rename, fsync of the folder).
DERMTL_DECL void write_checkpoint(const std::filesystem::path& path, const checkpoint& c);

// Reads and verifies (magic, version, size, checksum, contents) a checkpoint of any network.
DERMTL_DECL checkpoint read_checkpoint(const std::filesystem::path& path);

// Reads a checkpoint and checks that it was written for the network type Net.
template <nn::net_type Net>
checkpoint read_checkpoint_for(const std::filesystem::path& path) {
    checkpoint c = read_checkpoint(path);
    if (c.net_hash != net_hash<Net>())
        throw config_error("read_checkpoint: '" + path.string() +
                           "' was written for another network type (layer-list hash " + std::to_string(c.net_hash) +
                           ", expected " + std::to_string(net_hash<Net>()) + "): " +
                           checkpoint_detail::first_difference(net_signature<Net>(), c.net_signature));
    return c;
}

// Every parameter of `net`, copied to the host, in for_each_param order.
template <class Network>
std::vector<host_tensor> parameters_to_host(Network& net) {
    using ops = typename Network::ops;
    std::vector<host_tensor> out;
    net.for_each_param([&](std::size_t, auto& p) { out.push_back(ops::to_host(p.value)); });
    return out;
}

// Sets every parameter of `net` from host tensors (as produced by parameters_to_host).
template <class Network>
void parameters_from_host(Network& net, const std::vector<host_tensor>& values, const std::string& where) {
    using ops = typename Network::ops;
    using Net = typename Network::net_type;
    std::size_t count = 0;
    net.for_each_param([&](std::size_t, auto&) { ++count; });
    if (values.size() != count)
        throw shape_error(where + ": expected " + std::to_string(count) + " parameter tensors, found " +
                          std::to_string(values.size()));
    std::size_t i = 0;
    net.for_each_param([&](std::size_t layer, auto& p) {
        const dims4 want = ops::dims(p.value), got = dims_of(values[i]);
        if (want != got)
            throw shape_error(where + ": " + Net::label(layer) + " " + std::string(nn::role_name(p.role)) + ": expected " +
                              describe(want) + ", found " + describe(got));
        p.value = ops::from_host(values[i++]);
    });
}

// A checkpoint of `net` and its optimizer (anything with velocity() -> vector of backend tensors)
// after `epoch` completed epochs and `step` completed steps of the next one.
template <class Network, class Optimizer>
checkpoint make_checkpoint(Network& net, Optimizer& opt, std::uint64_t epoch, std::uint64_t step = 0) {
    using ops = typename Network::ops;
    using Net = typename Network::net_type;
    checkpoint c;
    c.net_hash = net_hash<Net>();
    c.net_signature = net_signature<Net>();
    c.epoch = epoch;
    c.step = step;
    c.rng_state = net.generator().state();
    c.numerics = numerics_of(net);
    c.weights = parameters_to_host(net);
    for (const auto& v : opt.velocity()) c.velocity.push_back(ops::to_host(v));
    return c;
}

// Puts the weights, velocity and generator state of `c` back into `net` and `opt`.
template <class Network, class Optimizer>
void restore_checkpoint(const checkpoint& c, Network& net, Optimizer& opt, const std::string& where = "restore_checkpoint") {
    using ops = typename Network::ops;
    using Net = typename Network::net_type;
    if (c.net_hash != net_hash<Net>())
        throw config_error(where + ": the checkpoint was written for another network type: " +
                           checkpoint_detail::first_difference(net_signature<Net>(), c.net_signature));
    if (const std::string here = numerics_of(net); c.numerics != here)
        throw config_error(where + ": the checkpoint was written in " + (c.numerics.empty() ? "float32" : c.numerics) +
                           " numerics, this network computes in " + (here.empty() ? "float32" : here) +
                           "; resume with the same --precision, or use another checkpoint path");
    parameters_from_host(net, c.weights, where);
    auto& velocity = opt.velocity();
    if (c.velocity.size() != velocity.size())
        throw shape_error(where + ": expected " + std::to_string(velocity.size()) + " velocity tensors, found " +
                          std::to_string(c.velocity.size()));
    for (std::size_t i = 0; i < velocity.size(); ++i) {
        if (ops::dims(velocity[i]) != dims_of(c.velocity[i]))
            throw shape_error(where + ": velocity tensor " + std::to_string(i) + ": expected " +
                              describe(ops::dims(velocity[i])) + ", found " + describe(dims_of(c.velocity[i])));
        velocity[i] = ops::from_host(c.velocity[i]);
    }
    net.generator().set_state(c.rng_state);
}

// Convenience: write / read-and-restore in one call.
template <class Network, class Optimizer>
void save_checkpoint(const std::filesystem::path& path, Network& net, Optimizer& opt, std::uint64_t epoch) {
    write_checkpoint(path, make_checkpoint(net, opt, epoch));
}

template <class Network, class Optimizer>
checkpoint load_checkpoint(const std::filesystem::path& path, Network& net, Optimizer& opt) {
    checkpoint c = read_checkpoint_for<typename Network::net_type>(path);
    restore_checkpoint(c, net, opt, "load_checkpoint: '" + path.string() + "'");
    return c;
}

}  // namespace dermtl::io

#if DERMTL_HEADER_ONLY
#include "dermtl/io/impl/checkpoint.ipp"
#endif
