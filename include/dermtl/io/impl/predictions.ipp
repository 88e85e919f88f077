// Definitions of io/predictions.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/io/predictions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/io/atomic_file.hpp"

namespace dermtl::io {

namespace predictions_detail {

// The shortest text that reads back to the same double.
DERMTL_DECL std::string number_text(double x) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, r.ptr);
}

// A CSV field as written: quoted when it holds a comma, a quote or a line break.
DERMTL_DECL std::string field_text(const std::string& f) {
    if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
    std::string out = "\"";
    for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// A whole field parsed as a double; false when it is not one (NaN and Inf parse: callers check).
DERMTL_DECL bool parse_double(const std::string& text, double& x) {
    const char* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, x);
    return r.ec == std::errc() && r.ptr == end && !text.empty();
}

constexpr std::size_t fixed_columns = 4;  // image, fold, label, class

}  // namespace predictions_detail

DERMTL_DECL std::string class_column(std::string_view class_name) {
    std::string out;
    bool gap = false;
    for (char c : class_name) {
        const char l = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) {
            if (gap && !out.empty()) out += '_';
            out += l;
            gap = false;
        } else {
            gap = true;
        }
    }
    return out.empty() ? std::string("class") : out;
}

DERMTL_DECL std::vector<std::string> prediction_columns(const image_predictions& p) {
    std::vector<std::string> h{"image", "fold", "label", "class"};
    const std::size_t k = p.class_names.size();
    if (k == 2) {
        h.push_back("score_" + class_column(p.class_names[1]));
        h.push_back("confidence_" + class_column(p.class_names[1]));
    } else {
        for (const auto& c : p.class_names) h.push_back("score_" + class_column(c));
    }
    if (!p.probabilities.empty())
        for (const auto& c : p.class_names) h.push_back("probability_" + class_column(c));
    if (!p.decisions.empty()) h.push_back("decision");
    if (!p.referrals.empty()) h.push_back("referral");
    return h;
}

DERMTL_DECL void check_predictions(const image_predictions& p, std::string_view op) {
    const std::string who(op);
    const std::size_t n = p.size(), k = p.class_names.size();
    if (k < 2) throw config_error(who + ": expected at least 2 class names, found " + std::to_string(k));
    if (p.folds.size() != n || p.labels.size() != n || p.scores.size() != n)
        throw config_error(who + ": expected one fold, label and score row per image (" + std::to_string(n) +
                           " images), found " + std::to_string(p.folds.size()) + ", " + std::to_string(p.labels.size()) +
                           " and " + std::to_string(p.scores.size()));
    if (k == 2 ? (!p.confidences.empty() && p.confidences.size() != n) : !p.confidences.empty())
        throw config_error(who + ": expected " + (k == 2 ? "none or " + std::to_string(n) : std::string("no")) +
                           " confidences (Platt's, two classes only), found " + std::to_string(p.confidences.size()));
    if (k == 2 ? !p.probabilities.empty() : (!p.probabilities.empty() && p.probabilities.size() != n))
        throw config_error(who + ": expected " + (k == 2 ? std::string("no") : "none or " + std::to_string(n)) +
                           " probability rows (more than two classes only), found " + std::to_string(p.probabilities.size()));
    if ((!p.decisions.empty() && p.decisions.size() != n) || (!p.referrals.empty() && p.referrals.size() != n))
        throw config_error(who + ": expected none or " + std::to_string(n) + " decisions and referral bands, found " +
                           std::to_string(p.decisions.size()) + " and " + std::to_string(p.referrals.size()));
    const std::size_t width = k == 2 ? 1 : k;
    for (std::size_t i = 0; i < n; ++i) {
        if (!p.probabilities.empty() && p.probabilities[i].size() != k)
            throw config_error(who + ": image " + quoted_value(p.ids[i]) + ": expected " + std::to_string(k) +
                               " probabilities, found " + std::to_string(p.probabilities[i].size()));
        // By column name: a file read back names its unlabelled classes after their columns.
        if (!p.decisions.empty() && std::none_of(p.class_names.begin(), p.class_names.end(), [&](const std::string& c) {
                return class_column(c) == class_column(p.decisions[i]);
            }))
            throw config_error(who + ": image " + quoted_value(p.ids[i]) + ": expected a decision naming a class, found " +
                               quoted_value(p.decisions[i]));
        if (!p.referrals.empty() && !is_referral_band(p.referrals[i]))
            throw config_error(who + ": image " + quoted_value(p.ids[i]) +
                               ": expected a referral band (refer, confident_negative, confident_positive), found " +
                               quoted_value(p.referrals[i]));
        if (p.scores[i].size() != width)
            throw config_error(who + ": image " + quoted_value(p.ids[i]) + ": expected " + std::to_string(width) +
                               " score(s), found " + std::to_string(p.scores[i].size()));
        if (p.labels[i] < -1 || p.labels[i] >= int(k))
            throw config_error(who + ": image " + quoted_value(p.ids[i]) + ": expected a label in [0, " +
                               std::to_string(k) + ") or -1 (unknown), found " + std::to_string(p.labels[i]));
    }
}

