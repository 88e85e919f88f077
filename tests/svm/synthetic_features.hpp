#pragma once
// Synthetic feature matrices for the SVM tests: Gaussian classes around random means, unbalanced
// (about 60% class 0), L2-normalized rows as the paper feeds its SVM; plus JSON export for oracles.
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/rng.hpp"
#include "dermtl/svm/feature_matrix.hpp"

namespace dermtl::testing {

struct labelled_features {
    svm::feature_matrix x;
    std::vector<int> y;
};

// Ensures: n rows, d columns, labels in [0, k) with every class present (rows 0..k-1 are 0..k-1).
inline labelled_features make_features(rng& g, int n, int d, int k, double separation) {
    labelled_features ds;
    ds.x.resize(n, d);
    ds.y.resize(static_cast<std::size_t>(n));
    Eigen::MatrixXd means(k, d);
    for (int c = 0; c < k; ++c)
        for (int j = 0; j < d; ++j) means(c, j) = separation * g.normal();
    for (int i = 0; i < n; ++i) {
        const int c = i < k ? i : (g.uniform_double() < 0.6 ? 0 : 1 + static_cast<int>(g.below(k - 1)));
        ds.y[static_cast<std::size_t>(i)] = c;
        for (int j = 0; j < d; ++j) ds.x(i, j) = static_cast<float>(means(c, j) + g.normal());
    }
    svm::l2_normalize_rows(ds.x);
    return ds;
}

inline nlohmann::json to_json(const svm::feature_matrix& x) {
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        std::vector<double> r(static_cast<std::size_t>(x.cols()));
        for (Eigen::Index j = 0; j < x.cols(); ++j) r[static_cast<std::size_t>(j)] = x(i, j);
        rows.push_back(r);
    }
    return rows;
}

}  // namespace dermtl::testing
