#pragma once
// write_report: the whole report into one folder.
//
//   <id>.md, <id>.csv            each table in the paper's layout
//   <id>_significance.csv        its 5x2cv comparisons (when it has any)
//   <id>_roc.png                 its ROC curves (when it has any)
//   referral.md, referral.csv, referral.png   the referral analyses (when there are any)
//   report.md                    everything as one Markdown document
//   report.json                  every number (report_from_json reads it back)
//   report.html                  one self-contained page with all of it, written last
//
// The report is validated and every file rendered in memory before the first is written, and
// each file is written atomically, so bad input writes nothing and an interrupted run leaves
// only whole files (the previous run's or this one's).
//
// Usage (Table 1; `folds[d][c]` are the metrics::fold_predictions of design d, column c):
//
//   report::table t;
//   t.id = "table1";
//   t.title = "Table 1. Main results (AUC in %; FT: fine tuning)";
//   t.value_label = "AUC";
//   t.add_column("No Transfer", "no FT");   // ... then "From Retinopathy" / "no FT", "with FT", ...
//   const auto mal = t.add_row("Malignant vs. Benign");
//   const auto col = t.column_index("From ImageNet", "with FT");
//   t.set(mal, col, metrics::cross_validated_auc(folds[0][col]), 0.825);  // 0.825: the paper's value
//   t.roc_title = "Malignant vs. Benign, pooled test folds";
//   t.add_roc(col, folds[0][col]);
//   report::report rep;
//   rep.metadata = {{"network", "vgg_m"}, {"folds", "5x2"}, {"seed", "42"}};
//   rep.tables.push_back(std::move(t));
//   rep.referrals.push_back({"Malignant vs. Benign, From ImageNet / with FT",
//                            metrics::referral_analysis(labels, scores, 0.5)});
//   const auto written = report::write_report(rep, out_dir);   // written.html() to open
// Not templates: defined in impl/write.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dermtl/core/config.hpp"
#include "dermtl/report/csv.hpp"
#include "dermtl/report/files.hpp"
#include "dermtl/report/html.hpp"
#include "dermtl/report/json.hpp"
#include "dermtl/report/markdown.hpp"
#include "dermtl/report/model.hpp"
#include "dermtl/report/plots.hpp"

namespace dermtl::report {

struct written_report {
    std::filesystem::path folder;
    std::vector<std::filesystem::path> files;  // in the order written; report.html last
    std::filesystem::path html() const { return folder / "report.html"; }
    std::filesystem::path json() const { return folder / "report.json"; }
};

// Requires: a report that validates. Ensures: the files above, in `folder` (created if needed).
// Throws: what validate throws (nothing written), io_error when the folder cannot be created or
// written (the message names it and says to choose another output folder).
DERMTL_DECL written_report write_report(const report& rep, const std::filesystem::path& folder);

}  // namespace dermtl::report

#if DERMTL_HEADER_ONLY
#include "dermtl/report/impl/write.ipp"
#endif
