// Finite-difference gradient check of every layer, on small random shapes (input and parameters).
#include "layer_check.hpp"

#include "dermtl/nn/layers.hpp"

using namespace dermtl;
using namespace dermtl::nn;
using testing::check_layer_gradients;

TEST_CASE("conv2d gradients match finite differences", "[nn][conv2d][gradient]") {
    check_layer_gradients<conv2d<4, 3, 1, 1>, shape<3, 7, 6>>(2, mode::train, 1);
    check_layer_gradients<conv2d<5, 3, 2, padding{0, 1, 2, 0}>, shape<2, 8, 9>>(3, mode::train, 2);
    check_layer_gradients<conv2d<3, 5, 2, 1>, shape<3, 11, 11>>(1, mode::train, 3);
}

TEST_CASE("dense gradients match finite differences", "[nn][dense][gradient]") {
    check_layer_gradients<dense<7>, shape<3, 4, 5>>(3, mode::train, 4);
    check_layer_gradients<dense<2>, shape<16, 1, 1>>(5, mode::train, 5);
}

TEST_CASE("relu gradients match finite differences", "[nn][relu][gradient]") {
    check_layer_gradients<relu, shape<3, 5, 5>>(2, mode::train, 6, {.input_gap = 0.05f});
}

TEST_CASE("lrn gradients match finite differences", "[nn][lrn][gradient]") {
    // Large alpha so the normalization term matters at unit-scale inputs.
    check_layer_gradients<lrn<5, 2.0f, 0.3f, 0.75f>, shape<7, 3, 4>>(2, mode::train, 7);
    check_layer_gradients<lrn<3, 1.0f, 0.5f, 0.6f>, shape<4, 2, 2>>(2, mode::train, 8);
}

TEST_CASE("max_pool gradients match finite differences", "[nn][max_pool][gradient]") {
    // eps below the gap between distinct random values keeps the argmax fixed.
    check_layer_gradients<max_pool<3, 2>, shape<3, 9, 8>>(2, mode::train, 9, {.eps = 1e-3f});
    check_layer_gradients<max_pool<2, 2, padding{0, 1, 0, 1}, rounding::floor>, shape<2, 7, 7>>(2, mode::train, 10,
                                                                                                  {.eps = 1e-3f});
    check_layer_gradients<max_pool<3, 2, 1>, shape<2, 6, 6>>(2, mode::train, 11, {.eps = 1e-3f});
}

TEST_CASE("dropout gradients match finite differences in training and evaluation", "[nn][dropout][gradient]") {
    check_layer_gradients<dropout<50>, shape<4, 3, 3>>(2, mode::train, 12);
    check_layer_gradients<dropout<30>, shape<4, 3, 3>>(2, mode::eval, 13);
}
