// Issue 17, item 2: which folds of a fold set repeat or mirror which, whether they are a valid 5x2
// CV, and what the reference code's `ixj` runs make of its own fold files.
#include <catch2/catch.hpp>

#include "data_test_files.hpp"

#include "dermtl/data/partitions.hpp"
#include "dermtl/data/reference_folds.hpp"

using namespace dermtl;
using namespace dermtl::data;

TEST_CASE("partitions: the reference fold files are 5 partitions, each in both directions", "[data][reference][partitions]") {
    for (const char* protocol : {"protocol1", "protocol2", "protocol3"}) {
        CAPTURE(protocol);
        const auto d = read_label_csv(testing::fixture(std::string(protocol) + ".csv"));
        const auto folds = read_fold_yaml(testing::fixture(std::string(protocol) + ".yml"), d);
        const auto a = analyze_partitions(folds);
        CHECK(a.distinct_partitions == 5);
        REQUIRE(a.relations.size() == 5);
        for (std::size_t k = 0; k < 5; ++k) {  // Fold_2 mirrors Fold_1, ..., Fold_10 mirrors Fold_9
            CHECK(a.relations[k].first == 2 * k);
            CHECK(a.relations[k].later == 2 * k + 1);
            CHECK(a.relations[k].mirrored);
        }
        CHECK(a.same_samples);
        CHECK(a.valid_5x2);
        // run_all.sh's 10 runs use Fold_1..Fold_5 both ways: partitions {1,2}, {3,4} and 5.
        CHECK(a.reference.runs == 10);
        CHECK(a.reference.distinct_partitions == 3);
        CHECK(a.reference.distinct_splits == 6);
        const auto text = a.describe();
        CHECK_THAT(text, Catch::Contains("Fold_2 mirrors Fold_1") && Catch::Contains("a valid 5x2 CV") &&
                             Catch::Contains("10 runs of 6 distinct (train, test) splits from 3 partition(s)") &&
                             Catch::Contains("(2x1 = 1x2, 2x2 = 1x1, 4x1 = 3x2, 4x2 = 3x1)") &&
                             Catch::Contains("data::fold_mapping::reference_runs") &&
                             Catch::Contains("5 independent replications; the 5x2cv tests apply"));
    }
}

TEST_CASE("partitions: dermtl's own 5x2 folds are valid; a repeated or foreign fold is named", "[data][partitions]") {
    dataset d;
    d.name = "toy";
    d.class_names = {"benign", "malignant"};
    for (int i = 0; i < 80; ++i) {
        sample s;
        s.id = "s" + std::to_string(i);
        s.dx = i % 3 == 0 ? diagnosis::melanoma : diagnosis::clark_nevus;
        s.label = i % 3 == 0 ? 1 : 0;
        d.samples.push_back(s);
    }
    const auto folds = make_5x2_folds(d, 11, 5);
    const auto a = analyze_partitions(folds);
    CHECK(a.valid_5x2);
    CHECK(a.distinct_partitions == 5);
    CHECK(a.reference.distinct_splits == 10 - 4);  // folds 1..5 are partitions 1, 1, 2, 2, 3 here too

    auto repeated = folds;
    repeated[9] = repeated[0];  // Fold_10 is Fold_1 again
    repeated[9].name = "Fold_10";
    const auto r = analyze_partitions(repeated);
    CHECK_FALSE(r.valid_5x2);
    CHECK_THAT(r.describe(), Catch::Contains("Fold_10 repeats Fold_1 (the same train and test)") &&
                                 Catch::Contains("not a valid 5x2 CV"));

    auto fewer = folds;
    fewer[3].train.pop_back();  // one sample dropped from one fold: not the same samples
    const auto f = analyze_partitions(fewer);
    CHECK_FALSE(f.same_samples);
    CHECK_FALSE(f.valid_5x2);
    CHECK_THAT(f.describe(), Catch::Contains("do not all cover the same samples"));
}

TEST_CASE("partitions: overlaps, other samples and mixed replications are described precisely", "[data][partitions]") {
    dataset d;
    d.name = "toy";
    d.class_names = {"benign", "malignant"};
    for (int i = 0; i < 40; ++i) {
        sample s;
        s.id = "s" + std::to_string(i);
        s.label = i % 2;
        d.samples.push_back(s);
    }
    const auto folds = make_5x2_folds(d, 3, 5);
    REQUIRE(analyze_partitions(folds, &d).design.valid());
    CHECK_THAT(analyze_partitions(folds, &d).describe(), Catch::Contains("5 independent replications; the 5x2cv tests apply"));

    // Train and test of one fold share ids (a fold set not read through check_fold).
    auto overlapping = folds;
    const auto shared_a = overlapping[2].test[0], shared_b = overlapping[2].test[1];
    overlapping[2].train.push_back(shared_a);
    overlapping[2].train.push_back(shared_b);
    const auto o = analyze_partitions(overlapping, &d);
    REQUIRE_FALSE(o.fold_problems.empty());
    const std::string first = d[std::min(shared_a, shared_b)].id, second = d[std::max(shared_a, shared_b)].id;
    CHECK_THAT(o.describe(), Catch::Contains("Fold_3: train and test share 2 id(s) (e.g. " + first + ", " + second + ")"));
    // ... and Fold_3's train is no longer Fold_4's test.
    CHECK_THAT(o.describe(), Catch::Contains("Fold_3's train is not Fold_4's test: 2 id(s)"));

    // One fold without one sample: other samples than Fold_1, with the count and the id.
    auto fewer = folds;
    const auto dropped = fewer[5].test.back();
    fewer[5].test.pop_back();
    const auto f = analyze_partitions(fewer, &d);
    CHECK_FALSE(f.same_samples);
    CHECK_THAT(f.describe(), Catch::Contains("Fold_6 covers other samples than Fold_1 (39 and 40 in train + test): "
                                             "0 id(s) only in Fold_6, 1 id(s) (e.g. " + d[dropped].id + ") only in Fold_1"));
    CHECK_THAT(f.describe(), Catch::Contains("replication 3 (Fold_5, Fold_6) covers 39 of the 40 ids the folds test on: "
                                             "1 id(s) (e.g. " + d[dropped].id + ") missing"));
    // Without the dataset the examples are indices.
    CHECK_THAT(analyze_partitions(fewer).describe(), Catch::Contains("(e.g. #" + std::to_string(dropped) + ")"));

    // Mixed replications: the same 10 folds, but Fold_2 and Fold_3 swapped in the order, so
    // replications 1 and 2 each pair halves of two different partitions. Still 5 partitions each
    // used both ways (valid_5x2 ignores order), but not in 5x2cv order.
    auto mixed = folds;
    std::swap(mixed[1], mixed[2]);
    const auto m = analyze_partitions(mixed, &d);
    CHECK(m.valid_5x2);
    CHECK_FALSE(m.design.valid());
    const auto text = m.describe();
    CHECK_THAT(text, Catch::Contains("not 5 independent replications, the 5x2cv tests refuse them") &&
                         Catch::Contains("replication 1 (Fold_1, Fold_3): the two test halves share") &&
                         Catch::Contains("replication 2 (Fold_2, Fold_4): the two test halves share") &&
                         Catch::Contains("Fold_1's train is not Fold_3's test"));
    CHECK_THAT(text, !Catch::Contains("replication 3 ("));  // the others are fine
}
