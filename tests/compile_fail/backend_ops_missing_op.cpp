// A backend whose ops<Tag> misses an operation of the contract is rejected where ops<Tag> is
// defined, and the compiler names the operation (here the dense layer's backward pass).
// expect: backend::ops<toy> breaks the backend contract backend::backend_ops
// expect: Ops::dense_backward(x, x, x, dense, y, y, dx)
#include "dermtl/backend/contract.hpp"
#include "dermtl/backend/cpu/ops.hpp"

namespace toy_backend {
struct toy {
    static constexpr const char* name = "toy";
};
}  // namespace toy_backend

namespace dermtl::backend {

// The CPU's operations, as if the dense layer's backward pass had been forgotten.
template <>
struct ops<toy_backend::toy> : ops<cpu> {
    static void dense_backward() = delete;
};
static_assert(backend_ops<ops<toy_backend::toy>>,
              "backend::ops<toy> breaks the backend contract backend::backend_ops: an operation is missing or has "
              "another signature; the operations are listed in dermtl/backend/contract.hpp");

}  // namespace dermtl::backend

int main() { return 0; }
