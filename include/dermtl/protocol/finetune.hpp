#pragma once
// Fine-tuning policies: whether the transferred network is retrained on the lesions (the paper's
// factor "fine tuning"). In every case the network's head is then ignored and a linear SVM is
// trained on the L2-normalized fc7 features.
//
//   trains_network         -- true: replace the head (2 or 3 classes), retrain everything with the
//                             paper's protocol, strip the head; false: features of the transferred net
//   allows_random_features -- explicit opt-in to frozen features of an untrained network (the
//                             paper does not run that; see protocol/validity.hpp)
#include <string_view>

namespace dermtl::protocol {

namespace finetune {

// No FT: only the SVM decision layer is trained on the target.
struct frozen {
    static constexpr std::string_view name = "frozen";
    static constexpr std::string_view title = "no FT";
    static constexpr bool trains_network = false;
    static constexpr bool allows_random_features = false;
};

// With FT: the whole network is retrained on the target before the SVM.
struct full {
    static constexpr std::string_view name = "finetune";
    static constexpr std::string_view title = "with FT";
    static constexpr bool trains_network = true;
    static constexpr bool allows_random_features = false;
};

// Frozen features even from an untrained network: a random-feature baseline, on request only.
struct frozen_random_features {
    static constexpr std::string_view name = "frozen_random";
    static constexpr std::string_view title = "random features";
    static constexpr bool trains_network = false;
    static constexpr bool allows_random_features = true;
};

}  // namespace finetune

template <class F>
concept finetune_policy = requires {
    { F::name } -> std::convertible_to<std::string_view>;
    { F::trains_network } -> std::convertible_to<bool>;
    { F::allows_random_features } -> std::convertible_to<bool>;
};

}  // namespace dermtl::protocol
