// A layer kind without an io::matconvnet_layer cannot be imported: load_matconvnet says where to
// add one at compile time, instead of skipping the layer at run time.
// expect: io::matconvnet_layer<L>: this layer kind has no MatConvNet import/export; specialize io::matconvnet_layer for it in io/matconvnet/layers.hpp (see conv2d's)
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/network.hpp"

using namespace dermtl::nn;

// A new layer kind that reuses relu's ops (as a user's new layer would reuse existing ones).
struct shifted_relu : relu {
    static constexpr std::string_view kind = "shifted_relu";
    static std::string describe() { return "shifted_relu"; }
};

using tiny = net<input<3, 8, 8>, named<"conv1", conv2d<4, 3>>, named<"relu1", shifted_relu>, named<"fc8", dense<2>>>;

int main() {
    network<tiny, dermtl::backend::cpu> n(1);
    dermtl::io::load_matconvnet("tiny.mat", n);
    return 0;
}
