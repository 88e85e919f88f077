#pragma once
// Small reports with known contents, shared by the report tests.
#include <cmath>
#include <cstddef>
#include <vector>

#include "dermtl/metrics/cross_validation.hpp"
#include "dermtl/metrics/referral.hpp"
#include "dermtl/report/model.hpp"

namespace dermtl::testing {

inline metrics::fold_summary folds(std::vector<double> v) { return metrics::summarize_folds(v); }

// Two columns under one group, two rows, 2 folds: the exact-content fixture.
inline report::table small_table() {
    report::table t;
    t.id = "t1";
    t.title = "Table 1. Main results";
    t.value_label = "AUC";
    t.add_column("From ImageNet", "no FT");
    t.add_column("From ImageNet", "with FT");
    const auto mal = t.add_row("Malignant vs. Benign");
    const auto mel = t.add_row("Melanoma vs. Benign");
    t.set(mal, 0, folds({0.8, 0.7}), 0.791);
    t.set(mal, 1, folds({0.9, 0.8}), 0.825);
    t.set(mel, 0, folds({0.6, 0.7}));
    return t;
}

// Ten folds per cell, deterministic, distinct means; `shift` moves a whole column.
inline std::vector<double> ten_folds(double base, double wobble) {
    std::vector<double> v;
    for (int i = 0; i < 10; ++i) v.push_back(base + wobble * std::sin(1.7 * i + base * 10));
    return v;
}

// Binary predictions whose separation grows with `signal`, n cases, deterministic.
inline metrics::fold_predictions binary_fold(std::size_t n, double signal, int seed) {
    metrics::fold_predictions f;
    f.scores.resize(static_cast<Eigen::Index>(n), 1);
    for (std::size_t i = 0; i < n; ++i) {
        const int y = (i * 7 + static_cast<std::size_t>(seed)) % 5 < 2 ? 1 : 0;
        const double noise = std::sin(12.9898 * static_cast<double>(i) + 78.233 * seed) * 43758.5453;
        const double u = noise - std::floor(noise);  // in [0, 1)
        f.labels.push_back(y);
        f.scores(static_cast<Eigen::Index>(i), 0) = 1 / (1 + std::exp(-(signal * (y - 0.5) * 4 + (u - 0.5) * 4)));
        f.strata.push_back(static_cast<int>(i % 3));
    }
    return f;
}

// A Table 1 shaped report: 6 columns x 3 designs with 10 folds each, ROC curves, published
// values, a Table 4 stratification, a Table 2 with published rows and referral analyses.
inline report::report full_report() {
    report::report rep;
    rep.title = "dermtl demo report";
    rep.metadata = {{"network", "vgg_m (scaled)"}, {"backend", "cpu"}, {"folds", "5x2"}, {"seed", "42"}};

    report::table t1;
    t1.id = "table1";
    t1.title = "Table 1. Main results (AUC in %; FT: fine tuning)";
    t1.value_label = "AUC";
    const std::pair<const char*, const char*> cols[] = {{"No Transfer", "no FT"},     {"From Retinopathy", "no FT"},
                                                        {"From Retinopathy", "with FT"}, {"From ImageNet", "no FT"},
                                                        {"From ImageNet", "with FT"},  {"Double Transfer", "with FT"}};
    for (const auto& [g, n] : cols) t1.add_column(g, n);
    const double paper[3][6] = {{.760, .728, .760, .791, .825, .788},
                                {.757, .735, .753, .779, .809, .809},
                                {.730, .714, .728, .794, .836, .818}};
    const char* designs[] = {"Malignant vs. Benign", "Melanoma vs. Benign", "Melanoma vs. Carcinoma vs. Benign"};
    for (int d = 0; d < 3; ++d) {
        const auto r = t1.add_row(designs[d]);
        for (int c = 0; c < 6; ++c) t1.set(r, c, folds(ten_folds(paper[d][c] - 0.02, 0.03)), paper[d][c]);
    }
    t1.roc_title = "Malignant vs. Benign, pooled test folds";
    for (int c = 0; c < 6; ++c) {
        std::vector<metrics::fold_predictions> fs;
        for (int f = 0; f < 2; ++f) fs.push_back(binary_fold(90, 0.2 + 0.15 * c, 10 * c + f));
        t1.add_roc(static_cast<std::size_t>(c), fs);
    }
    rep.tables.push_back(std::move(t1));

    report::table t2;
    t2.id = "table2";
    t2.title = "Table 2. ISIC 2016, VGG-16, from ImageNet with fine tuning";
    t2.row_header = "";
    t2.compare = report::comparison_axis::none;
    for (const char* m : {"AUC", "mAP", "ACC", "SE", "SP"}) t2.add_column("", m);
    const double published[4][5] = {{.804, .637, .855, .507, .941},
                                    {.802, .619, .831, .573, .872},
                                    {.826, .598, .834, .320, .961},
                                    {.807, .549, .792, .476, .881}};
    const char* who[] = {"1st place", "2nd place", "3rd place", "This paper"};
    for (int r = 0; r < 4; ++r) {
        const auto i = t2.add_row(who[r], report::row_kind::published);
        for (int c = 0; c < 5; ++c) t2.set_reference(i, static_cast<std::size_t>(c), published[r][c]);
    }
    const auto ours = t2.add_row("dermtl");
    for (int c = 0; c < 5; ++c) t2.set(ours, static_cast<std::size_t>(c), folds({published[3][c] - 0.01}));
    rep.tables.push_back(std::move(t2));

    report::table t3;
    t3.id = "table3";
    t3.title = "Table 3. Architecture";
    t3.value_label = "AUC";
    t3.row_header = "Architecture";
    t3.compare = report::comparison_axis::rows;
    for (const char* d : {"Mal×Ben", "Mela×Ben", "Mela×Carc×Ben"}) t3.add_column("", d);
    const auto m = t3.add_row("VGG-M"), v = t3.add_row("VGG-16");
    for (int c = 0; c < 3; ++c) {
        t3.set(m, static_cast<std::size_t>(c), folds(ten_folds(0.80 + 0.01 * c, 0.02)));
        t3.set(v, static_cast<std::size_t>(c), folds(ten_folds(0.83 + 0.01 * c, 0.015)));
    }
    rep.tables.push_back(std::move(t3));

    report::table t4;
    t4.id = "table4";
    t4.title = "Table 4. By diagnosis difficulty";
    t4.value_label = "AUC";
    t4.compare = report::comparison_axis::none;
    report::add_strata_columns(t4, {"Low", "Medium", "High"});
    std::vector<metrics::fold_predictions> fs;
    for (int f = 0; f < 4; ++f) fs.push_back(binary_fold(120, 0.8, f));
    const auto strata = metrics::auc_by_stratum(fs, {"Low", "Medium", "High"});
    const auto r4 = t4.add_row("Malignant vs. Benign");
    report::set_strata_row(t4, r4, strata, metrics::cross_validated_auc(fs));
    rep.tables.push_back(std::move(t4));

    std::vector<int> labels;
    std::vector<double> scores;
    for (const auto& f : fs) {
        labels.insert(labels.end(), f.labels.begin(), f.labels.end());
        scores.insert(scores.end(), f.scores.data(), f.scores.data() + f.scores.rows());
    }
    rep.referrals.push_back({"From ImageNet / with FT", metrics::referral_analysis(labels, scores, 0.5)});
    std::vector<double> weaker(scores);
    for (std::size_t i = 0; i < weaker.size(); ++i) weaker[i] = 0.5 + 0.5 * (weaker[i] - 0.5) + 0.1 * std::sin(3.0 * i);
    rep.referrals.push_back({"No Transfer / no FT", metrics::referral_analysis(labels, weaker, 0.5)});
    return rep;
}

}  // namespace dermtl::testing
