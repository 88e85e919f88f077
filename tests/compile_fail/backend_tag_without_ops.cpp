// A tag is any type with a name; using one whose ops<Tag> is not visible says what to include.
// expect: backend::ops<Tag>: no operations for this backend tag in this translation unit
#include "dermtl/models/vgg.hpp"
#include "dermtl/nn/network.hpp"
struct planned_backend {
    static constexpr const char* name = "planned";
};
int main() {
    dermtl::nn::network<dermtl::models::vgg_m_scaled<2>, planned_backend> net(1);
    return 0;
}
