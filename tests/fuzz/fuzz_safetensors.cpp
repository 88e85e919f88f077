// libFuzzer target: safetensors files (io/safetensors.hpp), as --imagenet-weights and a model folder
// reach the reader: is_safetensors (the content check that tells them from .mat files),
// read_safetensors (every offset, dtype and shape checked before anything is allocated), the same
// bytes through parse_safetensors (memory), which must accept and refuse exactly what the file
// reader does, and models::load_network_safetensors into fuzz_nets.hpp's small net with dermtl's
// names (its header checked against the net before any value is read).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "dermtl/io/safetensors.hpp"
#include "dermtl/models/weight_maps.hpp"
#include "fuzz_nets.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    static fuzz::small_network net(nn::uninitialized);
    const auto file = fuzz::write_input("weights.safetensors", data, size);
    (void)io::is_safetensors(file);
    bool from_file = false, from_memory = false;
    fuzz::expect_only_dermtl_errors("fuzz_safetensors", "io::read_safetensors", [&] {
        io::read_safetensors(file);
        from_file = true;
    });
    fuzz::expect_only_dermtl_errors("fuzz_safetensors", "io::parse_safetensors", [&] {
        io::parse_safetensors(std::span<const unsigned char>(data, size), "fuzz input");
        from_memory = true;
    });
    if (from_file != from_memory) {
        std::fprintf(stderr, "fuzz_safetensors: read_safetensors %s the input but parse_safetensors %s it\n",
                     from_file ? "accepted" : "refused", from_memory ? "accepted" : "refused");
        std::abort();
    }
    fuzz::expect_only_dermtl_errors("fuzz_safetensors", "models::load_network_safetensors", [&] {
        models::load_network_safetensors(file, net, models::weight_names::dermtl);
    });
    fuzz::expect_only_dermtl_errors(
        "fuzz_safetensors", "models::load_network_safetensors (names detected, extra allowed)", [&] {
            models::load_network_safetensors(file, net, {}, {.keep = {}, .allow_extra_tensors = true});
        });
    return 0;
}
