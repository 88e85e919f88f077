// VGG-M at 32x32 collapses to 2x2 before pool2's 3x3 window: the scaled variants need >= 64.
// expect: max_pool<K,Stride,Pad,Round>: the input (plus padding) is smaller than the pooling window
#include "dermtl/models/vgg.hpp"
using too_small = dermtl::models::vgg_m_t<2, 32, 16>;
int main() { return int(too_small::parameter_count); }
