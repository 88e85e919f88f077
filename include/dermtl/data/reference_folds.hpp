#pragma once
// The paper's reference implementation's label CSV and fold YAML (learningtitans/melanoma-transfer,
// folder folds/).
//
// Label CSV: header `image,level`, ids without extension (`ISIC_0000000,0`, `ael514,1`).
// Fold YAML: keys Fold_1..Fold_K, each a list of two lists `[train ids]`, `[test ids]`; ids carry
// `.tiff` except (quirk) the last of each list; the file may open with `#` comment lines.
// Ensures: read_label_csv gives a dataset with labels in [0, num_classes) (num_classes = 0:
// max label + 1); read_fold_yaml resolves every id against that dataset and checks each fold;
// an id not in the label file, train/test overlap, a malformed fold: io_error naming the YAML
// file, line and id. write_* produce files the readers (and the reference code) accept.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "dermtl/data/dataset.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/label_values.hpp"
#include "dermtl/io/csv.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

struct label_csv_options {
    std::string dataset_name = "reference";
    int num_classes = 0;                      // 0: infer as max label + 1
    std::vector<std::string> class_names;     // optional; default "0", "1", ...
    std::filesystem::path image_dir;          // empty: labels only
    bool recursive_images = true;             // also search subfolders (ISIC's two challenge folders)
};

inline dataset read_label_csv(const std::filesystem::path& csv, const label_csv_options& opt = {}) {
    const auto table = io::read_csv(csv);
    const std::size_t c_id = table.column("image"), c_level = table.column("level");
    const int hi = opt.num_classes > 0 ? opt.num_classes - 1
                   : !opt.class_names.empty() ? static_cast<int>(opt.class_names.size()) - 1
                                              : 1 << 20;
    std::optional<io::image_index> images;
    if (!opt.image_dir.empty()) images.emplace(opt.image_dir, opt.recursive_images);
    dataset d;
    d.name = opt.dataset_name;
    int max_label = -1;
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        table.require_columns(row, 2, "image,level");
        sample s;
        s.id = row[c_id];
        s.dataset = d.name;
        s.manifest = csv;
        s.manifest_line = row.line;
        if (s.id.empty()) throw io_error(s.where() + ": empty image id");
        s.label = parse_label(row[c_level], 0, hi, s.where(), "level");
        max_label = std::max(max_label, s.label);
        if (images) s.image = images->require(s.id, s.where());
        d.samples.push_back(std::move(s));
    }
    if (!opt.class_names.empty()) d.class_names = opt.class_names;
    else {
        const int k = opt.num_classes > 0 ? opt.num_classes : max_label + 1;
        for (int i = 0; i < k; ++i) d.class_names.push_back(std::to_string(i));
    }
    d.check();
    return d;
}

inline fold_set read_fold_yaml(const std::filesystem::path& yml, const dataset& d) {
    const std::string text = io::read_text_file(yml);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw io_error(yml.string() + ":" + std::to_string(e.mark.line + 1) + ": malformed fold YAML: " + e.msg);
    }
    if (!root.IsMap() || root.size() == 0) throw io_error(yml.string() + ": expected a map of Fold_1..Fold_K, found none");
    std::vector<std::pair<int, YAML::Node>> keyed;
    for (const auto& kv : root) {
        const std::string key = kv.first.as<std::string>();
        const std::string where = yml.string() + ":" + std::to_string(kv.first.Mark().line + 1);
        int n = 0;
        try {
            if (!key.starts_with("Fold_")) throw std::invalid_argument(key);
            std::size_t used = 0;
            n = std::stoi(key.substr(5), &used);
            if (used != key.size() - 5 || n < 1) throw std::invalid_argument(key);
        } catch (const std::exception&) {
            throw io_error(where + ": unexpected key '" + key + "'; expected Fold_1 .. Fold_K");
        }
        keyed.emplace_back(n, kv.second);
        if (!kv.second.IsSequence() || kv.second.size() != 2 || !kv.second[0].IsSequence() || !kv.second[1].IsSequence())
            throw io_error(where + ": " + key + " must be a list of two lists ([train ids], [test ids])");
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    fold_set folds;
    for (std::size_t k = 0; k < keyed.size(); ++k) {
        const auto& [n, node] = keyed[k];
        if (n != static_cast<int>(k) + 1)
            throw io_error(yml.string() + ": folds must be numbered Fold_1..Fold_K; Fold_" + std::to_string(k + 1) +
                           " is missing");
        fold f;
        f.name = "Fold_" + std::to_string(n);
        std::vector<char> in(d.size(), 0);
        for (int part = 0; part < 2; ++part) {
            auto& list = part == 0 ? f.train : f.test;
            for (const auto& item : node[part]) {
                const std::string id = item.as<std::string>();
                const std::string where = yml.string() + ":" + std::to_string(item.Mark().line + 1);
                auto idx = d.find(id);
                if (!idx)
                    throw io_error(where + ": " + f.name + (part ? " test" : " train") + " names id '" + id +
                                   "' which is not in the label file");
                if (in[*idx] == part + 1)
                    throw io_error(where + ": " + f.name + " lists id '" + id + "' twice in " + (part ? "test" : "train"));
                if (in[*idx])
                    throw io_error(where + ": " + f.name + ": id '" + id + "' is in both train and test (train/test overlap)");
                in[*idx] = static_cast<char>(part + 1);
                list.push_back(*idx);
            }
        }
        check_fold(f, d, yml.string());
        folds.push_back(std::move(f));
    }
    return folds;
}

// A reference protocol: its label file, its folds, and (optionally) images under one root.
struct reference_protocol {
    dataset data;
    fold_set folds;
};
inline reference_protocol load_reference_protocol(const std::filesystem::path& labels_csv, const std::filesystem::path& folds_yml,
                                                  const label_csv_options& opt = {}) {
    reference_protocol p{read_label_csv(labels_csv, opt), {}};
    p.folds = read_fold_yaml(folds_yml, p.data);
    return p;
}

inline void write_label_csv(const std::filesystem::path& csv, const dataset& d) {
    std::vector<std::vector<std::string>> rows{{"image", "level"}};
    for (const auto& s : d.samples) rows.push_back({s.id, std::to_string(s.label)});
    io::write_csv(csv, rows);
}

// Writes the reference layout (ids with `.tiff`, one `#` comment line naming the generator).
inline void write_fold_yaml(const std::filesystem::path& yml, const fold_set& folds, const dataset& d) {
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
