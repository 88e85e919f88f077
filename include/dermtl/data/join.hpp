#pragma once
// Joining two views of the same images.
//
// Represents: the reference implementation's protocol label files know only ids and labels;
// derm7pt's meta.csv (load_atlas) knows diagnosis, difficulty, location and the image file.
// attach_metadata copies what `source` knows into the samples of `target` with the same id
// (case-insensitive, extension ignored), keeping target's labels, so reference folds can be
// stratified, analysed by difficulty and fed with images.
// Ensures: with require_all, an id of target missing from source is an io_error naming the
// target's manifest line and the id; otherwise unmatched samples are left as they were and
// their count is returned.
#include <cstddef>

#include "dermtl/core/error.hpp"
#include "dermtl/data/dataset.hpp"

namespace dermtl::data {

inline std::size_t attach_metadata(dataset& target, const dataset& source, bool require_all = true) {
    std::size_t unmatched = 0;
    for (auto& s : target.samples) {
        const auto j = source.find(s.id);
        if (!j) {
            if (require_all)
                throw io_error(s.where() + ": id " + quoted_value(s.id) + " not found in " + source.name + " (" +
                               (source.size() ? source[0].manifest.string() : std::string("empty dataset")) + ")");
            ++unmatched;
            continue;
        }
        const sample& m = source[*j];
        s.dx = m.dx;
        s.level = m.level;
        s.location = m.location;
        if (m.grade) s.grade = m.grade;
        if (!m.image.empty()) s.image = m.image;
    }
    return unmatched;
}

}  // namespace dermtl::data
