// Definitions of data/reference_folds.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_io with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/data/reference_folds.hpp"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <yaml-cpp/yaml.h>

namespace dermtl::data {

DERMTL_DECL dataset read_label_csv(const std::filesystem::path& csv, const label_csv_options& opt) {
    return read_label_csv(io::read_csv(csv), opt);
}

DERMTL_DECL dataset read_label_csv(const io::csv_table& table, const label_csv_options& opt) {
    const std::filesystem::path& csv = table.file;
    const std::size_t c_id = table.column("image"), c_level = table.column("level");
    const int hi = opt.num_classes > 0 ? opt.num_classes - 1
                   : !opt.class_names.empty() ? static_cast<int>(opt.class_names.size()) - 1
                                              : max_inferred_classes - 1;
    std::optional<io::image_index> images;
    if (!opt.image_dir.empty()) images.emplace(opt.image_dir, opt.recursive_images);
    dataset d;
    d.name = opt.dataset_name;
    int max_label = -1;
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        // Every row must reach the header's image and level columns (they need not be the first two).
        table.require_columns(row, std::max(c_id, c_level) + 1, "image,level");
        sample s;
        s.id = row[c_id];
        s.dataset = d.name;
        s.manifest = csv;
        s.manifest_line = row.line;
        if (s.id.empty()) throw io_error(s.where() + ": empty image id");
        s.label = parse_label(row[c_level], 0, hi, s.where(),
                              opt.num_classes > 0 || !opt.class_names.empty()
                                  ? "level"
                                  : "level (at most " + std::to_string(max_inferred_classes) +
                                        " classes when the class count is inferred)");
        max_label = std::max(max_label, s.label);
        if (images) s.image = images->require(s.id, s.where());
        d.samples.push_back(std::move(s));
    }
    if (d.samples.empty())
        throw io_error(csv.string() + ": no cases (a header line only); expected rows 'image,level' after it");
    if (!opt.class_names.empty()) d.class_names = opt.class_names;
    else {
        const int k = opt.num_classes > 0 ? opt.num_classes : max_label + 1;
        for (int i = 0; i < k; ++i) d.class_names.push_back(std::to_string(i));
    }
    d.check();
    return d;
}

namespace detail {

// A YAML key or list item as text; io_error naming file:line when it is a list or a map (where
// yaml-cpp would throw "bad conversion" with no file named).
DERMTL_DECL std::string yaml_scalar(const YAML::Node& n, const std::filesystem::path& yml, std::string_view what) {
    const std::string where = yml.string() + ":" + std::to_string(n.Mark().line + 1);
    if (!n.IsScalar())
        throw io_error(where + ": " + std::string(what) + ": expected a plain value, found " +
                       (n.IsSequence() ? "a list" : n.IsMap() ? "a map" : "nothing"));
    try {
        return n.as<std::string>();
    } catch (const YAML::Exception& e) {
        throw io_error(where + ": " + std::string(what) + ": " + e.msg);
    }
}

}  // namespace detail

