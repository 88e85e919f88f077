// LRN windows are centred on the channel, so their size must be odd.
// expect: lrn<Size,Kappa,Alpha,Beta>: the window size must be odd
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"
using namespace dermtl::nn;
using bad = net<input<8, 4, 4>, lrn<4>>;
int main() { return int(bad::shape_at<0>::size); }
