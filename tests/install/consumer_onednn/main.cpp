// A oneDNN-backend user: a scaled VGG-M's forward pass on backend::onednn, with dermtl::onednn alone.
#include <cmath>
#include <cstdio>

#include "dermtl/backend/onednn/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"

int main() {
    using net = dermtl::models::vgg_m_scaled<2>;
    using ops = dermtl::backend::ops<dermtl::backend::onednn>;
    dermtl::nn::network<net, dermtl::backend::onednn> n(7);
    const dermtl::host_tensor y = ops::to_host(n.forward(ops::from_host(dermtl::host_tensor({2, 3, 64, 64}, 0.5f))));
    if (y.shape()[0] != 2 || y.shape()[1] != 2) return 1;
    for (float v : y)
        if (!std::isfinite(v)) return 1;
    std::printf("dermtl::onednn consumer: logits %zu x %zu\n", y.shape()[0], y.shape()[1]);
    return 0;
}
