// A 7x7 kernel cannot slide over a 5x5 input without padding.
// expect: conv2d<OutC,K,Stride,Pad>: the input (plus padding) is smaller than the kernel
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"
using namespace dermtl::nn;
using too_small = net<input<3, 5, 5>, conv2d<8, 7, 2>, relu>;
static_assert(too_small::depth == 2);
int main() { return int(too_small::shape_at<0>::size); }
