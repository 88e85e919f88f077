// `dermtl score`'s files (programs/score_files.hpp): the ground truth and the submission read,
// checked and matched image by image.
#include "programs/score_files.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/predictions.hpp"

namespace dermtl::programs::score_detail {

std::string_view name_of(challenge c) {
    switch (c) {
        case challenge::isic2016: return "ISIC 2016 Part 3 (image,label)";
        case challenge::isic2017: return "ISIC 2017 Part 3 (image_id,melanoma,seborrheic_keratosis)";
        case challenge::multiclass: return "ISIC 2018-2019 Task 3 (image,<category>...)";
        case challenge::dermtl: return "dermtl predictions (image,fold,label,class,score_...)";
    }
    return "";
}

bool legacy(challenge c) { return c == challenge::isic2016 || c == challenge::isic2017; }

std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
}

namespace {

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

}  // namespace

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

}  // namespace dermtl::programs::score_detail
