#pragma once
// GCC 12.2 warns -Wuninitialized / -Wmaybe-uninitialized inside its own avx512fintrin.h when Eigen
// and xsimd use AVX-512 (GCC bug 105593, fixed in 12.3). The pragma state at the intrinsics
// header's own lines decides, so it is included first, here, with just those two warnings off.
#if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__) || defined(__i386__))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
