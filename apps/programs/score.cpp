// `dermtl score` (programs/score.hpp): reads a ground truth and a submission in one of the ISIC
// challenges' formats (or dermtl's predictions files), matches them image by image, and reports
// the scorer's measures (metrics/isic_challenge.hpp) as that scorer's JSON.
#include "programs/score.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/predictions.hpp"
#include "dermtl/metrics/isic_challenge.hpp"
#include "dermtl/metrics/score_matrix.hpp"

namespace dermtl::programs {

namespace {

using json = nlohmann::ordered_json;  // keys in the scorer's order

// The challenge whose file layout (and whose scorer's output) a file follows.
enum class challenge { isic2016, isic2017, multiclass, dermtl };

std::string_view name_of(challenge c) {
    switch (c) {
        case challenge::isic2016: return "ISIC 2016 Part 3 (image,label)";
        case challenge::isic2017: return "ISIC 2017 Part 3 (image_id,melanoma,seborrheic_keratosis)";
        case challenge::multiclass: return "ISIC 2018-2019 Task 3 (image,<category>...)";
        case challenge::dermtl: return "dermtl predictions (image,fold,label,class,score_...)";
    }
    return "";
}

// Whether the output follows the 2016-2017 scorer (Python/scoreP3.py: a list of named metrics).
bool legacy(challenge c) { return c == challenge::isic2016 || c == challenge::isic2017; }

// One side of the scoring: rows in file order, one column per category.
struct sheet {
    challenge format = challenge::isic2016;
    std::filesystem::path file;
    std::vector<std::string> categories;
    std::vector<std::string> ids;
    std::vector<std::size_t> lines;
    std::vector<std::vector<double>> values;             // per row, one per category
    std::vector<double> score_weight, validation_weight;  // truth only; empty: weight 1
    bool probabilities = true;                            // false: scores of another scale (SVM decision values)
};

bool parse_number(const std::string& text, double& x) {
    const char* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, x);
    return !text.empty() && r.ec == std::errc() && r.ptr == end;
}

std::string where(const io::csv_table& t, const io::csv_row& r, const std::string& column) {
    return t.where(r) + ": column '" + column + "'";
}

// A submitted probability: a number in [0, 1] (NaN refused), else io_error naming file:line and column.
double probability(const io::csv_table& t, const io::csv_row& r, std::size_t col, const std::string& column) {
    double x = 0;
    if (!parse_number(r[col], x) || !(x >= 0 && x <= 1))
        throw io_error(where(t, r, column) + ": expected a probability in [0, 1], found " + quoted_value(r[col]));
    return x;
}

// A truth value: 0 or 1 (the scorer's sklearn calls accept no other), else io_error.
double truth_value(const io::csv_table& t, const io::csv_row& r, std::size_t col, const std::string& column) {
    double x = 0;
    if (!parse_number(r[col], x) || !(x == 0 || x == 1))
        throw io_error(where(t, r, column) + ": expected a truth value 0 or 1, found " + quoted_value(r[col]));
    return x;
}

// ISIC 2016's truth labels: 0/1 (also 0.0/1.0) or benign/malignant; nullopt for anything else.
std::optional<double> label_2016(const std::string& text) {
    const std::string v = io::lower(text);
    if (v == "benign") return 0.0;
    if (v == "malignant") return 1.0;
    double x = 0;
    if (parse_number(v, x) && (x == 0 || x == 1)) return x;
    return std::nullopt;
}

// A submitted id as the scorer matches it: a trailing ".jpg" (any case) dropped.
std::string image_id(const std::string& id) {
    if (id.size() > 4 && io::lower(id.substr(id.size() - 4)) == ".jpg") return id.substr(0, id.size() - 4);
    return id;
}

bool is_number(const std::string& text) {
    double x = 0;
    return parse_number(text, x);
}

std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
}

