#pragma once
// The scaled VGG-M's network halves that the protocol tests run (issue 24, "instantiated once"):
// each cell_network_of<family, backend::cpu, transfer, classes> below, its base
// cell_network_on<family, backend::cpu, classes> (fine-tuning, features, tensors) and the
// transfer's prepare_start (the source model: a Retinopathy net trained, ImageNet weights loaded)
// is explicitly instantiated once, in tests/support/scaled_cells_*.cpp (library dermtl_test_cells),
// and declared extern here. A test file that includes this header compiles only its thin
// experiment<> adapters; the network, trainer and feature extractor behind them are compiled once
// for all the tests. A test's own transfer policy (test_new_transfer_policy.cpp) still instantiates
// its cell_network_of, over the shared cell_network_on.
//
// The base and prepare_start need their own declarations: `extern template class` covers the
// members of the class it names, not those of its base class, nor the function templates its
// members call, and every unit that constructs a cell_network_of or takes an experiment's
// prepare_source compiled them again (train_network of the 2-, 3- and 5-class nets in
// test_protocol, test_training_protocol and test_programs).
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

// X(family, classes) for every shared cell_network_on.
#define DERMTL_TEST_SCALED_NETWORKS(X) \
    X(dermtl::testing::scaled_vgg_m, 2)  \
    X(dermtl::testing::scaled_vgg_m, 3)
#define DERMTL_TEST_SCALED_REFERENCE_NETWORKS(X)  \
    X(dermtl::testing::scaled_vgg_m_reference, 2) \
    X(dermtl::testing::scaled_vgg_m_reference, 3)

// `extern` for the declarations, nothing for the definitions (the .cpp files).
#define DERMTL_TEST_CELL_INSTANCE(Extern, Family, Transfer, Classes)                                                   \
    Extern template class dermtl::protocol::cell_network_of<Family, dermtl::backend::cpu, Transfer, Classes>;        \
    Extern template dermtl::io::mean_image dermtl::protocol::prepare_start<                                           \
        Family, dermtl::backend::cpu, Transfer,                                                                      \
        dermtl::nn::network<typename Family::template net<Classes>, dermtl::backend::cpu>>(                          \
        dermtl::nn::network<typename Family::template net<Classes>, dermtl::backend::cpu>&,                          \
        const dermtl::protocol::experiment_inputs&);
#define DERMTL_TEST_NETWORK_INSTANCE(Extern, Family, Classes) \
    Extern template class dermtl::protocol::cell_network_on<Family, dermtl::backend::cpu, Classes>;

#define DERMTL_TEST_EXTERN_CELL(Family, Transfer, Classes) DERMTL_TEST_CELL_INSTANCE(extern, Family, Transfer, Classes)
#define DERMTL_TEST_EXTERN_NETWORK(Family, Classes) DERMTL_TEST_NETWORK_INSTANCE(extern, Family, Classes)
#ifndef DERMTL_TEST_CELLS_DEFINE
DERMTL_TEST_SCALED_NETWORKS(DERMTL_TEST_EXTERN_NETWORK)
DERMTL_TEST_SCALED_REFERENCE_NETWORKS(DERMTL_TEST_EXTERN_NETWORK)
DERMTL_TEST_SCALED_CELLS(DERMTL_TEST_EXTERN_CELL)
DERMTL_TEST_SCALED_REFERENCE_CELLS(DERMTL_TEST_EXTERN_CELL)
#endif
