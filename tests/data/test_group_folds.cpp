// Folds that keep a lesion's images together, the user's own folds, and the minimum-count check.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data_test_files.hpp"
#include "dermtl/core/rng.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/data/lesion_task.hpp"
#include "dermtl/data/manifest.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "ham10000_files.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using Catch::Contains;
using dermtl::testing::scratch_dir;
using dermtl::testing::write_text;

namespace before_groups {
// make_5x2_folds and stratified_validation_split as they were before groups existed, copied
// unchanged from include/dermtl/data/folds.hpp at commit 5e40138: the oracle for "a dataset
// without groups gets exactly today's folds".
inline fold_set make_5x2_folds(const dataset& d, std::uint64_t seed, int repetitions = 5) {
    std::map<std::pair<int, int>, std::vector<std::size_t>> strata;
    for (std::size_t i = 0; i < d.size(); ++i) strata[stratum_of(d[i])].push_back(i);
    rng r(seed);
    fold_set folds;
    for (int rep = 0; rep < repetitions; ++rep) {
        std::vector<std::size_t> half[2];
        for (auto& [key, members] : strata) {
            auto m = members;
            r.shuffle(m.begin(), m.end());
            int first = half[0].size() < half[1].size() ? 0 : half[1].size() < half[0].size() ? 1 : static_cast<int>(r.below(2));
            for (std::size_t k = 0; k < m.size(); ++k) half[(first + k) % 2].push_back(m[k]);
        }
        for (auto& h : half) std::sort(h.begin(), h.end());
        folds.push_back({"Fold_" + std::to_string(2 * rep + 1), half[0], half[1]});
        folds.push_back({"Fold_" + std::to_string(2 * rep + 2), half[1], half[0]});
    }
    return folds;
}

inline split stratified_validation_split(const dataset& d, std::span<const std::size_t> indices, double fraction,
                                         std::uint64_t seed) {
    std::map<int, std::vector<std::size_t>> by_label;
    for (auto i : indices) by_label[d[i].label].push_back(i);
    rng r(seed);
    split s;
    for (auto& [label, members] : by_label) {
        r.shuffle(members.begin(), members.end());
        std::size_t n_val = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(members.size())));
        if (n_val == 0 && members.size() >= 2) n_val = 1;
        s.validation.insert(s.validation.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_val));
        s.train.insert(s.train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_val), members.end());
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.validation.begin(), s.validation.end());
    return s;
}
}  // namespace before_groups

namespace {
// A random lesion mix without groups: diagnoses and sizes drawn from the seed.
dataset random_lesions(std::uint64_t seed, std::size_t n) {
    rng r(seed);
    dataset d;
    d.name = "random";
    d.class_names = class_names_of(lesion_task::bcc_melanoma_benign);
    const diagnosis kinds[] = {diagnosis::clark_nevus, diagnosis::melanoma, diagnosis::basal_cell_carcinoma,
                               diagnosis::melanoma_in_situ, diagnosis::seborrheic_keratosis, diagnosis::blue_nevus};
    for (std::size_t i = 0; i < n; ++i) {
        sample s;
        s.id = "c" + std::to_string(i);
        s.dx = i < 6 ? kinds[i] : kinds[r.below(6)];
        s.label = *label_of(s.dx, lesion_task::bcc_melanoma_benign);
        d.samples.push_back(s);
    }
    return d;
}

void require_same_folds(const fold_set& a, const fold_set& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        INFO(a[k].name);
        CHECK(a[k].name == b[k].name);
        CHECK(a[k].train == b[k].train);
        CHECK(a[k].test == b[k].test);
    }
}

std::set<std::string> groups_of(const dataset& d, const std::vector<std::size_t>& idx) {
    std::set<std::string> g;
    for (auto i : idx) g.insert(d[i].group);
    return g;
}

dataset ham_like(const std::filesystem::path& root) {
    testing::write_ham10000(root);
    return load_manifest(root / "HAM10000_metadata.csv", root, ham10000_manifest());
}
}  // namespace

