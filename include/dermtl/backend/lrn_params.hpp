#pragma once
// The constants of one local response normalization, shared by every backend: the lrn layer
// makes them at compile time from its template arguments and passes them down. The formula (the
// MatConvNet/Lasagne convention, alpha NOT divided by the size) is written in cpu/lrn.hpp.
#include <cstddef>

namespace dermtl::backend {

struct lrn_params {
    std::size_t size;  // channels in the window (odd, centred on the channel)
    float kappa, alpha, beta;
};

}  // namespace dermtl::backend
