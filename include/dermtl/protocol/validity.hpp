#pragma once
// Which transfer x fine-tuning combinations make sense (the rule the grid filters by and the
// experiment static_asserts).
//
// Rejected: no transfer with frozen features -- an untrained network's features, which the paper
// does not run -- unless the fine-tuning policy explicitly opts in (finetune::frozen_random_features).
// Conversely, frozen_random_features only makes sense without transfer.
#include "dermtl/protocol/finetune.hpp"
#include "dermtl/protocol/transfer.hpp"

namespace dermtl::protocol {

template <transfer_policy T, finetune_policy F>
inline constexpr bool valid_combination =
    F::allows_random_features ? !T::transfers_weights : (T::transfers_weights || F::trains_network);

// The paper's Table 1 columns: the valid combinations the transfer policy says the paper ran
// (double transfer without fine-tuning is valid, but was not in the paper).
template <transfer_policy T, finetune_policy F>
inline constexpr bool in_paper_table1 = valid_combination<T, F> && !F::allows_random_features &&
                                        (F::trains_network ? T::paper_finetuned : T::paper_frozen);

}  // namespace dermtl::protocol
