// Subgroup tables, operating points and calibration of stored results (programs/subgroups.hpp).
#include "programs/subgroups.hpp"

#include <algorithm>
#include <set>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/diagnosis.hpp"
#include "dermtl/data/metadata.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/metrics/average_precision.hpp"
#include "dermtl/metrics/isic_challenge.hpp"
#include "dermtl/metrics/roc.hpp"
#include "dermtl/report/subgroups.hpp"
#include "programs/cell_intervals.hpp"
#include "programs/tables.hpp"
#include "programs/tables_detail.hpp"

namespace dermtl::programs {

// Named, not anonymous: apps/programs builds in unity batches, where file-local names would meet.
namespace subgroups_impl {

constexpr const char* difficulty_column = "difficulty";
constexpr const char* age_column = "age";

metrics::binary_metric metric_of(subgroup_measure m) {
    switch (m) {
        case subgroup_measure::average_precision:
            return [](std::span<const int> l, std::span<const double> s) { return metrics::average_precision(l, s); };
        case subgroup_measure::auc_sens_80:
            return [](std::span<const int> l, std::span<const double> s) {
                return metrics::auc_above_sensitivity(l, s, 0.8);
            };
        default: return metrics::auc_measure();
    }
}

std::string list_of(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string cell_name(const protocol::experiment_result& r) {
    return r.id.labeling.title + ", " + r.id.transfer.title + " / " + r.id.finetune.title;
}

std::vector<const protocol::experiment_result*> binary_cells(const std::vector<protocol::experiment_result>& results,
                                                             const std::string& model) {
    std::vector<const protocol::experiment_result*> out;
    for (const auto& r : results)
        if (r.id.model.name == model && !r.folds.empty() && tables_detail::is_binary(r)) out.push_back(&r);
    return out;
}

}  // namespace subgroups_impl


std::string measure_name(subgroup_measure m) {
    switch (m) {
        case subgroup_measure::average_precision: return "AP";
        case subgroup_measure::auc_sens_80: return "auc_sens_80";
        default: return "AUC";
    }
}

image_metadata metadata_of(const data::dataset& d) {
    image_metadata out;
    for (const auto& column : data::metadata_columns(d)) {
        if (column == subgroups_impl::difficulty_column) continue;  // the results carry it
        const auto values = data::metadata_values(d, column);
        auto& by_id = out[column];
        for (std::size_t i = 0; i < d.size(); ++i) by_id[io::lower(d[i].id)] = values[i];
    }
    return out;
}

image_metadata read_metadata_csv(const std::filesystem::path& file, const std::string& id_column) {
    const auto table = io::parse_csv(io::read_text_file(file), file);
    if (table.rows.empty())
        throw io_error(file.string() + ": expected a header and one row per image, found an empty file");
    const auto& header = table.rows.front();
    const std::size_t id = table.column(id_column);
    image_metadata out;
    for (std::size_t c = 0; c < header.size(); ++c)
        if (c != id) out[io::lower(io::trim(header[c]))];
    std::set<std::string> seen;
    for (std::size_t k = 1; k < table.rows.size(); ++k) {
        const auto& row = table.rows[k];
        table.require_columns(row, header.size(), "as many as the header");
        const std::string raw = io::trim(row[id]);
        // The results name an image by its file name without folder or extension.
        const std::string stem = io::lower(std::filesystem::path(raw).stem().string());
        if (!seen.insert(stem).second)
            throw io_error(table.where(row) + ": image " + quoted_value(raw) + " is listed twice in column " +
                           quoted_value(id_column));
        for (std::size_t c = 0; c < header.size(); ++c)
            if (c != id) {
                auto& by_id = out[io::lower(io::trim(header[c]))];
                by_id[stem] = io::trim(row[c]);
                if (io::lower(raw) != stem) by_id[io::lower(raw)] = io::trim(row[c]);
            }
    }
    return out;
}

std::vector<std::string> subgroup_columns(const protocol::experiment_result& r, const subgroup_settings& s) {
    std::vector<std::string> out;
    if (!r.folds.empty() && std::all_of(r.folds.begin(), r.folds.end(), [](const protocol::fold_result& f) {
            return f.predictions.strata.size() == f.predictions.labels.size() && !f.predictions.labels.empty();
        }))
        out.emplace_back(subgroups_impl::difficulty_column);
    for (const auto& [column, values] : s.metadata)
        if (column != subgroups_impl::difficulty_column) out.push_back(column);
    return out;
}

std::vector<std::vector<std::string>> strata_of(const protocol::experiment_result& r, const std::string& column,
                                                const subgroup_settings& s) {
    const std::string name = io::lower(io::trim(column));
    const auto columns = subgroup_columns(r, s);
    if (std::find(columns.begin(), columns.end(), name) == columns.end())
        throw config_error("subgroups: no column " + quoted_value(column) + " for '" + r.id.str() + "'; " +
                           (columns.empty() ? std::string("it has no subgroup columns (difficulty is read from the "
                                                          "results; others need --metadata)")
                                            : "the columns that exist are: " + subgroups_impl::list_of(columns)));
    std::vector<std::vector<std::string>> out;
    if (name == subgroups_impl::difficulty_column) {
        for (const auto& f : r.folds) {
            std::vector<std::string> v;
            for (int level : f.predictions.strata)
                v.emplace_back(level >= 0 && level <= int(data::difficulty::high)
                                   ? std::string(data::to_string(static_cast<data::difficulty>(level)))
                                   : std::to_string(level));
            out.push_back(std::move(v));
        }
        return out;
    }
    const auto& by_id = s.metadata.at(name);
    bool any = false;
    for (const auto& f : r.folds) {
        std::vector<std::string> v;
        for (const auto& id : f.ids) {
            const auto it = by_id.find(io::lower(id));
            any |= it != by_id.end();
            const std::string value = it == by_id.end() ? std::string() : it->second;
            v.push_back(name == subgroups_impl::age_column
                            ? metrics::age_band(value, s.age_edges, "age of image " + quoted_value(id))
                            : value);
        }
        out.push_back(std::move(v));
    }
    if (!any)
        throw config_error("subgroups: column " + quoted_value(column) + ": none of the test images of '" + r.id.str() +
                           "' (e.g. " + quoted_value(r.folds.front().ids.empty() ? "" : r.folds.front().ids.front()) +
                           ") is in the metadata; do its ids name the same images?");
    return out;
}

metrics::subgroup_options subgroup_rule(const subgroup_settings& s) {
    metrics::subgroup_options o;
    o.min_positives = o.min_negatives = s.min_cases;
    return o;
}

void fill_subgroup_table(report::table& t, const std::vector<const protocol::experiment_result*>& cells,
                         const std::vector<std::string>& row_names, const std::string& column,
                         const subgroup_settings& s, subgroup_measure measure) {
    const std::string name = io::lower(io::trim(column));
    std::vector<std::vector<std::vector<std::string>>> strata;
    std::vector<std::string> every;
    for (const auto* r : cells) {
        strata.push_back(strata_of(*r, column, s));
        for (const auto& f : strata.back()) every.insert(every.end(), f.begin(), f.end());
    }
    std::vector<std::string> order;  // the strata's order: difficulty's levels, the age bands, else sorted
    if (name == subgroups_impl::difficulty_column) order = {"low", "medium", "high"};
    if (name == subgroups_impl::age_column) order = metrics::age_band_labels(s.age_edges);
    report::add_subgroup_columns(t, metrics::stratum_order(every, order));
    const auto rule = subgroup_rule(s);
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const auto row = t.add_row(row_names[k]);
        const auto folds = cells[k]->predictions();
        const auto ids = test_ids(*cells[k]);
        report::set_subgroup_row(t, row, name, folds, ids, strata[k], subgroups_impl::metric_of(measure),
                                 measure_name(measure), rule);
    }
}

std::string too_small_sentence(const subgroup_settings& s) {
    return "A stratum with fewer than " + std::to_string(s.min_cases) + " positive or " + std::to_string(s.min_cases) +
           " negative test cases, pooled over the folds, is too small to be shown (as is one whose positives or "
           "negatives are fewer than 2 images); n: its test cases pooled over the folds.";
}

report::table subgroup_table(const std::vector<protocol::experiment_result>& results, const std::string& model,
                             const std::string& column, const subgroup_settings& s) {
    const auto cells = subgroups_impl::binary_cells(results, model);
    if (cells.empty()) throw config_error("subgroups: no binary-design result of " + model);
    std::vector<std::string> names;
    for (const auto* r : cells) names.push_back(subgroups_impl::cell_name(*r));
    report::table t;
    const std::string name = io::lower(io::trim(column));
    t.id = "subgroups_" + name;
    t.title = "Subgroups by " + name + ": " + measure_name(s.measure) + " of " + model;
    t.value_label = measure_name(s.measure);
    t.row_header = "Cell";
    t.caption = measure_name(s.measure) + " in % of each fold's test cases in the stratum (decision values), mean ± "
                "sd over the folds where the stratum holds both classes; All: every test case. " +
                too_small_sentence(s);
    if (name == subgroups_impl::age_column) t.caption += " Ages in bands of years; unknown: no age recorded.";
    fill_subgroup_table(t, cells, names, column, s, s.measure);
    return t;
}

report::table operating_points_table(const std::vector<protocol::experiment_result>& results,
                                     const std::string& model) {
    const auto cells = subgroups_impl::binary_cells(results, model);
    if (cells.empty()) throw config_error("operating points: no binary-design result of " + model);
    report::table t;
    t.id = "operating_points";
    t.title = "Operating points of " + model + ": sensitivity at fixed specificity, specificity at fixed sensitivity";
    t.row_header = "Cell";
    t.caption = "Per test fold, on the ROC curve of the decision values (ties shared, targets between two ROC points "
                "interpolated: pROC's coords), then mean ± sd over the folds, in %.";
    const auto targets = report::default_operating_targets();
    report::add_operating_point_columns(t, targets);
    for (const auto* r : cells) {
        const auto row = t.add_row(subgroups_impl::cell_name(*r));
        report::set_operating_point_row(t, row, targets, r->predictions(), test_ids(*r));
    }
    return t;
}

void add_evaluation(report::report& rep, const std::vector<protocol::experiment_result>& results,
                    const std::vector<std::string>& models, const subgroup_settings& s) {
    const bool several = models.size() > 1;
    for (const auto& m : models) {
        const auto cells = subgroups_impl::binary_cells(results, m);
        if (cells.empty()) continue;
        const std::string suffix = several ? "_" + m : "";
        for (const auto& column : s.columns) {
            (void)strata_of(*cells.front(), column, s);  // a column that does not exist is refused, not noted
            add_table_or_note(rep, "subgroups by " + column + " of " + m, [&] {
                auto t = subgroup_table(results, m, column, s);
                t.id += suffix;
                return t;
            });
        }
        add_table_or_note(rep, "operating points of " + m, [&] {
            auto t = operating_points_table(results, m);
            t.id += suffix;
            return t;
        });
    }
    // The calibration of every binary cell's Platt confidences, in results order.
    for (const auto& r : results)
        if (tables_detail::is_binary(r))
            if (auto c = calibration_of(r, subgroups_impl::cell_name(r) + " (" + r.id.model.name + ")"))
                rep.calibrations.push_back(std::move(*c));
}

}  // namespace dermtl::programs
