// compare_protocols: per-fold AUC of one cell under the paper's and the reference's protocol.
#include "programs/protocol_comparison.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/multiclass_auc.hpp"
#include "programs/cell_intervals.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

namespace {

void mean_sd(const std::vector<double>& v, double& mean, double& sd) {
    const auto s = metrics::summarize_folds(v);
    mean = s.mean;
    sd = s.std_dev;
}

}  // namespace

protocol_comparison compare_protocols(const protocol::experiment_result& paper, const protocol::experiment_result& reference) {
    protocol_comparison c;
    c.paper_cell = paper.id.str();
    c.reference_cell = reference.id.str();
    if (paper.folds.size() != reference.folds.size())
        throw config_error("compare-protocols: expected the same folds under both protocols, found " +
                           std::to_string(paper.folds.size()) + " (" + c.paper_cell + ") and " +
                           std::to_string(reference.folds.size()) + " (" + c.reference_cell + ")");
    std::vector<double> a, b, d;
    for (std::size_t k = 0; k < paper.folds.size(); ++k) {
        const auto& p = paper.folds[k];
        const auto& r = reference.folds[k];
        if (p.fold != r.fold || p.ids != r.ids)
            throw config_error("compare-protocols: fold " + std::to_string(k + 1) + " differs between the protocols ('" +
                               p.fold + "' with " + std::to_string(p.ids.size()) + " test images, '" + r.fold +
                               "' with " + std::to_string(r.ids.size()) + "); both must run on the same data and folds");
        c.folds.push_back({p.fold, p.auc, r.auc, r.auc_one_vs_rest});
        a.push_back(r.auc);
        b.push_back(p.auc);
        d.push_back(r.auc - p.auc);
    }
    if (c.folds.empty()) throw config_error("compare-protocols: no fold was run");
    mean_sd(b, c.paper_mean, c.paper_sd);
    mean_sd(a, c.reference_mean, c.reference_sd);
    double sum = 0;
    for (double x : d) sum += x;
    c.difference_mean = sum / double(d.size());
    if (a.size() != 10) {
        c.tests_left_out = "the 5x2cv tests need the 10 folds of a 5x2 cross-validation; " + std::to_string(a.size()) +
                           " were run";
        return c;
    }
    // The tests assume 5 independent replications: folds that are not (the reference's ixj runs)
    // get flagged numbers, with the reason.
    const auto design = tables_detail::design_of(paper);
    try {
        c.t_test = metrics::paired_t_test_5x2cv(a, b, design, metrics::dependent_folds::compute_and_flag);
        c.f_test = metrics::combined_f_test_5x2cv(a, b, design, metrics::dependent_folds::compute_and_flag);
    } catch (const error& e) {
        c.t_test.reset();
        c.f_test.reset();
        c.tests_left_out = e.what();
    }
    return c;
}

std::string to_markdown(const protocol_comparison& c) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3);
    bool ovr = false;
    for (const auto& f : c.folds) ovr = ovr || f.reference_auc_one_vs_rest.has_value();
    o << "Paper protocol: `" << c.paper_cell << "`  \nReference protocol: `" << c.reference_cell << "`\n\n";
    o << "| fold | AUC, paper | AUC, reference | reference - paper |" << (ovr ? " reference, OvR macro AUC |" : "") << "\n";
    o << "|---|---:|---:|---:|" << (ovr ? "---:|" : "") << "\n";
    for (const auto& f : c.folds) {
        o << "| " << f.fold << " | " << f.paper_auc << " | " << f.reference_auc << " | " << std::showpos
          << f.reference_auc - f.paper_auc << std::noshowpos << " |";
        if (ovr) {
            if (f.reference_auc_one_vs_rest) o << " " << *f.reference_auc_one_vs_rest << " |";
            else o << " |";
        }
        o << "\n";
    }
    o << "| mean (sd) | " << c.paper_mean << " (" << c.paper_sd << ") | " << c.reference_mean << " (" << c.reference_sd
      << ") | " << std::showpos << c.difference_mean << std::noshowpos << " |" << (ovr ? " |" : "") << "\n\n";
    if (c.t_test && c.f_test) {
        o << std::setprecision(4) << "5x2cv paired t-test (Dietterich): t = " << c.t_test->statistic
          << ", p = " << c.t_test->p_value << "; combined 5x2cv F-test (Alpaydin): F = " << c.f_test->statistic
          << ", p = " << c.f_test->p_value << ".\n";
        if (!c.t_test->replications_independent) o << "\n**Caveat:** " << c.t_test->caveat << ".\n";
    } else {
        o << "No 5x2cv test: " << c.tests_left_out << ".\n";
    }
    return o.str();
}

