// `dermtl inspect`: a dataset's labels, folds and missing images, summarised.
#include "programs/inspect.hpp"

#include <map>

#include "dermtl/data/partitions.hpp"
#include "dermtl/io/image_files.hpp"

namespace dermtl::programs {

namespace {

std::string counts_line(const data::dataset& d, const std::vector<std::size_t>* indices) {
    std::vector<std::size_t> c(d.num_classes(), 0);
    std::size_t unlabelled = 0, n = 0;
    auto add = [&](std::size_t i) {
        ++n;
        const int l = d[i].label;
        if (l >= 0 && std::size_t(l) < c.size()) ++c[std::size_t(l)];
        else ++unlabelled;
    };
    if (indices)
        for (auto i : *indices) add(i);
    else
        for (std::size_t i = 0; i < d.size(); ++i) add(i);
    std::string s = std::to_string(n) + " (";
    for (std::size_t k = 0; k < c.size(); ++k) s += (k ? ", " : "") + d.class_names[k] + " " + std::to_string(c[k]);
    if (unlabelled) s += std::string(c.empty() ? "" : ", ") + "unlabelled " + std::to_string(unlabelled);
    return s + ")";
}

}  // namespace

// image_root: when given, every sample's id is looked up there (recursively) and the ids without
// an image are listed; samples whose image was already resolved count as present.
inspection inspect(const data::dataset& d, const data::fold_set* folds, const std::optional<std::filesystem::path>& image_root,
                   std::size_t max_listed) {
    inspection out;
    std::string& t = out.text;
    t += "dataset '" + d.name + "': " + counts_line(d, nullptr) + "\n";
    std::map<std::string, std::size_t> dx, level;
    for (const auto& s : d.samples) {
        if (s.dx != data::diagnosis::not_applicable) ++dx[std::string(data::to_string(s.dx))];
        if (s.level != data::difficulty::unknown) ++level[std::string(data::to_string(s.level))];
    }
    if (!dx.empty()) {
        t += "  diagnoses:";
        for (const auto& [k, v] : dx) t += " " + k + " " + std::to_string(v) + ";";
        t += "\n";
    }
    if (!level.empty()) {
        t += "  difficulty:";
        for (const auto& [k, v] : level) t += " " + k + " " + std::to_string(v) + ";";
        t += "\n";
    }
    if (folds) {
        t += std::to_string(folds->size()) + " folds:\n";
        for (const auto& f : *folds) {
            data::check_fold(f, d, "inspect");
            t += "  " + f.name + ": train " + counts_line(d, &f.train) + ", test " +
                 counts_line(d, &f.test) + "\n";
        }
        t += data::analyze_partitions(*folds, &d).describe();  // repeats, mirrors, overlaps, 5x2 CV or not
    }
    if (image_root) {
        const io::image_index index(*image_root, true);
        for (const auto& s : d.samples)
            if (s.image.empty() && !index.find(s.id)) out.missing_images.push_back(s.id);
        t += std::to_string(d.size() - out.missing_images.size()) + " of " + std::to_string(d.size()) +
             " ids have an image under '" + image_root->string() + "'";
        if (out.missing_images.empty()) t += "\n";
        else {
            t += "; without one:";
            for (std::size_t i = 0; i < out.missing_images.size() && i < max_listed; ++i) t += " " + out.missing_images[i];
            if (out.missing_images.size() > max_listed)
                t += " ... (" + std::to_string(out.missing_images.size() - max_listed) + " more)";
            t += "\n";
        }
    } else {
        t += "images: not checked (give the image folder to list ids without an image)\n";
    }
    return out;
}

}  // namespace dermtl::programs
