#pragma once
// `dermtl compare-protocols`: one cell run under both training protocols (protocol/training.hpp)
// on the same data and folds, and how much the choice moves its AUC: per fold, the paper's and
// the reference's AUC and their difference, the mean and standard deviation of each, and the
// difference's 5x2cv paired t-test and combined F-test (metrics/significance.hpp) when the folds
// are 5 independent replications of 2 halves (else the tests are left out and the table says why).
#include <optional>
#include <string>
#include <vector>

#include "dermtl/metrics/significance.hpp"
#include "dermtl/protocol/results.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::programs {

struct protocol_comparison {
    std::string paper_cell, reference_cell;  // cell_id::str() of each
    struct fold_row {
        std::string fold;
        double paper_auc = 0, reference_auc = 0;
        std::optional<double> reference_auc_one_vs_rest;  // three classes: the reference's own measure
    };
    std::vector<fold_row> folds;
    double paper_mean = 0, paper_sd = 0, reference_mean = 0, reference_sd = 0, difference_mean = 0;
    std::optional<metrics::significance_result> t_test, f_test;  // reference - paper
    std::string tests_left_out;  // why the tests are absent (not 5 independent replications, ...)
};

// Requires: the two results of one cell under the two protocols, on the same folds (same names,
// same test ids, in order). Throws config_error naming the first fold that differs.
protocol_comparison compare_protocols(const protocol::experiment_result& paper, const protocol::experiment_result& reference);

// The comparison as a Markdown table with the summary and the tests under it.
std::string to_markdown(const protocol_comparison& c);

// The measures a protocol stores beside the paper's (fold_result::auc_one_vs_rest,
// decision_accuracy: the reference's), one row per result holding any, next to the paper's AUC;
// nullopt when no result holds one.
std::optional<report::table> protocol_measures(const std::vector<protocol::experiment_result>& results);

}  // namespace dermtl::programs
