// libFuzzer target: MatConvNet .mat models (io/matconvnet.hpp load_matconvnet, through matio)
// into the small VGG-M-shaped net of fuzz_nets.hpp: first with the default options (every layer
// matched and read), then as a transfer source (fc8 kept, extra file layers allowed), which reads
// on past a mismatching classifier into `meta`.
#include <cstddef>
#include <cstdint>

#include "dermtl/io/matconvnet.hpp"
#include "fuzz_nets.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    static fuzz::small_network net(nn::uninitialized);
    const auto file = fuzz::write_input("model.mat", data, size);
    fuzz::expect_only_dermtl_errors("fuzz_mat", "io::load_matconvnet", [&] { io::load_matconvnet(file, net); });
    fuzz::expect_only_dermtl_errors("fuzz_mat", "io::load_matconvnet (keep fc8, extra layers allowed)", [&] {
        io::matconvnet_import_options opt;
        opt.keep = {"fc8"};
        opt.allow_extra_file_layers = true;
        io::load_matconvnet(file, net, opt);
    });
    return 0;
}
