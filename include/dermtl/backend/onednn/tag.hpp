#pragma once
// The oneDNN backend's tag. Plain C++ (no oneDNN header), so every build can name backend::onednn;
// its operations (onednn/ops.hpp) need oneDNN's headers and library: the dermtl::onednn component
// (CMake) or the dermtl-onednn dependency (Meson), on Debian's libdnnl-dev.
#include <concepts>

#include "dermtl/backend/tags.hpp"

namespace dermtl::backend {

// oneDNN's primitives (the kernels PyTorch's CPU convolutions use) for convolution, pooling, LRN,
// inner product and ReLU, with blocked layouts kept between layers; dermtl's own code for dropout,
// the loss and the optimizer step. The reference it is tested against is backend::cpu.
struct onednn {
    static constexpr const char* name = "onednn";
};

// Naming backend::onednn where its operations are not visible says how to enable them.
template <class Tag>
    requires std::same_as<Tag, onednn>
struct ops_unavailable<Tag> {
    static_assert(!std::same_as<Tag, onednn>,
                  "backend::onednn: its operations are not visible here; include <dermtl/backend/onednn/ops.hpp> and "
                  "link the dermtl::onednn component (CMake: find_package(dermtl COMPONENTS onednn); Debian: "
                  "apt-get install libdnnl-dev)");
};

}  // namespace dermtl::backend
