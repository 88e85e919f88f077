#pragma once
// The scaled VGG-M's network halves that the protocol tests run (issue 24, "instantiated once"):
// each cell_network_of<family, backend::cpu, transfer, classes> below is explicitly instantiated
// once, in tests/support/scaled_cells_*.cpp (library dermtl_test_cells), and declared extern
// here. A test file that includes this header compiles only its thin experiment<> adapters; the
// network, trainer and feature extractor behind them are compiled once for all the tests.
// A test's own transfer policy (test_new_transfer_policy.cpp) still instantiates its own.
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/models/vgg.hpp"
#include "dermtl/protocol/experiment.hpp"
#include "dermtl/protocol/transfer.hpp"

namespace dermtl::testing {

// The families the tests use: the scaled VGG-M (64x64 input, widths / 8) with MatConvNet's
// pooling, and with the reference code's.
using scaled_vgg_m = models::vgg_m_family<64, 8>;
using scaled_vgg_m_reference = models::vgg_m_family<64, 8, models::vgg_m_pool2::reference>;

}  // namespace dermtl::testing

// X(family, transfer, classes) for every shared instance; the .cpp files define them.
#define DERMTL_TEST_SCALED_CELLS(X)                                               \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::none, 2)         \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::none, 3)         \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::from_imagenet, 2) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::from_imagenet, 3) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::from_retinopathy, 2) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::from_retinopathy, 3) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::double_transfer, 2) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::double_transfer, 3) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::from_source<4>, 2) \
    X(dermtl::testing::scaled_vgg_m, dermtl::protocol::transfer::from_source<4>, 3)
#define DERMTL_TEST_SCALED_REFERENCE_CELLS(X)                                               \
    X(dermtl::testing::scaled_vgg_m_reference, dermtl::protocol::transfer::none, 2)         \
    X(dermtl::testing::scaled_vgg_m_reference, dermtl::protocol::transfer::none, 3)         \
    X(dermtl::testing::scaled_vgg_m_reference, dermtl::protocol::transfer::from_imagenet, 2) \
    X(dermtl::testing::scaled_vgg_m_reference, dermtl::protocol::transfer::from_imagenet, 3)

#define DERMTL_TEST_EXTERN_CELL(Family, Transfer, Classes) \
    extern template class dermtl::protocol::cell_network_of<Family, dermtl::backend::cpu, Transfer, Classes>;
#ifndef DERMTL_TEST_CELLS_DEFINE
DERMTL_TEST_SCALED_CELLS(DERMTL_TEST_EXTERN_CELL)
DERMTL_TEST_SCALED_REFERENCE_CELLS(DERMTL_TEST_EXTERN_CELL)
#endif
