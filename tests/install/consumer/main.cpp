// Compiled against the installed headers: a scaled VGG-M forward on the CPU backend.
#include <dermtl/dermtl.hpp>

#include <cstdio>

int main() {
    using net = dermtl::models::vgg_m_scaled<2>;
    dermtl::nn::network<net, dermtl::backend::cpu> n(1);
    dermtl::host_tensor x({2, 3, 64, 64}, 0.5f);
    const auto& y = n.forward(x);
    std::printf("installed dermtl: logits %zu x %zu\n", y.shape()[0], y.shape()[1]);
    return y.shape()[1] == 2 ? 0 : 1;
}
