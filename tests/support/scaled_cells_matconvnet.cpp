// The shared scaled VGG-M network halves with MatConvNet's pooling (tests/support/scaled_cells.hpp).
#define DERMTL_TEST_CELLS_DEFINE
#include "support/scaled_cells.hpp"

#define DERMTL_TEST_DEFINE_CELL(Family, Transfer, Classes) \
    template class dermtl::protocol::cell_network_of<Family, dermtl::backend::cpu, Transfer, Classes>;
DERMTL_TEST_SCALED_CELLS(DERMTL_TEST_DEFINE_CELL)
