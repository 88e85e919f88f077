#pragma once
// A dataset: samples plus the task's class names.
//
// Represents: an ordered list of samples with unique ids and labels in [0, class_names.size())
// (or all -1 for unlabelled sets). Folds and splits refer to samples by their index here.
// Ensures (through check()): ids unique, labels in range; violations are io_errors naming the
// manifest file, line and offending value.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/data/sample.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::data {

struct dataset {
    std::string name;
    std::vector<std::string> class_names;  // class_names[label]
    std::vector<sample> samples;

    std::size_t size() const { return samples.size(); }
    std::size_t num_classes() const { return class_names.size(); }
    const sample& operator[](std::size_t i) const { return samples[i]; }
    sample& operator[](std::size_t i) { return samples[i]; }

    // Index of the sample with this id (case-insensitive, extension ignored).
    std::optional<std::size_t> find(const std::string& id) const {
        build_index();
        auto it = index_.find(key_of(id));
        if (it == index_.end()) return std::nullopt;
        return it->second;
    }

    // Count of samples per label (size num_classes()).
    std::vector<std::size_t> class_counts() const {
        std::vector<std::size_t> c(num_classes(), 0);
        for (const auto& s : samples)
            if (s.label >= 0 && static_cast<std::size_t>(s.label) < c.size()) ++c[static_cast<std::size_t>(s.label)];
        return c;
    }
    std::vector<int> labels() const {
        std::vector<int> l;
        l.reserve(samples.size());
        for (const auto& s : samples) l.push_back(s.label);
        return l;
    }
    // True when every sample has a skin-lesion diagnosis, so the paper's designs can relabel the
    // set (relabel); false for an empty set, source tasks and folder trees of other classes.
    bool has_diagnoses() const {
        if (samples.empty()) return false;
        for (const auto& s : samples)
            if (!is_skin_lesion(s.dx)) return false;
        return true;
    }
    std::map<diagnosis, std::size_t> diagnosis_counts() const {
        std::map<diagnosis, std::size_t> c;
        for (const auto& s : samples) ++c[s.dx];
        return c;
    }

    // The samples at `indices`, in that order, with the same class names.
    dataset subset(const std::vector<std::size_t>& indices) const {
        dataset out;
        out.name = name;
        out.class_names = class_names;
        out.samples.reserve(indices.size());
        for (auto i : indices) {
            if (i >= samples.size())
                throw config_error("dataset::subset: index " + std::to_string(i) + " out of range for " + name + " (" +
                                   std::to_string(samples.size()) + " samples)");
            out.samples.push_back(samples[i]);
        }
        return out;
    }

    // Throws io_error on duplicate ids or labels out of range.
    void check() const {
        std::unordered_map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const auto& s = samples[i];
            auto [it, fresh] = seen.emplace(key_of(s.id), i);
            if (!fresh)
                throw io_error(s.where() + ": duplicate id " + quoted_value(s.id) + " (first listed at " +
                               samples[it->second].where() + ")");
            if (s.label < -1 || s.label >= static_cast<int>(num_classes()))
                throw io_error(s.where() + ": label " + std::to_string(s.label) + " of " + quoted_value(s.id) +
                               " out of range [0, " + std::to_string(num_classes()) + ")");
        }
        index_valid_ = false;
    }

    // Ids compare case-insensitively and without image extension.
    static std::string key_of(const std::string& id) { return io::id_key(id); }

    void invalidate_index() const { index_valid_ = false; }

private:
    void build_index() const {
        if (index_valid_ && index_.size() == samples.size()) return;
        index_.clear();
        for (std::size_t i = 0; i < samples.size(); ++i) index_.emplace(key_of(samples[i].id), i);
        index_valid_ = true;
    }
    mutable std::unordered_map<std::string, std::size_t> index_;
    mutable bool index_valid_ = false;
};

}  // namespace dermtl::data

