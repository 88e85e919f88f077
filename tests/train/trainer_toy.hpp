#pragma once
// The trainer tests' toy problem (test_trainer.cpp, test_trainer_resume.cpp): a tiny VGG-shaped
// network, a separable two-class image problem, the options that train it in a few epochs, and
// comparisons of weights.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dermtl/core/tensor.hpp"
#include "dermtl/train/trainer.hpp"
#include "io/tiny_nets.hpp"
#ifdef DERMTL_TEST_ONEDNN
#include "dermtl/backend/onednn/ops.hpp"
#endif

namespace dermtl::testing::trainer_toy {


using tiny = testing::tiny_vgg<2, 8>;
using network = nn::network<tiny, backend::cpu>;

// The backends the same-seed and resume tests run on: the reference, and oneDNN where the build
// has it (its determinism is promised under the same conditions).
#ifdef DERMTL_TEST_ONEDNN
#define DERMTL_CPU_BACKENDS backend::cpu, backend::onednn
#else
#define DERMTL_CPU_BACKENDS backend::cpu
#endif

// Class 1 images are brighter in their top half; noise everywhere.
struct toy_data {
    std::shared_ptr<host_tensor> images;
    std::vector<int> labels;
};
inline toy_data make_toy(std::size_t n, std::uint64_t seed) {
    rng gen(seed);
    toy_data t{std::make_shared<host_tensor>(host_tensor({n, 3, 16, 16})), {}};
    for (std::size_t i = 0; i < n; ++i) {
        const int label = int(i % 2);
        t.labels.push_back(label);
        for (std::size_t c = 0; c < 3; ++c)
            for (std::size_t h = 0; h < 16; ++h)
                for (std::size_t w = 0; w < 16; ++w)
                    (*t.images)(i, c, h, w) = float(gen.normal()) * 0.5f + (label == 1 && h < 8 ? 1.0f : 0.0f);
    }
    return t;
}

inline std::vector<std::size_t> range(std::size_t from, std::size_t to) {
    std::vector<std::size_t> v;
    for (std::size_t i = from; i < to; ++i) v.push_back(i);
    return v;
}

struct toy_problem {
    toy_data data = make_toy(72, 1);
    train::tensor_source train{data.images, data.labels, range(0, 60), true, 5};
    train::tensor_source validation{data.images, data.labels, range(60, 72), false};
};

inline train::trainer_options toy_options() {
    train::trainer_options o;
    o.epochs = 5;
    o.batch_size = 8;
    o.sgd = {.learning_rate = 0.01f, .momentum = 0.9f, .l2 = 5e-4f};
    o.seed = 17;
    o.print_progress = false;
    return o;
}

template <class Net>
std::vector<host_tensor> weights_of(Net& net) {
    return io::parameters_to_host(net);
}

// Largest |a - b| over all parameters relative to the largest |b|.
inline double max_relative_difference(const std::vector<host_tensor>& a, const std::vector<host_tensor>& b) {
    REQUIRE(a.size() == b.size());
    double diff = 0, scale = 1e-30;
    for (std::size_t i = 0; i < a.size(); ++i) {
        REQUIRE(dims_of(a[i]) == dims_of(b[i]));
        for (std::size_t k = 0; k < a[i].size(); ++k) {
            diff = std::max(diff, std::abs(double(a[i].data()[k]) - double(b[i].data()[k])));
            scale = std::max(scale, std::abs(double(b[i].data()[k])));
        }
    }
    return diff / scale;
}

inline bool same_bits(const std::vector<host_tensor>& a, const std::vector<host_tensor>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (dims_of(a[i]) != dims_of(b[i]) || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0)
            return false;
    return true;
}


}  // namespace dermtl::testing::trainer_toy
