// A net starts with its input shape.
// expect: net<Input, Layers...>: the first element must be input<C,H,W>
#include "dermtl/nn/layers.hpp"
#include "dermtl/nn/net.hpp"
using namespace dermtl::nn;
using headless = net<conv2d<8, 3>, relu>;
int main() { return int(headless::depth); }
