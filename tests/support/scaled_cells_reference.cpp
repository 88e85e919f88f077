// The shared scaled VGG-M network halves with the reference code's pooling (tests/support/scaled_cells.hpp).
#define DERMTL_TEST_CELLS_DEFINE
#include "support/scaled_cells.hpp"

#define DERMTL_TEST_DEFINE_NETWORK(Family, Classes) DERMTL_TEST_NETWORK_INSTANCE(, Family, Classes)
#define DERMTL_TEST_DEFINE_CELL(Family, Transfer, Classes) DERMTL_TEST_CELL_INSTANCE(, Family, Transfer, Classes)
DERMTL_TEST_SCALED_REFERENCE_NETWORKS(DERMTL_TEST_DEFINE_NETWORK)
DERMTL_TEST_SCALED_REFERENCE_CELLS(DERMTL_TEST_DEFINE_CELL)
