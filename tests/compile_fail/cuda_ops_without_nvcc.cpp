// Including the CUDA backend's operations in a file that g++ compiles says to use nvcc.
// expect: dermtl/backend/cuda/ops.hpp must be compiled by nvcc
#include "dermtl/backend/cuda/ops.hpp"
int main() { return 0; }