// A dermtl predictions file as one side. As the truth: its labels, one-hot. As the predictions:
// two classes with confidences: (1 - c, c); otherwise its scores (not probabilities).
sheet from_dermtl(const io::csv_table& t, bool as_truth) {
    const io::image_predictions p = io::read_predictions(t);
    sheet s;
    s.format = challenge::dermtl;
    s.file = t.file;
    s.categories = p.class_names;
    const std::size_t k = p.class_names.size();
    for (std::size_t i = 0; i < p.size(); ++i) {
        const std::size_t line = t.rows[i + 1].line;
        std::vector<double> v(k, 0.0);
        if (as_truth) {
            if (p.labels[i] < 0)
                throw io_error(t.file.string() + ":" + std::to_string(line) + ": column 'label': image " +
                               quoted_value(p.ids[i]) + " has no label; a ground truth needs one for every image");
            v[std::size_t(p.labels[i])] = 1.0;
        } else if (k == 2 && !p.confidences.empty()) {
            v = {1.0 - p.confidences[i], p.confidences[i]};
        } else if (k == 2) {
            v = {-p.scores[i][0], p.scores[i][0]};
            s.probabilities = false;
        } else {
            v = p.scores[i];
            s.probabilities = false;
        }
        s.ids.push_back(p.ids[i]);
        s.lines.push_back(line);
        s.values.push_back(std::move(v));
    }
    return s;
}

sheet read_truth(const std::filesystem::path& file) {
    const io::csv_table t = io::read_csv(file);
    const io::csv_row& h = t.rows.front();
    if (io::is_predictions_header(h)) return from_dermtl(t, true);
    sheet s;
    s.file = file;
    std::size_t first = 0;  // first data row
    std::vector<std::size_t> value_columns;
    std::size_t score_col = 0, validation_col = 0;  // 0: none
    if (io::lower(h[0]) == "image") {
        s.format = challenge::multiclass;
        first = 1;
        for (std::size_t c = 1; c < h.size(); ++c) {
            if (h[c] == "score_weight") score_col = c;
            else if (h[c] == "validation_weight") validation_col = c;
            else {
                if (std::find(s.categories.begin(), s.categories.end(), h[c]) != s.categories.end())
                    throw io_error(t.where(h) + ": category " + quoted_value(h[c]) + " named twice");
                s.categories.push_back(h[c]);
                value_columns.push_back(c);
            }
        }
        if (s.categories.size() < 2)
            throw io_error(t.where(h) + ": expected at least two category columns after 'image', found " +
                           quoted_value(io::csv_table::joined(h)));
    } else if (h.size() == 3) {
        s.format = challenge::isic2017;
        s.categories = {"melanoma", "seborrheic_keratosis"};
        value_columns = {1, 2};
        if (!is_number(h[1])) {
            if (io::lower(h[1]) != "melanoma" || io::lower(h[2]) != "seborrheic_keratosis")
                throw io_error(t.where(h) + ": expected the header image_id,melanoma,seborrheic_keratosis, found " +
                               quoted_value(io::csv_table::joined(h)));
            first = 1;
        }
    } else if (h.size() == 2) {
        s.format = challenge::isic2016;
        s.categories = {"malignant"};
        value_columns = {1};
        first = label_2016(h[1]) ? 0 : 1;
    } else {
        throw io_error(file.string() + ": not a ground truth dermtl score knows; expected " +
                       std::string(name_of(challenge::isic2016)) + ", " + std::string(name_of(challenge::isic2017)) +
                       ", " + std::string(name_of(challenge::multiclass)) + " or " +
                       std::string(name_of(challenge::dermtl)) + "; found line 1: " +
                       quoted_value(io::csv_table::joined(h)));
    }
    if (first >= t.rows.size()) throw io_error(file.string() + ": a ground truth without images");
    std::set<std::string> seen;
    for (std::size_t r = first; r < t.rows.size(); ++r) {
        const io::csv_row& row = t.rows[r];
        t.require_columns(row, h.size(), std::string(name_of(s.format)));
        if (row[0].empty()) throw io_error(where(t, row, first ? h[0] : "image") + ": expected an image id, found nothing");
        if (!seen.insert(row[0]).second)
            throw io_error(where(t, row, first ? h[0] : "image") + ": image " + quoted_value(row[0]) + " appears twice");
        std::vector<double> v;
        for (std::size_t c : value_columns) {
            const std::string column = first ? h[c] : s.categories[v.size()];
            if (s.format == challenge::isic2016) {
                const auto x = label_2016(row[c]);
                if (!x)
                    throw io_error(where(t, row, column) + ": expected 0, 1, benign or malignant, found " +
                                   quoted_value(row[c]));
                v.push_back(*x);
            } else {
                v.push_back(truth_value(t, row, c, column));
            }
        }
        if (s.format == challenge::multiclass) {
            // The scorer's parse_truth_csv: weights default to 1, and ISIC_0035068 (a 2019 test image
            // withdrawn after the fact) always weighs 0.
            const auto weight = [&](std::size_t c) {
                if (!c) return 1.0;
                double x = 0;
                if (!parse_number(row[c], x) || !std::isfinite(x) || x < 0)
                    throw io_error(where(t, row, h[c]) + ": expected a non-negative weight, found " + quoted_value(row[c]));
                return x;
            };
            const bool withdrawn = row[0] == "ISIC_0035068";
            s.score_weight.push_back(withdrawn ? 0.0 : weight(score_col));
            s.validation_weight.push_back(withdrawn ? 0.0 : weight(validation_col));
        }
        s.ids.push_back(row[0]);
        s.lines.push_back(row.line);
        s.values.push_back(std::move(v));
    }
    return s;
}