DERMTL_DECL fold_set read_fold_yaml(const std::filesystem::path& yml, const dataset& d) {
    std::string text = io::read_text_file(yml);
    // CR-only line ends (classic Mac) are line ends, as in the CSV reader.
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) text[i] = '\n';
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw io_error(yml.string() + ":" + std::to_string(e.mark.line + 1) + ": malformed fold YAML: " + e.msg);
    }
    if (!root.IsMap() || root.size() == 0) throw io_error(yml.string() + ": expected a map of Fold_1..Fold_K, found none");
    // (fold number, position in `nodes`): sorted by number without moving the YAML nodes, whose
    // assignment rebinds what they refer to (yaml-cpp's reference semantics) and so would mix folds.
    std::vector<std::pair<int, std::size_t>> keyed;
    std::vector<YAML::Node> nodes;
    for (const auto& kv : root) {
        const std::string key = detail::yaml_scalar(kv.first, yml, "fold key");
        const std::string where = yml.string() + ":" + std::to_string(kv.first.Mark().line + 1);
        int n = 0;
        try {
            if (!key.starts_with("Fold_")) throw std::invalid_argument(key);
            std::size_t used = 0;
            n = std::stoi(key.substr(5), &used);
            if (used != key.size() - 5 || n < 1) throw std::invalid_argument(key);
        } catch (const std::exception&) {
            throw io_error(where + ": unexpected key " + quoted_value(key) + "; expected Fold_1 .. Fold_K");
        }
        keyed.emplace_back(n, nodes.size());
        nodes.push_back(kv.second);
        if (!kv.second.IsSequence() || kv.second.size() != 2 || !kv.second[0].IsSequence() || !kv.second[1].IsSequence())
            throw io_error(where + ": " + key + " must be a list of two lists ([train ids], [test ids])");
    }
    std::sort(keyed.begin(), keyed.end());
    fold_set folds;
    for (std::size_t k = 0; k < keyed.size(); ++k) {
        const int n = keyed[k].first;
        const YAML::Node& node = nodes[keyed[k].second];
        if (k > 0 && keyed[k - 1].first == n)
            throw io_error(yml.string() + ":" + std::to_string(node.Mark().line + 1) + ": Fold_" + std::to_string(n) +
                           " given twice; expected each of Fold_1..Fold_K once");
        if (n != static_cast<int>(k) + 1)
            throw io_error(yml.string() + ": folds must be numbered Fold_1..Fold_K; Fold_" + std::to_string(k + 1) +
                           " is missing");
        fold f;
        f.name = "Fold_" + std::to_string(n);
        std::vector<char> in(d.size(), 0);
        for (int part = 0; part < 2; ++part) {
            auto& list = part == 0 ? f.train : f.test;
            for (const auto& item : node[part]) {
                const std::string id = detail::yaml_scalar(item, yml, f.name + (part ? " test id" : " train id"));
                const std::string where = yml.string() + ":" + std::to_string(item.Mark().line + 1);
                auto idx = d.find(id);
                if (!idx)
                    throw io_error(where + ": " + f.name + (part ? " test" : " train") + " names id " + quoted_value(id) +
                                   " which is not in the label file");
                if (in[*idx] == part + 1)
                    throw io_error(where + ": " + f.name + " lists id " + quoted_value(id) + " twice in " +
                                   (part ? "test" : "train"));
                if (in[*idx])
                    throw io_error(where + ": " + f.name + ": id " + quoted_value(id) +
                                   " is in both train and test (train/test overlap)");
                in[*idx] = static_cast<char>(part + 1);
                list.push_back(*idx);
            }
        }
        check_fold(f, d, yml.string() + ":" + std::to_string(node.Mark().line + 1));
        folds.push_back(std::move(f));
    }
    return folds;
}

DERMTL_DECL reference_protocol load_reference_protocol(const std::filesystem::path& labels_csv,
                                                       const std::filesystem::path& folds_yml,
                                                       const label_csv_options& opt) {
    reference_protocol p{read_label_csv(labels_csv, opt), {}};
    p.folds = read_fold_yaml(folds_yml, p.data);
    return p;
}

DERMTL_DECL void write_label_csv(const std::filesystem::path& csv, const dataset& d) {
    std::vector<std::vector<std::string>> rows{{"image", "level"}};
    for (const auto& s : d.samples) rows.push_back({s.id, std::to_string(s.label)});
    io::write_csv(csv, rows);
}

// Writes the reference layout (ids with `.tiff`, one `#` comment line naming the generator).
DERMTL_DECL void write_fold_yaml(const std::filesystem::path& yml, const fold_set& folds, const dataset& d) {
    std::ofstream out(yml);
    if (!out) throw io_error("write " + yml.string() + ": cannot open for writing");
    out << "# folds written by dermtl for dataset '" << d.name << "'\n\n";
    for (const auto& f : folds) {
        out << f.name << ":\n";
        for (const auto* list : {&f.train, &f.test}) {
            out << "  - [";
            for (std::size_t i = 0; i < list->size(); ++i) out << (i ? ", " : "") << d[(*list)[i]].id << ".tiff";
            out << "]\n";
        }
    }
    if (!out) throw io_error("write " + yml.string() + ": write failed");
}

}  // namespace dermtl::data
