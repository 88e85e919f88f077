// Compiled against the installed headers: a scaled VGG-M forward on the CPU backend, and a
// libsvm SVC fitted on four points (the package must link libsvm).
#include <dermtl/dermtl.hpp>

#include <cstdio>
#include <vector>

int main() {
    using net = dermtl::models::vgg_m_scaled<2>;
    dermtl::nn::network<net, dermtl::backend::cpu> n(1);
    dermtl::host_tensor x({2, 3, 64, 64}, 0.5f);
    const auto& y = n.forward(x);
    std::printf("installed dermtl: logits %zu x %zu\n", y.shape()[0], y.shape()[1]);
    dermtl::svm::feature_matrix f(4, 2);
    f << -1, 0, -2, 0.5f, 1, 0, 2, -0.5f;
    const std::vector<int> labels{0, 0, 1, 1};
    dermtl::svm::libsvm_options options;
    options.probability = false;
    const auto svc = dermtl::svm::libsvm_svc::fit(f, labels, 1.0, 0, options);
    const auto p = svc.predict(f);
    std::printf("installed dermtl: libsvm predicts %d %d %d %d\n", p[0], p[1], p[2], p[3]);
    return y.shape()[1] == 2 && p == labels ? 0 : 1;
}