TEST_CASE("folds: a dataset without groups gets exactly the folds it got before groups", "[data][folds][groups]") {
    std::vector<dataset> sets;
    for (std::uint64_t s = 1; s <= 4; ++s) sets.push_back(random_lesions(s, 20 + 37 * s));
    sets.push_back(read_label_csv(testing::fixture("protocol1.csv")));
    sets.push_back(read_label_csv(testing::fixture("protocol3.csv")));
    for (const auto& d : sets) {
        INFO(d.name << " with " << d.size() << " samples");
        for (std::uint64_t seed : {0ull, 7ull, 2017ull}) {
            const auto folds = make_5x2_folds(d, seed);
            require_same_folds(folds, before_groups::make_5x2_folds(d, seed));
            for (std::size_t k = 0; k < folds.size(); k += 3) {
                const auto now = stratified_validation_split(d, folds[k], 0.1, seed + k);
                const auto before = before_groups::stratified_validation_split(d, folds[k].train, 0.1, seed + k);
                CHECK(now.train == before.train);
                CHECK(now.validation == before.validation);
            }
        }
        // A group per sample is the same as no groups.
        auto singletons = d;
        for (auto& s : singletons.samples) s.group = "lesion-" + s.id;
        require_same_folds(make_5x2_folds(singletons, 3), make_5x2_folds(d, 3));
    }
}

TEST_CASE("folds: grouped 5x2 folds never split a lesion and keep the strata balanced", "[data][folds][groups]") {
    scratch_dir dir("ham-folds");
    const auto loaded = ham_like(dir.path());
    for (auto task : {lesion_task::malignant_vs_benign, lesion_task::melanoma_vs_benign, lesion_task::bcc_melanoma_benign}) {
        const auto d = relabel(loaded, task);
        INFO("task " << static_cast<int>(task));
        std::map<std::pair<int, int>, std::size_t> largest;  // stratum -> largest group
        std::map<std::string, std::size_t> group_size;
        for (const auto& s : d.samples) ++group_size[s.group];
        for (const auto& s : d.samples) largest[stratum_of(s)] = std::max(largest[stratum_of(s)], group_size[s.group]);
        for (std::uint64_t seed : {1ull, 2ull, 2017ull}) {
            const auto folds = make_5x2_folds(d, seed);
            REQUIRE(folds.size() == 10);
            for (const auto& f : folds) {
                INFO(f.name << " seed " << seed);
                CHECK(f.train.size() + f.test.size() == d.size());
                const auto a = groups_of(d, f.train), b = groups_of(d, f.test);
                std::vector<std::string> shared;
                std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(shared));
                CHECK(shared.empty());
                std::map<std::pair<int, int>, long> diff;
                for (auto i : f.train) ++diff[stratum_of(d[i])];
                for (auto i : f.test) --diff[stratum_of(d[i])];
                for (const auto& [key, n] : diff) CHECK(std::abs(n) <= static_cast<long>(largest[key]));
                const auto v = stratified_validation_split(d, f, 0.1, seed);
                const auto tv = groups_of(d, v.train), vv = groups_of(d, v.validation);
                shared.clear();
                std::set_intersection(tv.begin(), tv.end(), vv.begin(), vv.end(), std::back_inserter(shared));
                CHECK(shared.empty());
                CHECK(v.train.size() + v.validation.size() == f.train.size());
                // Every class with two lesions or more in the training half reaches validation.
                std::map<int, std::set<std::string>> lesions;
                std::set<int> val_labels;
                for (auto i : f.train) lesions[d[i].label].insert(d[i].group);
                for (auto i : v.validation) val_labels.insert(d[i].label);
                for (const auto& [label, l] : lesions)
                    if (l.size() >= 2) CHECK(val_labels.count(label));
            }
        }
    }
    // Without its groups the same data gets folds that split lesions: the check above is not vacuous.
    auto ungrouped = relabel(loaded, lesion_task::malignant_vs_benign);
    for (auto& s : ungrouped.samples) s.group.clear();
    const auto ignoring = make_5x2_folds(ungrouped, 1);
    bool would_split = false;
    for (const auto& f : ignoring) {
        std::set<std::string> train_lesions;
        for (auto i : f.train) train_lesions.insert(loaded[i].group);
        for (auto i : f.test) would_split = would_split || train_lesions.count(loaded[i].group);
    }
    CHECK(would_split);
}

