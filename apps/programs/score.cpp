// `dermtl score` (programs/score.hpp): reads a ground truth and a submission in one of the ISIC
// challenges' formats (or dermtl's predictions files), matches them image by image, and reports
// the scorer's measures (metrics/isic_challenge.hpp) as that scorer's JSON.
#include "programs/score.hpp"
#include "programs/score_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/metrics/isic_challenge.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::programs {

namespace score_detail {
namespace {

using json = nlohmann::ordered_json;  // keys in the scorer's order

// ---- measures -------------------------------------------------------------------------------

enum class kind { accuracy, sensitivity, specificity, dice, ppv, npv, auc, auc_sens, ap, pauc, spec_at_sens };

struct measure {
    std::string_view name;         // 2018-2019 scorer's key (and dermtl's for measures it lacks)
    std::string_view legacy_name;  // 2016-2017 scorer's
    kind what;
    double at = 0;                 // the sensitivity or TPR it is read at
    bool needs_probabilities = false;
};

constexpr measure measures[] = {
    {"accuracy", "accuracy", kind::accuracy, 0, true},
    {"sensitivity", "sensitivity", kind::sensitivity, 0, true},
    {"specificity", "specificity", kind::specificity, 0, true},
    {"dice", "dice", kind::dice, 0, true},
    {"ppv", "ppv", kind::ppv, 0, true},
    {"npv", "npv", kind::npv, 0, true},
    {"auc", "area_under_roc", kind::auc, 0, false},
    {"auc_sens_80", "auc_sens_80", kind::auc_sens, metrics::isic_auc_sensitivity, false},
    {"ap", "average_precision", kind::ap, 0, false},
    {"pauc_80", "pauc_80", kind::pauc, metrics::isic_auc_sensitivity, true},
    {"spec_at_sens_82", "spec_at_sens_82", kind::spec_at_sens, 0.82, false},
    {"spec_at_sens_89", "spec_at_sens_89", kind::spec_at_sens, 0.89, false},
    {"spec_at_sens_95", "spec_at_sens_95", kind::spec_at_sens, 0.95, false},
    {"spec_at_sens_98", "spec_at_sens_98", kind::spec_at_sens, 0.98, false},
    {"spec_at_sens_99", "spec_at_sens_99", kind::spec_at_sens, 0.99, false},
};

std::string_view key_of(const measure& m, challenge c) { return legacy(c) ? m.legacy_name : m.name; }

// Each scorer's own measures, in its order.
std::vector<const measure*> defaults_of(challenge c) {
    std::vector<std::string_view> names;
    switch (c) {
        case challenge::isic2016:
            names = {"accuracy", "sensitivity", "specificity", "average_precision", "area_under_roc",
                     "spec_at_sens_95", "spec_at_sens_98", "spec_at_sens_99"};
            break;
        case challenge::isic2017:
            names = {"accuracy", "sensitivity", "specificity", "average_precision", "spec_at_sens_82",
                     "spec_at_sens_89", "spec_at_sens_95", "area_under_roc"};
            break;
        case challenge::multiclass:
        case challenge::dermtl:
            names = {"accuracy", "sensitivity", "specificity", "dice", "ppv", "npv", "auc", "auc_sens_80", "ap"};
            break;
    }
    std::vector<const measure*> out;
    for (auto n : names)
        for (const auto& m : measures)
            if (key_of(m, c) == n) out.push_back(&m);
    return out;
}

std::vector<const measure*> chosen(const std::vector<std::string>& asked, challenge c) {
    if (asked.empty()) return defaults_of(c);
    std::vector<const measure*> out;
    for (const auto& a : asked) {
        const measure* found = nullptr;
        for (const auto& m : measures)
            if (key_of(m, c) == a) found = &m;
        if (!found) {
            std::vector<std::string> known;
            for (const auto& m : measures) known.emplace_back(key_of(m, c));
            throw config_error("score --metric: unknown measure " + quoted_value(a) + " for " +
                               std::string(name_of(c)) + "; expected one of " + listed(known));
        }
        if (std::find(out.begin(), out.end(), found) == out.end()) out.push_back(found);
    }
    return out;
}

// One measure of one category; nullopt where the 2016-2017 scorer reports None (SE without
// positives, SP without negatives).
std::optional<double> compute(const measure& m, const std::string& category, std::span<const double> truth,
                              std::span<const double> predicted, std::span<const double> weights, bool legacy_rules) {
    std::vector<int> labels(truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) labels[i] = truth[i] > 0.5 ? 1 : 0;
    try {
        switch (m.what) {
            case kind::accuracy:
            case kind::sensitivity:
            case kind::specificity:
            case kind::dice:
            case kind::ppv:
            case kind::npv: {
                const auto c = metrics::isic_confusion_counts(truth, predicted, weights);
                const auto r = metrics::isic_rates_of(c);
                if (legacy_rules && m.what == kind::sensitivity && c.true_positives + c.false_negatives == 0)
                    return std::nullopt;
                if (legacy_rules && m.what == kind::specificity && c.true_negatives + c.false_positives == 0)
                    return std::nullopt;
                switch (m.what) {
                    case kind::accuracy: return r.accuracy;
                    case kind::sensitivity: return r.sensitivity;
                    case kind::specificity: return r.specificity;
                    case kind::dice: return r.dice;
                    case kind::ppv: return r.ppv;
                    default: return r.npv;
                }
            }
            case kind::auc: return metrics::weighted_roc_auc(labels, predicted, weights);
            case kind::auc_sens: return metrics::auc_above_sensitivity(labels, predicted, m.at, weights);
            case kind::ap: return metrics::weighted_average_precision(labels, predicted, weights);
            case kind::pauc: return metrics::partial_auc_above_tpr(labels, predicted, m.at, weights);
            case kind::spec_at_sens: return metrics::weighted_specificity_at_sensitivity(labels, predicted, m.at, weights);
        }
    } catch (const error& e) {
        throw config_error("score: category '" + category + "', " + std::string(m.name) + ": " + e.what());
    }
    return std::nullopt;
}

json value(const std::optional<double>& v) {
    if (!v || std::isnan(*v)) return nullptr;
    return *v;
}

std::vector<double> column(const std::vector<std::vector<double>>& rows, std::size_t k) {
    std::vector<double> c;
    for (const auto& r : rows) c.push_back(r[k]);
    return c;
}

metrics::score_matrix matrix(const std::vector<std::vector<double>>& rows, std::size_t cols) {
    metrics::score_matrix m(Eigen::Index(rows.size()), Eigen::Index(cols));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t k = 0; k < cols; ++k) m(Eigen::Index(i), Eigen::Index(k)) = rows[i][k];
    return m;
}

}  // namespace
}  // namespace score_detail

