#pragma once
// Backend tags. A backend is chosen only at compile time, by passing one of these tags as a
// template parameter (`net<..., backend::cpu>`, `experiment<vgg_m, backend::cuda, ...>`).
// The operations for each tag live behind one traits template, `backend::ops<Tag>`:
//   backend/cpu/ops.hpp   -- Eigen + xtensor + OpenMP, always available
//   backend/cuda/ops.hpp  -- cuDNN + cuBLAS + Thrust, only in builds with DERMTL_WITH_CUDA
#include <type_traits>

namespace dermtl::backend {

struct cpu {
    static constexpr const char* name = "cpu";
};

struct cuda {
    static constexpr const char* name = "cuda";
};

// The operations of a backend. Primary template: naming a tag that has no operations in this
// build fails here with a message that says how to fix it.
template <class Tag>
struct ops {
    static_assert(!std::is_same_v<Tag, cuda>,
                  "backend::cuda: this build has no CUDA backend; configure with -DDERMTL_WITH_CUDA=ON "
                  "(needs nvcc and cuDNN), compile the translation unit with nvcc and include "
                  "<dermtl/backend/cuda/ops.hpp>");
    static_assert(std::is_same_v<Tag, cuda>,
                  "backend::ops<Tag>: Tag is not a dermtl backend; use backend::cpu or backend::cuda");
};

template <class Tag>
concept tag = std::is_same_v<Tag, cpu> || std::is_same_v<Tag, cuda>;

}  // namespace dermtl::backend
