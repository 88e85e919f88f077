// A transfer policy defined here, in this test file only -- its tag and its one dispatcher
// specialization -- runs in a grid and appears in Table 1 with its own title, in grid order, with
// no edit to apps/programs/ or to the library: titles, order and published values come from the
// policy types (protocol/cell_id.hpp, protocol/registry.hpp).
#include <catch2/catch.hpp>

#include "support/compare.hpp"

#include "support/oracle.hpp"
#include "support/scaled_cells.hpp"  // the scaled VGG-M's network half, compiled once (dermtl_test_cells)

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/protocol/grid.hpp"
#include "dermtl/protocol/registry.hpp"
#include "dermtl/train/replace_classifier.hpp"
#include "programs/tables.hpp"

using namespace dermtl;

namespace test_policies {

// Transfer from a second random initialization (another seed): a stand-in for any new source.
struct from_reseeded {
    static constexpr std::string_view name = "reseeded";
    static constexpr std::string_view title = "From Another Seed";
    static constexpr bool transfers_weights = true;
    static constexpr bool pretrained_mean = false;
    static constexpr bool paper_frozen = false, paper_finetuned = false;  // not in the paper
};

}  // namespace test_policies

template <>
struct dermtl::protocol::transfer_source<test_policies::from_reseeded> {
    template <class Model, class Backend, class To>
    static io::mean_image apply(To& to, const experiment_inputs& in) {
        To other(in.seed + 1000);
        train::copy_layers(other, to);
        return {};
    }
    template <class Model, class Backend>
    static void describe(fingerprint& f, const experiment_inputs& in, content_hashes&) {
        f.set("source_seed", in.seed + 1000);
    }
};

TEST_CASE("a transfer policy defined in a test file appears in Table 1 with its title", "[programs][tables][policy]") {
    using namespace protocol;
    using small = models::vgg_m_family<64, 8>;
    STATIC_REQUIRE(transfer_policy<test_policies::from_reseeded>);
    STATIC_REQUIRE(valid_combination<test_policies::from_reseeded, finetune::frozen>);
    STATIC_REQUIRE_FALSE(in_paper_table1<test_policies::from_reseeded, finetune::full>);
    const auto reg = registry::of(grid<small, backend::cpu, keep_all_valid>(
        boost::hana::tuple_t<transfer::none, test_policies::from_reseeded>,
        boost::hana::tuple_t<finetune::frozen, finetune::full>, boost::hana::tuple_t<labeling::malignant_vs_benign>));
    REQUIRE(reg.entries().size() == 3);  // none/frozen is not valid
    CHECK(reg.entries()[1].id.str() == "vgg_m_64_8/cpu/reseeded/frozen/malignant_vs_benign");
    CHECK(reg.entries()[1].id.transfer.title == "From Another Seed");
    CHECK(!reg.entries()[1].facts.published_auc);

    testing::scratch_dir dir("new-transfer-policy");
    const data::dataset lesions = data::generate_lesions(
        dir / "lesions", {.size = 64, .count = 60, .melanoma_fraction = 0.3, .bcc_fraction = 0.2, .seed = 5});
    const data::fold_set folds = data::make_5x2_folds(lesions, 7, 1);
    io::image_cache cache{io::image_cache_options{.preprocess = {.width = 64, .height = 64}}};
    experiment_inputs in;
    in.target = &lesions;
    in.folds = &folds;
    in.cache = &cache;
    in.work_dir = dir / "work";
    in.seed = 11;
    in.verbose = false;
    in.max_folds = 1;
    in.target_training.epochs = 1;
    in.target_training.batch_size = 16;
    in.target_training.print_progress = false;
    in.target_training.sgd = {.learning_rate = 0.003f, .momentum = 0.9f, .l2 = 5e-4f};
    std::vector<experiment_result> results;
    for (const auto& e : reg.entries()) results.push_back(e.run(in));

    // The new policy's frozen features are another network's than the control's: different scores.
    CHECK(results[1].folds[0].predictions.scores != results[0].folds[0].predictions.scores);

    const auto t = programs::table1(results, reg, "vgg_m_64_8", {});
    REQUIRE(t.columns.size() == 3);
    CHECK(t.columns[0].group == "No Transfer");
    CHECK(t.columns[1].group == "From Another Seed");
    CHECK(t.columns[1].name == "no FT");
    CHECK(t.columns[2].group == "From Another Seed");
    CHECK(t.columns[2].name == "with FT");
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].name == "Malignant vs. Benign");
    for (std::size_t c = 0; c < 3; ++c) {
        REQUIRE(t.rows[0].cells[c].value);
        CHECK(t.rows[0].cells[c].value->mean ==
              testing::same_formula(metrics::cross_validated_auc(results[c].predictions()).mean));
    }
}