TEST_CASE("folds: check_fold rejects a lesion on both sides", "[data][folds][groups][bad_input]") {
    dataset d;
    d.name = "ham";
    d.class_names = {"benign", "malignant"};
    for (int i = 0; i < 4; ++i) {
        sample s;
        s.id = "ISIC_" + std::to_string(i);
        s.label = i % 2;
        s.group = i < 2 ? "HAM_1" : "";
        s.manifest = "HAM10000_metadata.csv";
        s.manifest_line = static_cast<std::size_t>(i + 2);
        d.samples.push_back(s);
    }
    CHECK_THROWS_AS(check_fold(fold{"Fold_3", {0, 2}, {1, 3}}, d, "folds.yml"), io_error);
    CHECK_THROWS_WITH(check_fold(fold{"Fold_3", {0, 2}, {1, 3}}, d, "folds.yml"),
                      Contains("folds.yml: Fold_3") && Contains("group 'HAM_1'") && Contains("'ISIC_0'") &&
                          Contains("HAM10000_metadata.csv:3") && Contains("overlap"));
    CHECK_NOTHROW(check_fold(fold{"Fold_3", {0, 1}, {2, 3}}, d, "folds.yml"));
}

TEST_CASE("folds: the user's fold column", "[data][folds][fold_column]") {
    scratch_dir dir("foldcol");
    std::string rows = "image,diagnosis,fold,lesion\n";
    const char* values[] = {"1", "2", "10"};
    for (int i = 0; i < 18; ++i)
        rows += "img" + std::to_string(i) + "," + (i % 3 == 0 ? "mel" : i % 3 == 1 ? "nv" : "bcc") + "," + values[i / 6] +
                ",L" + std::to_string(i / 2) + "\n";
    write_text(dir / "m.csv", rows);
    manifest_options o;
    o.fold_column = "fold";
    o.group_column = "lesion";
    const auto loaded = load_manifest(dir / "m.csv", {}, o);
    CHECK(fold_values(loaded) == std::vector<std::string>{"1", "2", "10"});  // numeric order
    const auto d = relabel(loaded, lesion_task::bcc_melanoma_benign);
    const auto folds = folds_from_column(d);
    REQUIRE(folds.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(folds[k].name == "Fold_" + std::to_string(k + 1));
        CHECK(folds[k].test.size() == 6);
        CHECK(folds[k].train.size() == 12);
        for (auto i : folds[k].test) CHECK(d[i].fold_value == values[k]);
        for (auto i : folds[k].train) CHECK(d[i].fold_value != values[k]);
    }
    CHECK(fold_values(dataset{}).empty());

    // A labeling that empties a fold: caught when the loaded set's values are passed.
    auto bcc_only = loaded;
    for (auto& s : bcc_only.samples)
        if (s.fold_value == "2") s.dx = diagnosis::basal_cell_carcinoma;
    const auto mel = relabel(bcc_only, lesion_task::melanoma_vs_benign);
    CHECK(folds_from_column(mel).size() == 2);  // silently two folds without the values
    CHECK_THROWS_WITH(folds_from_column(mel, fold_values(bcc_only)),
                      Contains("fold value '2' has no samples") && Contains("after labeling"));

    // A class only in one fold cannot be trained on when that fold is tested.
    auto lonely = loaded;
    for (auto& s : lonely.samples)
        if (s.dx == diagnosis::basal_cell_carcinoma && s.fold_value != "10") s.dx = diagnosis::nevus;
    CHECK_THROWS_WITH(folds_from_column(relabel(lonely, lesion_task::bcc_melanoma_benign)),
                      Contains("Fold_3 (fold value '10') trains on no 'basal cell carcinoma' case"));

    // One value only; a blank value; a value not among those given; a lesion in two folds.
    auto one = d;
    for (auto& s : one.samples) s.fold_value = "a";
    CHECK_THROWS_WITH(folds_from_column(one), Contains("1 fold value ('a')") && Contains("at least two"));
    auto blank = d;
    blank.samples[4].fold_value.clear();
    CHECK_THROWS_WITH(folds_from_column(blank), Contains("m.csv:6") && Contains("'img4' has no fold value"));
    CHECK_THROWS_WITH(folds_from_column(d, {"1", "2"}), Contains("m.csv:14") && Contains("fold value '10'"));
    auto spread = d;
    spread.samples[6].group = "L0";  // img6 (fold 2) joins img0's lesion (fold 1)
    CHECK_THROWS_WITH(folds_from_column(spread), Contains("folds_from_column") && Contains("group 'L0'"));
}

