#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "data_test_files.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;

namespace {
// An Atlas-like mix: many Clark nevi, some melanoma subtypes, few BCCs and rare kinds.
dataset atlas_like() {
    dataset d;
    d.name = "atlas";
    d.class_names = class_names_of(lesion_task::malignant_vs_benign);
    const std::vector<std::pair<diagnosis, int>> mix = {
        {diagnosis::clark_nevus, 120}, {diagnosis::melanoma_in_situ, 21}, {diagnosis::melanoma_less_than_0_76_mm, 33},
        {diagnosis::basal_cell_carcinoma, 14}, {diagnosis::blue_nevus, 9}, {diagnosis::seborrheic_keratosis, 15},
        {diagnosis::melanoma_metastasis, 1}, {diagnosis::lentigo, 7}};
    int n = 0;
    for (const auto& [dx, count] : mix)
        for (int i = 0; i < count; ++i) {
            sample s;
            s.id = "case" + std::to_string(n++);
            s.dx = dx;
            s.label = *label_of(dx, lesion_task::malignant_vs_benign);
            d.samples.push_back(s);
        }
    return d;
}
std::map<diagnosis, int> mix_of(const dataset& d, const std::vector<std::size_t>& idx) {
    std::map<diagnosis, int> m;
    for (auto i : idx) ++m[d[i].dx];
    return m;
}
}  // namespace

TEST_CASE("folds: 5x2 cross-validation stratified by diagnosis", "[data][folds]") {
    const auto d = atlas_like();
    const auto folds = make_5x2_folds(d, 2017);
    REQUIRE(folds.size() == 10);
    for (std::size_t k = 0; k < folds.size(); ++k) {
        const auto& f = folds[k];
        CHECK(f.name == "Fold_" + std::to_string(k + 1));
        CHECK(f.train.size() + f.test.size() == d.size());
        CHECK(std::abs(static_cast<long>(f.train.size()) - static_cast<long>(f.test.size())) <= 1);
        const auto a = mix_of(d, f.train), b = mix_of(d, f.test);
        for (const auto& [dx, n] : d.diagnosis_counts()) {
            const int na = a.count(dx) ? a.at(dx) : 0, nb = b.count(dx) ? b.at(dx) : 0;
            CHECK(na + nb == static_cast<int>(n));
            CHECK(std::abs(na - nb) <= 1);  // each half keeps the diagnosis mix
        }
        if (k % 2 == 1) {
            CHECK(f.train == folds[k - 1].test);
            CHECK(f.test == folds[k - 1].train);
        }
    }
    // Repetitions differ from each other.
    CHECK(folds[0].train != folds[2].train);
}

TEST_CASE("folds: the same seed gives the same folds, another seed others", "[data][folds]") {
    const auto d = atlas_like();
    const auto a = make_5x2_folds(d, 7), b = make_5x2_folds(d, 7), c = make_5x2_folds(d, 8);
    for (std::size_t k = 0; k < a.size(); ++k) CHECK(a[k].train == b[k].train);
    CHECK(a[0].train != c[0].train);
}

TEST_CASE("folds: 10% stratified validation split of a training set", "[data][folds]") {
    const auto d = atlas_like();
    const auto folds = make_5x2_folds(d, 1);
    const auto s = stratified_validation_split(d, folds[0], 0.1, 3);
    CHECK(s.train.size() + s.validation.size() == folds[0].train.size());
    std::set<std::size_t> all(s.train.begin(), s.train.end());
    for (auto i : s.validation) CHECK(all.insert(i).second);
    CHECK(all == std::set<std::size_t>(folds[0].train.begin(), folds[0].train.end()));
    // Per label, about 10% (rounded) goes to validation.
    std::map<int, int> in_train, in_val;
    for (auto i : folds[0].train) ++in_train[d[i].label];
    for (auto i : s.validation) ++in_val[d[i].label];
    for (const auto& [label, n] : in_train) CHECK(in_val[label] == std::max<long>(1, std::lround(0.1 * n)));
    const auto again = stratified_validation_split(d, folds[0], 0.1, 3);
    CHECK(again.validation == s.validation);
    CHECK(stratified_validation_split(d, folds[0], 0.1, 4).validation != s.validation);
    CHECK_THROWS_AS(stratified_validation_split(d, folds[0], 1.5, 3), config_error);
}