DERMTL_DECL bool is_referral_band(std::string_view band) {
    return band == "refer" || band == "confident_negative" || band == "confident_positive";
}

DERMTL_DECL void image_predictions::append(const image_predictions& more) {
    const bool same_columns = more.confidences.empty() == confidences.empty() &&
                              more.probabilities.empty() == probabilities.empty() &&
                              more.decisions.empty() == decisions.empty() && more.referrals.empty() == referrals.empty();
    if (more.class_names != class_names || (!same_columns && size() && more.size()))
        throw config_error("image_predictions::append: expected predictions of the same classes and columns");
    ids.insert(ids.end(), more.ids.begin(), more.ids.end());
    folds.insert(folds.end(), more.folds.begin(), more.folds.end());
    labels.insert(labels.end(), more.labels.begin(), more.labels.end());
    scores.insert(scores.end(), more.scores.begin(), more.scores.end());
    confidences.insert(confidences.end(), more.confidences.begin(), more.confidences.end());
    probabilities.insert(probabilities.end(), more.probabilities.begin(), more.probabilities.end());
    decisions.insert(decisions.end(), more.decisions.begin(), more.decisions.end());
    referrals.insert(referrals.end(), more.referrals.begin(), more.referrals.end());
}

DERMTL_DECL std::string predictions_csv(const image_predictions& p) {
    using namespace predictions_detail;
    check_predictions(p, "predictions_csv");
    std::string out;
    const auto header = prediction_columns(p);
    for (std::size_t c = 0; c < header.size(); ++c) out += (c ? "," : "") + header[c];
    out += '\n';
    for (std::size_t i = 0; i < p.size(); ++i) {
        const int label = p.labels[i];
        out += field_text(p.ids[i]) + ',' + field_text(p.folds[i]) + ',' + (label >= 0 ? std::to_string(label) : "") +
               ',' + (label >= 0 ? field_text(p.class_names[std::size_t(label)]) : "");
        for (double s : p.scores[i]) out += ',' + number_text(s);
        if (p.class_names.size() == 2) out += ',' + (p.confidences.empty() ? std::string() : number_text(p.confidences[i]));
        if (!p.probabilities.empty())
            for (double v : p.probabilities[i]) out += ',' + number_text(v);
        if (!p.decisions.empty()) out += ',' + field_text(p.decisions[i]);
        if (!p.referrals.empty()) out += ',' + p.referrals[i];
        out += '\n';
    }
    return out;
}

DERMTL_DECL void write_predictions(const std::filesystem::path& file, const image_predictions& p) {
    const std::string text = predictions_csv(p);
    prepare_folder(file.parent_path(), "write_predictions");
    write_file_atomically(file, text);
}

DERMTL_DECL bool is_predictions_header(const csv_row& header) {
    if (header.size() < predictions_detail::fixed_columns + 1) return false;
    const char* fixed[] = {"image", "fold", "label", "class"};
    for (std::size_t c = 0; c < predictions_detail::fixed_columns; ++c)
        if (lower(header[c]) != fixed[c]) return false;
    return lower(header[predictions_detail::fixed_columns]).rfind("score_", 0) == 0;
}

