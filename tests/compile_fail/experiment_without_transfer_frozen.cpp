// No transfer with frozen features would train nothing; the paper does not run it.
// expect: experiment<Model,Backend,Transfer,FineTune,Labeling>: no transfer with frozen features trains nothing
#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/protocol/experiment.hpp"
using namespace dermtl;
using nonsense = protocol::experiment<models::vgg_m_family<64, 8>, backend::cpu, protocol::transfer::none,
                                      protocol::finetune::frozen, protocol::labeling::malignant_vs_benign>;
int main() { return nonsense::classes == 2 ? 0 : 1; }
