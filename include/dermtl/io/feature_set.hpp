#pragma once
// What a deep-feature file holds (io/features.hpp writes and reads it; train/features.hpp makes
// it): one row of features per sample, and the samples' ids in row order.
// Kept apart from io/features.hpp so code that only computes features does not parse the .npy
// machinery (xtensor's xnpy and <regex>).
#include <string>
#include <vector>

#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::io {

struct feature_set {
    std::vector<std::string> ids;  // ids[i] is the sample of row i
    svm::feature_matrix values;    // samples x dimensions, float32, row-major
};

}  // namespace dermtl::io
