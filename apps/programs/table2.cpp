// Table 2 (ISIC 2016 measures beside the published places), the same measures for any binary
// design, and the referral analysis.
#include <array>

#include "dermtl/metrics/isic_scores.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/protocol/published.hpp"
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/metrics/threshold_metrics.hpp"
#include "programs/cell_intervals.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

namespace {

// The intervals of a row of the ISIC columns (AUC, mAP, ACC, SE, SP of the Platt confidences, as
// metrics::isic_2016_scores computes them on each fold): the bootstrap of each, DeLong's for AUC.
void add_isic_intervals(report::table& t, std::size_t row, const protocol::experiment_result& r) {
    using metrics::isic_threshold_metrics;
    const metrics::binary_metric measures[] = {
        [](auto l, auto s) { return metrics::roc_auc(l, s); },
        [](auto l, auto s) { return metrics::average_precision(l, s); },
        [](auto l, auto s) { return isic_threshold_metrics(l, s).accuracy; },
        [](auto l, auto s) { return isic_threshold_metrics(l, s).sensitivity; },
        [](auto l, auto s) { return isic_threshold_metrics(l, s).specificity; }};
    for (std::size_t c = 0; c < 5; ++c) t.at(row, c).intervals = confidence_intervals_of(r, measures[c], c == 0);
}

}  // namespace

report::table table2(const protocol::experiment_result& r, const protocol::registry& catalog, const std::string& ours,
                     const paper_comparison& paper) {
    report::table t;
    t.id = "table2";
    t.title = "Table 2. Results on ISIC 2016 (transfer from ImageNet, with fine tuning)";
    t.row_header = "";
    report::add_isic_columns(t);
    // The challenge's places and the paper's row stand beside ours only when this cell is compared
    // with the paper: the paper's VGG-16 on the official split, or any network when asked (noted).
    const auto match = tables_detail::paper_value(r, catalog, paper, protocol::paper_isic_setup,
                                                  tables_detail::has_published_auc);
    t.caption = std::string("All numbers in %. AUC and mAP from the SVM's Platt-mapped confidences; ACC, SE and SP with "
                            "the ISIC scorer's `> 0.5` rule.") +
                (match.facts ? " Published rows quoted from the paper." : "");
    if (match.facts) {
        for (const auto& p : protocol::published_isic_rows) {
            const auto row = t.add_row(p.name, report::row_kind::published);
            for (std::size_t c = 0; c < 5; ++c) t.set_reference(row, c, p.values[c]);
        }
        tables_detail::paper_note_builder note;
        note.add(match);
        t.paper_note = note.str();
    }
    std::vector<int> labels;
    std::vector<double> confidences;
    for (const auto& f : r.folds) {
        tables_detail::require_confidences(r, f, "table2");
        labels.insert(labels.end(), f.predictions.labels.begin(), f.predictions.labels.end());
        confidences.insert(confidences.end(), f.confidences.begin(), f.confidences.end());
    }
    const auto row = t.add_row(ours);
    report::set_isic_row(t, row, metrics::isic_2016_scores(labels, confidences));
    add_isic_intervals(t, row, r);
    return t;
}

report::table binary_measures(const std::vector<protocol::experiment_result>& results, const std::string& model) {
    report::table t;
    t.id = "binary_measures";
    t.title = "The ISIC 2016 challenge's measures of every binary design (" + model + ")";
    t.row_header = "Design, transfer / fine-tuning";
    report::add_isic_columns(t);
    t.caption = "All numbers in %, mean ± standard deviation over the test folds. AUC and mAP from the SVM's "
                "Platt-mapped confidences; ACC, SE and SP with the ISIC scorer's `> 0.5` rule.";
    for (const auto& r : results) {
        if (r.id.model.name != model || !tables_detail::is_binary(r)) continue;
        std::array<std::vector<double>, 5> per_fold;
        for (const auto& f : r.folds) {
            tables_detail::require_confidences(r, f, "binary measures");
            const auto s = metrics::isic_2016_scores(f.predictions.labels, f.confidences);
            const double v[] = {s.auc, s.average_precision, s.thresholded.accuracy, s.thresholded.sensitivity,
                                s.thresholded.specificity};
            for (std::size_t c = 0; c < 5; ++c) per_fold[c].push_back(v[c]);
        }
        const auto row = t.add_row(r.id.labeling.title + ", " + r.id.transfer.title + " / " + r.id.finetune.title);
        for (std::size_t c = 0; c < 5; ++c) t.set(row, c, metrics::summarize_folds(per_fold[c]));
        add_isic_intervals(t, row, r);
    }
    if (t.rows.empty())
        throw config_error("binary measures of " + model + ": no binary cell with results (the 3-class design has none)");
    return t;
}

report::referral_section referral(const protocol::experiment_result& r) {
    const auto pooled = metrics::pool_binary(r.predictions(), "referral of '" + r.id.str() + "'");
    const auto& c = r.id;
    return {c.labeling.title + ", " + c.transfer.title + " / " + c.finetune.title + " (" + c.model.name + ")",
            metrics::referral_analysis(pooled.labels, pooled.scores, 0.0)};
}

const protocol::experiment_result* best_binary(const std::vector<protocol::experiment_result>& results,
                                               const std::string& model) {
    const protocol::experiment_result* best = nullptr;
    for (const auto& r : results) {
        if (r.id.model.name != model || !tables_detail::is_binary(r)) continue;
        if (!best || r.auc.mean > best->auc.mean) best = &r;
    }
    return best;
}

}  // namespace dermtl::programs
