// libFuzzer target: native training checkpoints (io/checkpoint.hpp), as a resumed run reads one:
// read_checkpoint_for the small net, restore_checkpoint (weights, optimizer velocity, generator
// state) and the trainer's record in `extra` (train/epoch_record.hpp). The payload checksum stops almost every mutation at the header,
// so each input is read twice: as given, and "repaired" (the header's size and checksum rewritten
// to fit the payload, and the network hash set to the small net's) so mutations reach the payload
// parser and the shape checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dermtl/core/hash.hpp"
#include "dermtl/io/checkpoint.hpp"
#include "dermtl/train/epoch_record.hpp"
#include "dermtl/train/sgd.hpp"
#include "fuzz_nets.hpp"
#include "fuzz_support.hpp"

namespace {

using dermtl::io::checkpoint_detail::header_size;

// The input with a valid header for its payload, or empty when it has no room for one.
std::vector<std::uint8_t> repaired(const std::uint8_t* data, std::size_t size) {
    if (size < header_size + 8) return {};
    std::vector<std::uint8_t> b(data, data + size);
    std::memcpy(b.data(), dermtl::io::checkpoint_detail::magic, 8);
    const std::uint32_t version = dermtl::io::checkpoint_version;
    const std::uint64_t net_hash = dermtl::io::net_hash<dermtl::fuzz::small_net>();
    std::memcpy(b.data() + 8, &version, 4);
    std::memcpy(b.data() + header_size, &net_hash, 8);
    const std::uint64_t payload = size - header_size;
    const std::uint64_t hash = dermtl::core::fnv1a64(b.data() + header_size, payload);
    std::memcpy(b.data() + 12, &payload, 8);
    std::memcpy(b.data() + 20, &hash, 8);
    return b;
}

void read_as_resume(const std::filesystem::path& file) {
    using namespace dermtl;
    static fuzz::small_network net(nn::uninitialized);
    static train::sgd_nesterov<fuzz::small_network> opt(net);
    fuzz::expect_only_dermtl_errors("fuzz_checkpoint", "load_checkpoint + read_trainer_record", [&] {
        const io::checkpoint c = io::load_checkpoint(file, net, opt);
        train::read_trainer_record(c.extra, "fuzz: resuming from '" + file.string() + "'");
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    read_as_resume(fuzz::write_input("run.ckpt", data, size));
    if (const auto fixed = repaired(data, size); !fixed.empty())
        read_as_resume(fuzz::write_input("run-repaired.ckpt", fixed.data(), fixed.size()));
    return 0;
}
