#pragma once
// The CUDA backend's tag. Plain C++ (no CUDA header), so every build can name backend::cuda; its
// operations (cuda/ops.hpp) exist only in builds with DERMTL_WITH_CUDA, in files nvcc compiles.
#include <concepts>

#include "dermtl/backend/tags.hpp"

namespace dermtl::backend {

struct cuda {
    static constexpr const char* name = "cuda";
};

// Naming backend::cuda where its operations are not visible says how to enable them.
template <class Tag>
    requires std::same_as<Tag, cuda>
struct ops_unavailable<Tag> {
    static_assert(!std::same_as<Tag, cuda>,
                  "backend::cuda: this build has no CUDA backend; configure with -DDERMTL_WITH_CUDA=ON "
                  "(needs nvcc and cuDNN), compile the translation unit with nvcc and include "
                  "<dermtl/backend/cuda/ops.hpp>");
};

}  // namespace dermtl::backend
