// A network-only user: a scaled VGG-M's forward pass on the CPU backend, with dermtl::nn alone.
#include <cmath>
#include <cstdio>

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"

int main() {
    using net = dermtl::models::vgg_m_scaled<2>;
    dermtl::nn::network<net, dermtl::backend::cpu> n(7);
    const dermtl::host_tensor x({2, 3, 64, 64}, 0.5f);
    const auto& y = n.forward(x);
    if (y.shape()[0] != 2 || y.shape()[1] != 2) return 1;
    for (float v : y)
        if (!std::isfinite(v)) return 1;
    std::printf("dermtl::nn consumer: logits %zu x %zu\n", y.shape()[0], y.shape()[1]);
    return 0;
}
