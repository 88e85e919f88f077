#pragma once
// Backend tags. A backend is chosen only at compile time, by passing its tag as a template
// parameter (`net<..., backend::cpu>`, `experiment<vgg_m, backend::cuda, ...>`). The operations
// for each tag live behind one traits template, `backend::ops<Tag>`, whose every specialization
// satisfies the written contract `backend::backend_ops` (backend/contract.hpp):
//   backend/cpu/ops.hpp   -- Eigen + xtensor + OpenMP, always available
//   backend/onednn/ops.hpp -- oneDNN primitives, blocked layouts (component dermtl::onednn)
//   backend/cuda/ops.hpp  -- cuDNN + cuBLAS + Thrust, only in builds with DERMTL_WITH_CUDA
//
// Adding a backend touches only its own folder, backend/<name>/:
//   tag.hpp  -- `struct <name> { static constexpr const char* name = "<name>"; };` and, optionally,
//               an `ops_unavailable<Tag>` specialization saying how to enable it (see cuda/tag.hpp);
//   ops.hpp  -- `template <> struct ops<<name>> { ... };` followed by
//               `static_assert(backend_ops<ops<<name>>>, "...")`.
// Nothing else in the library names a backend: layers, the network and the trainer reach the
// operations only through ops<Tag>.
#include <concepts>
#include <string_view>

namespace dermtl::backend {

// Represents: a backend, as a type used only at compile time.
// Requires: a static member `name` convertible to std::string_view, the backend's name in cell
// identities, folder names and logs ("cpu", "cuda"). The operations are checked separately,
// against backend_ops, where ops<Tag> is specialized; so naming a tag whose operations are not
// visible here fails with ops_unavailable's message instead of an unsatisfied constraint.
template <class Tag>
concept tag = requires {
    { Tag::name } -> std::convertible_to<std::string_view>;
};

// Why ops<Tag> has no operations in this translation unit. The primary template says which
// header to include; a backend's tag.hpp may add a constrained partial specialization with a
// message that says how to enable it (e.g. a configure option).
template <class Tag>
struct ops_unavailable {
    static_assert(!std::same_as<Tag, Tag>,
                  "backend::ops<Tag>: no operations for this backend tag in this translation unit; include its "
                  "<dermtl/backend/<name>/ops.hpp>, which specializes backend::ops<Tag> (the contract every "
                  "backend satisfies is backend::backend_ops in <dermtl/backend/contract.hpp>)");
};

// The operations of a backend. Primary template: naming a tag that has no operations in this
// build fails here with a message that says how to fix it.
template <class Tag>
struct ops : ops_unavailable<Tag> {
    static_assert(tag<Tag>, "backend::ops<Tag>: Tag is not a backend tag; a tag is a type with a static member "
                            "`name` (e.g. backend::cpu, backend::cuda)");
};

// The CPU backend (backend/cpu/ops.hpp): always available.
struct cpu {
    static constexpr const char* name = "cpu";
};

}  // namespace dermtl::backend

// Built-in tags declared in their backend's folder, nameable wherever tags.hpp is included.
#include "dermtl/backend/cuda/tag.hpp"
#include "dermtl/backend/onednn/tag.hpp"