DERMTL_DECL image_predictions read_predictions(const csv_table& table) {
    using namespace predictions_detail;
    const std::string file = table.file.string();
    if (table.rows.empty() || !is_predictions_header(table.rows.front()))
        throw io_error(file + ":1: expected a predictions header (image,fold,label,class,score_...), found " +
                       (table.rows.empty() ? std::string("nothing") : quoted_value(csv_table::joined(table.rows.front()))));
    const csv_row& header = table.rows.front();
    std::vector<std::string> score_names;  // the class part of each score_ column
    std::size_t c = fixed_columns;
    for (; c < header.size() && lower(header[c]).rfind("score_", 0) == 0; ++c) score_names.push_back(header[c].substr(6));
    const bool binary = score_names.size() == 1;
    if (binary) {
        if (c >= header.size() || lower(header[c]).rfind("confidence_", 0) != 0)
            throw io_error(table.where(header) + ": expected one score_ column followed by one confidence_ column "
                           "(two classes), found " + quoted_value(csv_table::joined(header)));
        ++c;
    }
    const std::size_t k = binary ? 2 : score_names.size();
    // A final model's columns (see the header): probability_<class> (more than two classes), decision, referral.
    std::size_t probability_at = 0, decision_at = 0, referral_at = 0;  // 0: absent
    if (!binary && c < header.size() && lower(header[c]).rfind("probability_", 0) == 0) {
        probability_at = c;
        for (std::size_t j = 0; j < k; ++j, ++c)
            if (c >= header.size() || lower(header[c]) != "probability_" + lower(header[fixed_columns + j].substr(6)))
                throw io_error(table.where(header) + ": expected the columns probability_<class> in the order of the "
                               "score_<class> columns, found " + quoted_value(csv_table::joined(header)));
    }
    if (c < header.size() && lower(header[c]) == "decision") decision_at = c++;
    if (c < header.size() && lower(header[c]) == "referral") referral_at = c++;
    if (c != header.size())
        throw io_error(table.where(header) + ": column " + std::to_string(c + 1) + " " + quoted_value(header[c]) +
                       ": expected " + (binary ? "nothing but" : "only score_<class> columns, then") +
                       " the optional probability_<class>, decision and referral columns after " +
                       (binary ? "the score_ and confidence_ columns" : "image,fold,label,class"));
    image_predictions p;
    p.class_names.assign(k, "");
    std::set<std::string> seen;
    bool without_confidences = false;
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const csv_row& row = table.rows[r];
        table.require_columns(row, header.size(), "the predictions header's");
        const auto at = [&](std::size_t col) {
            return table.where(row) + ": column '" + header[col] + "'";
        };
        if (row[0].empty()) throw io_error(at(0) + ": expected an image id, found an empty field");
        if (!seen.insert(row[0]).second) throw io_error(at(0) + ": image " + quoted_value(row[0]) + " appears twice");
        int label = -1;
        if (!row[2].empty()) {
            double v = 0;
            if (!parse_double(row[2], v) || v != std::floor(v) || v < 0 || v >= double(k))
                throw io_error(at(2) + ": expected a class index in [0, " + std::to_string(k) + ") or nothing, found " +
                               quoted_value(row[2]));
            label = int(v);
            auto& name = p.class_names[std::size_t(label)];
            if (name.empty()) name = row[3];
            else if (name != row[3])
                throw io_error(at(3) + ": label " + std::to_string(label) + " is named " + quoted_value(name) +
                               " on an earlier line, here " + quoted_value(row[3]));
        }
        std::vector<double> s;
        for (std::size_t col = fixed_columns; col < fixed_columns + score_names.size(); ++col) {
            double v = 0;
            if (!parse_double(row[col], v) || !std::isfinite(v))
                throw io_error(at(col) + ": expected a finite number, found " + quoted_value(row[col]));
            s.push_back(v);
        }
        if (binary) {
            // Every row has a confidence, or none has (a classifier without Platt's mapping).
            const std::size_t col = fixed_columns + 1;
            if (r == 1) without_confidences = row[col].empty();
            double v = 0;
            if (without_confidences != row[col].empty() ||
                (!without_confidences && (!parse_double(row[col], v) || !(v >= 0 && v <= 1))))
                throw io_error(at(col) + ": expected a probability in [0, 1]" +
                               (without_confidences ? std::string(" or nothing, as on the first row") : std::string()) +
                               ", found " + quoted_value(row[col]));
            if (!without_confidences) p.confidences.push_back(v);
        }
        if (probability_at) {
            std::vector<double> probs;
            for (std::size_t col = probability_at; col < probability_at + k; ++col) {
                double v = 0;
                if (!parse_double(row[col], v) || !(v >= 0 && v <= 1))
                    throw io_error(at(col) + ": expected a probability in [0, 1], found " + quoted_value(row[col]));
                probs.push_back(v);
            }
            p.probabilities.push_back(std::move(probs));
        }
        if (decision_at) {
            if (row[decision_at].empty()) throw io_error(at(decision_at) + ": expected a class name, found an empty field");
            p.decisions.push_back(row[decision_at]);
        }
        if (referral_at) {
            if (!is_referral_band(row[referral_at]))
                throw io_error(at(referral_at) + ": expected refer, confident_negative or confident_positive, found " +
                               quoted_value(row[referral_at]));
            p.referrals.push_back(row[referral_at]);
        }
        p.ids.push_back(row[0]);
        p.folds.push_back(row[1]);
        p.labels.push_back(label);
        p.scores.push_back(std::move(s));
    }
    // Classes no row names take the name their column gives (the negative class of two: "negative").
    for (std::size_t j = 0; j < k; ++j)
        if (p.class_names[j].empty())
            p.class_names[j] = binary ? (j == 1 ? score_names[0] : std::string("negative")) : score_names[j];
    return p;
}

}  // namespace dermtl::io