namespace protocol_measures_detail {

// The bootstrap interval of the mean over folds of `m` (report/intervals.hpp), where the stored
// per-fold values are `m`'s own on the stored scores (else none: the interval would be about
// another number than the cell's).
std::vector<report::cell_interval> interval_if_same(const protocol::experiment_result& r, const report::fold_metric& m,
                                                    const std::vector<double>& stored) {
    try {
        const auto folds = r.predictions();
        if (folds.size() != stored.size()) return {};
        for (std::size_t f = 0; f < folds.size(); ++f)
            if (std::abs(m(folds[f].labels, folds[f].scores) - stored[f]) > 1e-9) return {};
        return {report::bootstrap_interval(report::fold_mean_bootstrap(folds, test_ids(r), m))};
    } catch (const error&) {
        return {};
    }
}

// The share of test images whose highest-scoring class (the sign of a binary decision value) is
// their label: the SVM's decision, as the reference's predict() makes it.
double decision_accuracy(std::span<const int> labels, const metrics::score_matrix& s) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto row = static_cast<Eigen::Index>(i);
        Eigen::Index best = 0;
        if (s.cols() == 1)
            best = s(row, 0) > 0 ? 1 : 0;
        else
            s.row(row).maxCoeff(&best);
        right += static_cast<int>(best) == labels[i];
    }
    return labels.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(labels.size());
}

}  // namespace protocol_measures_detail

std::optional<report::table> protocol_measures(const std::vector<protocol::experiment_result>& results) {
    report::table t;
    t.id = "protocol_measures";
    t.title = "The reference protocol's own measures, beside the paper's AUC";
    t.row_header = "Cell";
    t.compare = report::comparison_axis::none;
    const auto paper_auc = t.add_column("", "AUC (paper: binary, or mean one-vs-one)");
    const auto ovr = t.add_column("", "AUC, macro one-vs-rest (the reference's, 3 classes)");
    const auto acc = t.add_column("", "ACC from the SVM's decision (the reference's predict())");
    t.caption = "Mean ± standard deviation over the test folds, in %. The reference code reports the macro "
                "one-vs-rest AUC for three classes where the paper's text describes the mean of the one-vs-one "
                "AUCs; both are shown. Its ACC is that of the classifier's decision, not of probability > 0.5. "
                "Intervals: the bootstrap of the test images (and DeLong's for a binary AUC), where the stored "
                "per-fold values are recomputed exactly from the stored scores; none where they are not.";
    for (const auto& r : results) {
        std::vector<double> a, o, d;
        for (const auto& f : r.folds) {
            a.push_back(f.auc);
            if (f.auc_one_vs_rest) o.push_back(*f.auc_one_vs_rest);
            if (f.decision_accuracy) d.push_back(*f.decision_accuracy);
        }
        if (o.empty() && d.empty()) continue;
        const auto row = t.add_row(r.id.str());
        t.set(row, paper_auc, metrics::summarize_folds(a));
        t.at(row, paper_auc).intervals = auc_intervals_of(r);
        if (o.size() == r.folds.size()) {
            t.set(row, ovr, metrics::summarize_folds(o));
            t.at(row, ovr).intervals = protocol_measures_detail::interval_if_same(
                r, [](std::span<const int> l, const metrics::score_matrix& s) { return metrics::one_vs_rest_macro_auc(l, s); },
                o);
        }
        if (d.size() == r.folds.size()) {
            t.set(row, acc, metrics::summarize_folds(d));
            t.at(row, acc).intervals =
                protocol_measures_detail::interval_if_same(r, protocol_measures_detail::decision_accuracy, d);
        }
    }
    if (t.rows.empty()) return std::nullopt;
    return t;
}

}  // namespace dermtl::programs