sheet read_submission(const std::filesystem::path& file, const sheet& truth) {
    const io::csv_table t = io::read_csv(file);
    const io::csv_row& h = t.rows.front();
    if (io::is_predictions_header(h)) {
        sheet s = from_dermtl(t, false);
        if (truth.format == challenge::dermtl) {
            if (s.categories != truth.categories)
                throw config_error("score: predictions '" + file.string() + "' have the classes " + listed(s.categories) +
                                   ", the truth '" + truth.file.string() + "' has " + listed(truth.categories) +
                                   "; expected the same classes in the same order");
            return s;
        }
        if (truth.format == challenge::isic2016 && s.categories.size() == 2 && s.probabilities) {
            for (auto& v : s.values) v = {v[1]};  // the positive class's confidence
            s.categories = truth.categories;
            s.format = challenge::isic2016;
            return s;
        }
        throw config_error("score: predictions '" + file.string() + "' are " + std::string(name_of(challenge::dermtl)) +
                           (s.categories.size() == 2 && s.probabilities ? "" : " without two-class confidences") +
                           ", the truth '" + truth.file.string() + "' is " + std::string(name_of(truth.format)) +
                           "; expected a truth of the same classes (a dermtl predictions file) or an ISIC 2016 one");
    }
    sheet s;
    s.format = truth.format;
    s.file = file;
    s.categories = truth.categories;
    std::size_t first = 0;
    std::vector<std::size_t> column_of(truth.categories.size(), 0);  // the file's column of each category
    switch (truth.format) {
        case challenge::dermtl:
            throw config_error("score: the truth '" + truth.file.string() + "' is " +
                               std::string(name_of(challenge::dermtl)) + "; expected predictions in that format too, "
                               "found line 1 of '" + file.string() + "': " + quoted_value(io::csv_table::joined(h)));
        case challenge::isic2016:
            if (h.size() != 2)
                throw io_error(t.where(h) + ": expected 2 columns (image,confidence: " +
                               std::string(name_of(truth.format)) + "), found " + std::to_string(h.size()));
            first = is_number(h[1]) ? 0 : 1;
            column_of = {1};
            break;
        case challenge::isic2017:
            if (h.size() != 3)
                throw io_error(t.where(h) + ": expected 3 columns (image_id,melanoma,seborrheic_keratosis), found " +
                               std::to_string(h.size()));
            if (!is_number(h[1])) {
                first = 1;
                for (std::size_t c = 1; c < 3; ++c)
                    if (io::lower(h[c]) != truth.categories[c - 1])
                        throw config_error(t.where(h) + ": class column " + quoted_value(h[c]) +
                                           " is not in the truth (its classes: " + listed(truth.categories) + ")");
            }
            column_of = {1, 2};
            break;
        case challenge::multiclass: {
            first = 1;
            if (io::lower(h[0]) != "image")
                throw io_error(t.where(h) + ": expected the header image,<category>... (" +
                               std::string(name_of(truth.format)) + "), found " + quoted_value(io::csv_table::joined(h)));
            for (std::size_t c = 1; c < h.size(); ++c) {
                const auto it = std::find(truth.categories.begin(), truth.categories.end(), h[c]);
                if (it == truth.categories.end())
                    throw config_error(t.where(h) + ": class column " + quoted_value(h[c]) + " is not in the truth '" +
                                       truth.file.string() + "' (its classes: " + listed(truth.categories) + ")");
                auto& col = column_of[std::size_t(it - truth.categories.begin())];
                if (col) throw io_error(t.where(h) + ": class column " + quoted_value(h[c]) + " named twice");
                col = c;
            }
            std::vector<std::string> missing;
            for (std::size_t k = 0; k < column_of.size(); ++k)
                if (!column_of[k]) missing.push_back(truth.categories[k]);
            if (!missing.empty())
                throw config_error(t.where(h) + ": no column for the truth's class(es) " + listed(missing) +
                                   "; expected one column per class of '" + truth.file.string() + "'");
            break;
        }
    }
    for (std::size_t r = first; r < t.rows.size(); ++r) {
        const io::csv_row& row = t.rows[r];
        t.require_columns(row, h.size(), std::string(name_of(s.format)));
        if (row[0].empty()) throw io_error(where(t, row, first ? h[0] : "image") + ": expected an image id, found nothing");
        std::vector<double> v;
        for (std::size_t k = 0; k < column_of.size(); ++k)
            v.push_back(probability(t, row, column_of[k], first ? h[column_of[k]] : truth.categories[k]));
        s.ids.push_back(image_id(row[0]));
        s.lines.push_back(row.line);
        s.values.push_back(std::move(v));
    }
    return s;
}

