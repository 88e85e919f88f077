// Definitions of data/atlas.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/atlas.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dermtl::data {

// Requires: meta_csv = <release>/meta/meta.csv; image_root = <release>/images (default: derived).
DERMTL_DECL dataset load_atlas(const std::filesystem::path& meta_csv, const atlas_options& opt,
                               std::filesystem::path image_root) {
    return load_atlas(io::read_csv(meta_csv), opt, std::move(image_root));
}

DERMTL_DECL dataset load_atlas(const io::csv_table& table, const atlas_options& opt, std::filesystem::path image_root) {
    const std::filesystem::path& meta_csv = table.file;
    const std::size_t width = table.rows.front().size();
    const std::size_t c_dx = table.column("diagnosis"), c_level = table.column("level_of_diagnostic_difficulty"),
                      c_loc = table.column("location"), c_derm = table.column("derm");
    if (image_root.empty()) image_root = meta_csv.parent_path().parent_path() / "images";
    // Metadata columns kept for subgroups (data/metadata.hpp) where meta.csv has them: derm7pt's
    // sex; age, which the synthetic lesions' meta.csv adds (derm7pt has none).
    std::vector<std::pair<std::string, std::size_t>> c_metadata;
    for (std::size_t c = 0; c < table.rows.front().size(); ++c) {
        const std::string name = io::lower(table.rows.front()[c]);
        if (name == "sex" || name == "age") c_metadata.emplace_back(name, c);
    }
    std::optional<io::image_index> images;
    if (opt.resolve_images) images.emplace(image_root, true);
    dataset d;
    d.name = std::string(atlas_dataset_name);
    d.class_names = class_names_of(opt.task);
    std::size_t acral = 0, outside_task = 0;
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, width, "derm7pt meta.csv header width");
        const std::string where = table.where(row);
        sample s;
        s.dataset = d.name;
        s.dx = parse_diagnosis(row[c_dx], where);
        s.level = parse_difficulty(row[c_level], where);
        s.location = io::lower(row[c_loc]);
        for (const auto& [name, c] : c_metadata) s.metadata[name] = row[c];
        if (row[c_derm].empty()) throw io_error(where + ": empty 'derm' image path");
        s.id = io::id_key(io::stem_id(row[c_derm]));
        s.manifest = meta_csv;
        s.manifest_line = row.line;
        if (opt.exclude_acral && s.location.find("acral") != std::string::npos) {
            ++acral;
            continue;
        }
        const auto l = label_of(s.dx, opt.task);
        if (!l) {
            ++outside_task;
            continue;
        }
        s.label = *l;
        if (images) s.image = images->require(row[c_derm], where);
        d.samples.push_back(std::move(s));
    }
    if (d.samples.empty())
        throw io_error(meta_csv.string() + ": no cases: " + std::to_string(table.rows.size() - 1) + " data rows, " +
                       std::to_string(acral) + " acral (excluded), " + std::to_string(outside_task) +
                       " not in the task; expected at least one case");
    d.check();
    return d;
}

// Requires: `d` loaded by load_atlas from `meta_csv`. Ensures: every listed row maps to its
// sample or counts as dropped; a row beyond meta.csv, a non-integer, a row listed twice or in
// two parts is an io_error naming the index file, line and value.
DERMTL_DECL derm7pt_split load_derm7pt_split(const std::filesystem::path& meta_csv, const dataset& d) {
    const auto meta = io::read_csv(meta_csv);
    std::vector<std::size_t> line_of_row;  // data row -> meta.csv line
    for (std::size_t r = 1; r < meta.rows.size(); ++r) line_of_row.push_back(meta.rows[r].line);
    std::unordered_map<std::size_t, std::size_t> sample_of_line;
    for (std::size_t i = 0; i < d.size(); ++i) sample_of_line.emplace(d[i].manifest_line, i);
    derm7pt_split out;
    std::vector<int> seen(line_of_row.size(), 0);
    const std::array<std::pair<const char*, std::vector<std::size_t>*>, 3> parts = {
        {{"train_indexes.csv", &out.train}, {"valid_indexes.csv", &out.validation}, {"test_indexes.csv", &out.test}}};
    for (const auto& [file, list] : parts) {
        const auto path = meta_csv.parent_path() / file;
        const auto t = io::read_csv(path);
        const std::size_t c = t.column("indexes");
        for (std::size_t r = 1; r < t.rows.size(); ++r) {
            const auto& row = t.rows[r];
            t.require_columns(row, t.rows[0].size(), "derm7pt index file");
            const int row_index = parse_label(row[c], 0, static_cast<int>(line_of_row.size()) - 1, t.where(row), "indexes");
            if (seen[static_cast<std::size_t>(row_index)]++)
                throw io_error(t.where(row) + ": meta.csv row " + row[c] + " listed twice in the derm7pt split");
            const auto it = sample_of_line.find(line_of_row[static_cast<std::size_t>(row_index)]);
            if (it == sample_of_line.end()) ++out.dropped;
            else list->push_back(it->second);
        }
    }
    return out;
}

}  // namespace dermtl::data