std::string score_submission(const score_options& o) {
    using namespace score_detail;
    const sheet truth = read_truth(o.truth);
    const sheet submitted = read_submission(o.predictions, truth);
    const auto predicted = aligned(truth, submitted);
    const challenge layout = submitted.format == challenge::dermtl ? challenge::dermtl : truth.format;
    const auto wanted = chosen(o.metrics, layout);
    std::vector<const measure*> reported;
    json omitted = json::object();
    for (const measure* m : wanted) {
        if (m->needs_probabilities && !submitted.probabilities) {
            if (!o.metrics.empty())
                throw config_error("score --metric " + std::string(key_of(*m, layout)) + ": needs probabilities in [0, 1], "
                                   "and '" + submitted.file.string() + "' holds scores of another scale (SVM decision values)");
            omitted[std::string(key_of(*m, layout))] =
                "needs probabilities in [0, 1]; the predictions are SVM decision values (no Platt mapping)";
            continue;
        }
        reported.push_back(m);
    }
    const std::size_t k = truth.categories.size();
    std::vector<std::vector<double>> truth_rows = truth.values;
    // per[c][m]: measure m of category c.
    std::vector<std::vector<std::optional<double>>> per(k);
    for (std::size_t c = 0; c < k; ++c) {
        const auto t = column(truth_rows, c), p = column(predicted, c);
        for (const measure* m : reported)
            per[c].push_back(compute(*m, truth.categories[c], t, p, truth.score_weight, legacy(layout)));
    }
    json out;
    if (legacy(layout)) {
        // Python/scoreP3.py: [{"dataset": "aggregate", "metrics": [{"name", "value"}, ...]}]; 2017
        // names each measure <measure>_<category> and adds the two categories' mean.
        json list = json::array();
        const auto add = [&](const std::string& name, const std::optional<double>& v) {
            json item;
            item["name"] = name;
            item["value"] = value(v);
            list.push_back(item);
        };
        if (layout == challenge::isic2016) {
            for (std::size_t m = 0; m < reported.size(); ++m) add(std::string(reported[m]->legacy_name), per[0][m]);
        } else {
            for (std::size_t c = 0; c < k; ++c)
                for (std::size_t m = 0; m < reported.size(); ++m)
                    add(std::string(reported[m]->legacy_name) + "_" + truth.categories[c], per[c][m]);
            for (std::size_t m = 0; m < reported.size(); ++m) {
                const auto& a = per[0][m];
                const auto& b = per[1][m];
                add(std::string(reported[m]->legacy_name) + "_mean",
                    a && b ? std::optional<double>((*a + *b) / 2.0) : std::nullopt);
            }
        }
        json entry;
        entry["dataset"] = "aggregate";
        entry["metrics"] = list;
        out = json::array({entry});
    } else {
        // isic_challenge_scoring's ClassificationScore.to_dict(rocs=False).
        const auto t = matrix(truth_rows, k), p = matrix(predicted, k);
        const double overall = metrics::balanced_multiclass_accuracy(t, p, truth.score_weight);
        out["overall"] = overall;
        out["validation"] = metrics::balanced_multiclass_accuracy(t, p, truth.validation_weight);
        json per_category = json::object(), macro = json::object();
        for (std::size_t m = 0; m < reported.size(); ++m) {
            json by_category = json::object();
            double sum = 0;
            std::size_t counted = 0;
            for (std::size_t c = 0; c < k; ++c) {
                by_category[truth.categories[c]] = value(per[c][m]);
                if (per[c][m] && !std::isnan(*per[c][m])) {
                    sum += *per[c][m];
                    ++counted;
                }
            }
            per_category[std::string(reported[m]->name)] = by_category;
            macro[std::string(reported[m]->name)] = counted ? json(sum / double(counted)) : json(nullptr);
        }
        out["per_category"] = per_category;
        out["macro_average"] = macro;
        out["aggregate"] = json{{"balanced_accuracy", overall}};
        if (!omitted.empty()) out["omitted"] = omitted;
    }
    return out.dump(2) + "\n";
}

}  // namespace dermtl::programs