// The submission's rows in the truth's order; config_error naming the first few missing and extra ids.
std::vector<std::vector<double>> aligned(const sheet& truth, const sheet& submitted) {
    constexpr std::size_t shown = 5;
    std::map<std::string, std::size_t> at;
    for (std::size_t i = 0; i < submitted.ids.size(); ++i)
        if (!at.emplace(submitted.ids[i], i).second)
            throw io_error(submitted.file.string() + ":" + std::to_string(submitted.lines[i]) + ": image " +
                           quoted_value(submitted.ids[i]) + " appears twice (first on line " +
                           std::to_string(submitted.lines[at[submitted.ids[i]]]) + ")");
    std::vector<std::string> missing, extra;
    const std::set<std::string> in_truth(truth.ids.begin(), truth.ids.end());
    for (const auto& id : truth.ids)
        if (!at.count(id)) missing.push_back(id);
    for (const auto& id : submitted.ids)
        if (!in_truth.count(id)) extra.push_back(id);
    const auto first_few = [&](const std::vector<std::string>& ids) {
        std::vector<std::string> some(ids.begin(), ids.begin() + std::ptrdiff_t(std::min(ids.size(), shown)));
        return listed(some) + (ids.size() > shown ? ", ..." : "");
    };
    std::string problem;
    if (!missing.empty())
        problem += std::to_string(missing.size()) + " image(s) of the truth missing (" + first_few(missing) + ")";
    if (!extra.empty())
        problem += std::string(problem.empty() ? "" : "; ") + std::to_string(extra.size()) +
                   " image(s) not in the truth (" + first_few(extra) + ")";
    if (!problem.empty())
        throw config_error("score: predictions '" + submitted.file.string() + "' do not match the truth '" +
                           truth.file.string() + "': " + problem + "; expected one row per image of the truth");
    std::vector<std::vector<double>> rows;
    for (const auto& id : truth.ids) rows.push_back(submitted.values[at[id]]);
    return rows;
}

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

std::string score_submission(const score_options& o) {
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
