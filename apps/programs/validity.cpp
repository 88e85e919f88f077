// Which cells can run on a study's data (programs/validity.hpp).
#include "programs/validity.hpp"

#include <algorithm>

#include "dermtl/data/lesion_task.hpp"
#include "programs/datasets.hpp"

namespace dermtl::programs {

namespace {

std::string design_title(data::lesion_task t) {
    switch (t) {
        case data::lesion_task::malignant_vs_benign: return "malignant vs. benign";
        case data::lesion_task::melanoma_vs_benign: return "melanoma vs. benign";
        case data::lesion_task::bcc_melanoma_benign: return "melanoma vs. carcinoma vs. benign";
    }
    return "?";
}

std::string target_name(const study& st) { return st.target.name.empty() ? std::string("the data") : "'" + st.target.name + "'"; }

// "benign 120, malignant 3": a count per class of a design.
std::string counts_text(const std::vector<std::string>& names, const std::vector<std::size_t>& counts) {
    std::string out;
    for (std::size_t c = 0; c < names.size(); ++c) out += (c ? ", " : "") + names[c] + " " + std::to_string(counts[c]);
    return out;
}

std::string design_problem(const study& st, data::lesion_task design) {
    if (!st.target.has_diagnoses())
        return target_name(st) + " gives no diagnoses (a folder tree's folder names, or a manifest's values, are not "
               "diagnoses of dermtl's vocabulary): name the folders by diagnosis (melanoma/, nevus/, bcc/, ...) or map "
               "them with --diagnosis-map FILE";
    const auto names = data::class_names_of(design, st.rules);
    std::vector<std::size_t> counts(names.size(), 0);
    std::vector<int> label(st.target.size(), -1);
    for (std::size_t i = 0; i < st.target.size(); ++i)
        if (const auto l = data::label_of(st.target[i].dx, design, st.rules)) {
            label[i] = *l;
            ++counts[std::size_t(*l)];
        }
    for (std::size_t c = 0; c < names.size(); ++c)
        if (counts[c] == 0)
            return target_name(st) + " has no case of the class '" + names[c] + "' (" + counts_text(names, counts) +
                   "): the " + design_title(design) + " design is not possible on it";
    if (st.folds_made_here) {
        try {
            data::require_cases_per_class(data::relabel(st.target, design, st.rules), data::cases_per_class_for_5x2,
                                          design_title(design) + " on " + target_name(st));
        } catch (const config_error& e) {
            return e.what();
        }
        return {};
    }
    // Given folds (the official split, a fold column or file): every class on each side.
    for (const auto& f : st.folds)
        for (const auto* side : {&f.train, &f.test}) {
            std::vector<std::size_t> in(names.size(), 0);
            for (auto i : *side)
                if (label[i] >= 0) ++in[std::size_t(label[i])];
            for (std::size_t c = 0; c < names.size(); ++c)
                if (in[c] == 0)
                    return f.name + "'s " + (side == &f.train ? "training" : "test") + " side has no case of '" +
                           names[c] + "' (" + counts_text(names, in) + "): the " + design_title(design) +
                           " design cannot be trained and scored on these folds";
        }
    return {};
}

}  // namespace

std::string cell_problem(const study& st, const protocol::registry_entry& cell) {
    if (cell.facts.isic_label && !(st.format && st.format->isic_label))
        return "ISIC's own benign/malignant label exists only in ISIC 2016 Part 3 (--isic2016); on " + target_name(st) +
               " run the malignant_vs_benign design instead";
    if (cell.facts.needs_retinopathy && !st.retinopathy)
        return "it trains on the Retinopathy source: pass --retinopathy LABELS.csv --retinopathy-images DIR (Kaggle's "
               "trainLabels.csv and train/), or --synthetic";
    if (cell.facts.needs_source_task && !st.general)
        return "it trains on a source task, which only --synthetic generates";
    if (cell.facts.needs_imagenet_weights && !st.imagenet_weights_given)
        return "it starts from ImageNet weights: pass --imagenet-weights imagenet-vgg-m.mat (or "
               "--imagenet-weights-vgg16 for VGG-16; http://www.vlfeat.org/matconvnet/pretrained/; VGG-16 also takes "
               "torchvision's or timm's weights as safetensors); dermtl never substitutes other weights";
    if (cell.facts.design) return design_problem(st, *cell.facts.design);
    return {};
}

void require_runnable(const study& st, const std::vector<const protocol::registry_entry*>& cells) {
    std::string problems, possible;
    std::size_t refused = 0;
    for (const auto* c : cells)
        if (const auto why = cell_problem(st, *c); !why.empty()) {
            ++refused;
            if (refused <= 8) problems += "\n  " + c->id.str() + ": " + why;
        }
    if (refused == 0) return;
    if (refused > 8) problems += "\n  ... and " + std::to_string(refused - 8) + " more";
    for (auto t : {data::lesion_task::malignant_vs_benign, data::lesion_task::melanoma_vs_benign,
                   data::lesion_task::bcc_melanoma_benign})
        if (design_problem(st, t).empty()) possible += (possible.empty() ? "" : ", ") + design_title(t);
    throw config_error(std::to_string(refused) + " of the " + std::to_string(cells.size()) +
                       " selected cell(s) cannot run on " + st.description + ":" + problems + "\nPossible here: " +
                       (possible.empty() ? std::string("no design") : possible) +
                       " (`dermtl grid --list` with the same data options shows each cell)");
}

std::vector<std::string> design_notes(const study& st, const std::vector<const protocol::registry_entry*>& cells) {
    std::vector<std::string> notes;
    auto uses = [&](data::lesion_task t) {
        return std::any_of(cells.begin(), cells.end(), [&](const auto* c) { return c->facts.design == t; });
    };
    if (!st.synthetic && st.target.has_diagnoses() && uses(data::lesion_task::malignant_vs_benign) &&
        uses(data::lesion_task::melanoma_vs_benign) &&
        data::labelings_coincide(st.target, data::lesion_task::malignant_vs_benign, data::lesion_task::melanoma_vs_benign,
                                 st.rules))
        notes.push_back("On " + target_name(st) + " the malignant vs. benign and melanoma vs. benign designs are the "
                        "same task: every malignant case is a melanoma (no carcinoma), so their results coincide");
    return notes;
}

}  // namespace dermtl::programs
