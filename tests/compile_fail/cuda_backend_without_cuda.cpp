// Naming backend::cuda in a build without the CUDA backend says how to enable it.
// expect: backend::cuda: this build has no CUDA backend; configure with -DDERMTL_WITH_CUDA=ON
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
int main() {
    dermtl::nn::network<dermtl::models::vgg_m_scaled<2>, dermtl::backend::cuda> net(1);
    return 0;
}