TEST_CASE("folds: too few cases of a class for 5x2 cross-validation", "[data][folds][cases]") {
    STATIC_REQUIRE(cases_per_class_for_5x2 == 4);
    scratch_dir dir("few");
    const auto loaded = ham_like(dir.path());
    const auto three = relabel(loaded, lesion_task::bcc_melanoma_benign);
    CHECK_NOTHROW(require_cases_per_class(three, cases_per_class_for_5x2, "5x2 cross-validation"));
    // HAM-like melanomas: 6 lesions. Keep 3 of them (each lesion with all its images).
    std::set<std::string> kept_melanoma;
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < three.size(); ++i) {
        if (three[i].dx == diagnosis::melanoma) {
            if (kept_melanoma.size() == 3 && !kept_melanoma.count(three[i].group)) continue;
            kept_melanoma.insert(three[i].group);
        }
        keep.push_back(i);
    }
    const auto few = three.subset(keep);
    std::size_t melanoma_images = 0;
    for (const auto& s : few.samples) melanoma_images += s.label == 1;
    REQUIRE(melanoma_images > 3);  // more images than lesions: the count is by lesion
    CHECK_THROWS_AS(require_cases_per_class(few, cases_per_class_for_5x2, "5x2 cross-validation on ham10000"), config_error);
    CHECK_THROWS_WITH(require_cases_per_class(few, cases_per_class_for_5x2, "5x2 cross-validation on ham10000"),
                      Contains("5x2 cross-validation on ham10000: class 'melanoma' has 3 cases (" +
                               std::to_string(melanoma_images) + " images)") &&
                          Contains("at least 4") && Contains("validation split") && !Contains("'benign'"));
    // ISIC 2016 has no carcinoma: the 3-class design is refused with the class at 0.
    dataset isic;
    isic.name = "isic2016";
    for (int i = 0; i < 10; ++i) {
        sample s;
        s.id = "ISIC_" + std::to_string(i);
        s.dx = i < 4 ? diagnosis::melanoma : diagnosis::benign_unspecified;
        isic.samples.push_back(s);
    }
    CHECK_THROWS_WITH(require_cases_per_class(relabel(isic, lesion_task::bcc_melanoma_benign), 4, "run"),
                      Contains("run: class 'basal cell carcinoma' has 0 cases in isic2016"));
    CHECK_NOTHROW(require_cases_per_class(relabel(isic, lesion_task::melanoma_vs_benign), 4, "run"));
    CHECK_THROWS_WITH(require_cases_per_class(relabel(isic, lesion_task::melanoma_vs_benign), 5, "run"),
                      Contains("class 'melanoma' has 4 cases") && Contains("at least 5"));
    CHECK_THROWS_WITH(require_cases_per_class(isic, 4, "run"), Contains("not labelled"));
}
