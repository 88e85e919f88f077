// The two training protocols (protocol/training.hpp) end to end on synthetic lesions with a scaled
// VGG-M: the reference protocol's cells (2x2 pool2, libsvm's SVC, fixed means, its augmentation
// and balance) record their protocol everywhere, store the reference's own measures (checked
// against scikit-learn), load MatConvNet weights of the original architecture, and never share a
// stored result with the paper's cells; the paper protocol's fingerprint is what it was.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "support/oracle.hpp"
#include "support/scaled_cells.hpp"  // the scaled VGG-M cells, compiled once

#include "dermtl/backend/cpu/ops.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/io/matconvnet.hpp"
#include "dermtl/protocol/experiment.hpp"
#include "dermtl/protocol/grid.hpp"
#include "dermtl/protocol/training.hpp"

using namespace dermtl;
using namespace dermtl::protocol;

namespace {

using small = models::vgg_m_family<64, 8>;
using small_reference = models::vgg_m_family<64, 8, models::vgg_m_pool2::reference>;

template <class T, class F, class L>
using reference_cell = experiment<small_reference, backend::cpu, T, F, L, classifier::libsvm_svc, training::reference>;

struct fixture {
    testing::scratch_dir dir{"training-protocol"};
    data::dataset lesions;
    data::fold_set folds;
    io::image_cache cache{io::image_cache_options{.preprocess = {.width = 64, .height = 64}}};
    experiment_inputs in;

    fixture() {
        lesions = data::generate_lesions(dir / "lesions", {.size = 64, .count = 80, .melanoma_fraction = 0.3,
                                                           .bcc_fraction = 0.25, .seed = 5});
        folds = data::make_5x2_folds(lesions, 7, 1);
        in.target = &lesions;
        in.folds = &folds;
        in.cache = &cache;
        in.work_dir = dir / "work";
        in.seed = 11;
        in.verbose = false;
        in.max_folds = 2;
        in.target_training.epochs = 1;
        in.target_training.batch_size = 16;
        in.target_training.print_progress = false;
        in.source_training = in.target_training;
    }

    // A 1000-class network of the original VGG-M (3x3 pool2), in MatConvNet's layout.
    void write_imagenet_weights() {
        nn::network<small::net<1000>, backend::cpu> imagenet(3);
        io::matconvnet_export_options opt;
        opt.average_image = xt::xtensor<float, 3>({1, 1, 3});
        opt.average_image(0, 0, 0) = 123.68f;
        opt.average_image(0, 0, 1) = 116.779f;
        opt.average_image(0, 0, 2) = 103.939f;
        in.imagenet_weights = dir / "imagenet-vgg-m.mat";
        io::save_matconvnet(in.imagenet_weights, imagenet, opt);
    }
};

// scikit-learn's macro one-vs-rest AUC of each fold's stored scores.
std::vector<double> sklearn_ovr_auc(const experiment_result& r, const std::filesystem::path& dir) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& f : r.folds) {
        std::vector<std::vector<double>> s;
        for (Eigen::Index i = 0; i < f.predictions.scores.rows(); ++i) {
            s.emplace_back();
            for (Eigen::Index k = 0; k < f.predictions.scores.cols(); ++k) s.back().push_back(f.predictions.scores(i, k));
        }
        cases.push_back({{"labels", f.predictions.labels}, {"scores", s}});
    }
    const auto in = dir / "ovr_cases.json", out = dir / "ovr_answers.json";
    std::ofstream(in) << cases.dump();
    testing::run_oracle("sklearn_ovr_auc.py", {in.string(), out.string()});
    std::ifstream answers(out);
    return nlohmann::json::parse(answers).get<std::vector<double>>();
}

}  // namespace

TEST_CASE("the reference's VGG-M variant differs only in pool2, which keeps its output size", "[protocol][training]") {
    using paper_net = small::net<2>;
    using reference_net = small_reference::net<2>;
    STATIC_REQUIRE(std::is_same_v<paper_net::shape_at<paper_net::find("pool2")>,
                                  reference_net::shape_at<reference_net::find("pool2")>>);
    using full_paper = models::vgg_m_family<>::net<2>;
    using full_reference = models::vgg_m_family<224, 1, models::vgg_m_pool2::reference>::net<2>;
    STATIC_REQUIRE(std::is_same_v<full_paper::shape_at<full_paper::find("pool2")>,
                                  full_reference::shape_at<full_reference::find("pool2")>>);
    STATIC_REQUIRE(!std::is_same_v<paper_net, reference_net>);
    STATIC_REQUIRE(std::is_same_v<models::pretrained_family_t<small_reference>, small>);
    STATIC_REQUIRE(std::is_same_v<models::pretrained_family_t<small>, small>);
    CHECK(small_reference::name() == "vgg_m_64_8_pool2x2");
    CHECK(models::vgg_m_family<224, 1, models::vgg_m_pool2::reference>::name() == "vgg_m_pool2x2");
    CHECK(models::vgg_m_family<>::name() == "vgg_m");
}

TEST_CASE("a reference cell: identity, provenance, fixed mean, the reference's measures vs scikit-learn",
          "[protocol][training]") {
    fixture f;
    f.write_imagenet_weights();
    using cell = reference_cell<transfer::from_imagenet, finetune::frozen, labeling::melanoma_carcinoma_benign>;
    const cell_id id = cell::id();
    CHECK(id.training.name == "reference");
    CHECK(id.classifier.name == "libsvm_svc");
    CHECK(id.model.name == "vgg_m_64_8_pool2x2");
    CHECK(id.str() == "vgg_m_64_8_pool2x2/cpu/imagenet/frozen/melanoma_carcinoma_benign/classifier=libsvm_svc/training=reference");

    const auto r = cell::run(f.in);  // the original architecture's weights load into the variant
    REQUIRE(r.folds.size() == 2);
    for (const auto& fold : r.folds) {
        INFO(fold.fold);
        CHECK(fold.config.at("protocol") == "reference");
        CHECK(fold.config.at("cell").at("training").at("name") == "reference");
        const auto& fp = fold.config.at("fingerprint");
        CHECK(fp.at("protocol") == "reference");
        CHECK(fp.at("mean") == "fixed: VGG's channel mean");
        CHECK(fp.at("svm").at("classifier") == "libsvm_svc");
        REQUIRE(fold.auc_one_vs_rest.has_value());
        REQUIRE(fold.decision_accuracy.has_value());
        CHECK(*fold.decision_accuracy >= 0.0);
        CHECK(*fold.decision_accuracy <= 1.0);
        CHECK(fold.predictions.scores.cols() == 3);
    }
    const auto sklearn = sklearn_ovr_auc(r, f.dir.path());
    REQUIRE(sklearn.size() == 2);
    for (std::size_t k = 0; k < 2; ++k) CHECK(*r.folds[k].auc_one_vs_rest == Approx(sklearn[k]).margin(1e-12));

    // Stored and read back with the reference's measures.
    const auto again = cell::run(f.in);
    for (std::size_t k = 0; k < 2; ++k) {
        CHECK(again.folds[k].auc_one_vs_rest == r.folds[k].auc_one_vs_rest);
        CHECK(again.folds[k].decision_accuracy == r.folds[k].decision_accuracy);
        CHECK(again.folds[k].predictions.scores == r.folds[k].predictions.scores);
    }
}

TEST_CASE("fixed means: VGG's, the retina mean, the whole target's; the R/G quirk swaps", "[protocol][training]") {
    fixture f;
    const reference_quirks none{}, swapped{.swap_rg_mean = true};
    const auto px = [](const io::mean_image& m) { return m.mat().at<cv::Vec3f>(0, 0); };
    CHECK(px(fixed_mean<transfer::from_imagenet>(f.lesions, f.cache, none))[0] == Approx(123.68f));
    CHECK(px(fixed_mean<transfer::from_imagenet>(f.lesions, f.cache, swapped))[0] == Approx(116.7663f));
    CHECK(px(fixed_mean<transfer::double_transfer>(f.lesions, f.cache, none))[1] == Approx(116.779f));
    CHECK(px(fixed_mean<transfer::from_retinopathy>(f.lesions, f.cache, none))[2] == Approx(103.9318f));
    // No transfer: the channel mean of every image of the target, computed here independently.
    cv::Vec3d sum(0, 0, 0);
    double n = 0;
    for (const auto& s : f.lesions.samples) {
        const cv::Mat img = f.cache.get(s.image, s.where());
        const cv::Scalar m = cv::mean(img);
        sum += cv::Vec3d(m[0], m[1], m[2]) * double(img.total());
        n += double(img.total());
    }
    const auto whole = px(fixed_mean<transfer::none>(f.lesions, f.cache, none));
    for (int c = 0; c < 3; ++c) CHECK(whole[c] == Approx(sum[c] / n).epsilon(1e-4));
}

TEST_CASE("a fine-tuned reference cell trains; paper and reference cells never share a result", "[protocol][training]") {
    fixture f;
    f.in.max_folds = 1;
    using ref = reference_cell<transfer::none, finetune::full, labeling::malignant_vs_benign>;
    using paper = experiment<small, backend::cpu, transfer::none, finetune::full, labeling::malignant_vs_benign>;
    const auto r = ref::run(f.in);
    const auto p = paper::run(f.in);
    REQUIRE(r.folds.size() == 1);
    REQUIRE(p.folds.size() == 1);
    CHECK(r.folds[0].best_epoch >= 1);
    CHECK(r.folds[0].confidences.size() == r.folds[0].ids.size());
    CHECK_FALSE(r.folds[0].auc_one_vs_rest.has_value());  // two classes: the binary AUC is both
    REQUIRE(r.folds[0].decision_accuracy.has_value());
    CHECK_FALSE(p.folds[0].decision_accuracy.has_value());
    CHECK(folder_name(ref::id()) != folder_name(paper::id()));
    const auto& rf = r.folds[0].config.at("fingerprint");
    const auto& pf = p.folds[0].config.at("fingerprint");
    CHECK(rf.at("mean") == "fixed: the whole target dataset's channel mean");
    CHECK(rf.at("augmentation") != pf.at("augmentation"));
    CHECK(rf.at("balance") != pf.at("balance"));
    // The paper's fingerprint is what it was before protocols: no protocol field, the old defaults.
    CHECK_FALSE(pf.contains("protocol"));
    CHECK(pf.at("augmentation") == augmentation_json(train::augmentation_options{}));
    CHECK(pf.at("balance") == balance_json(train::balance_options{}));
    CHECK(p.folds[0].config.at("protocol") == "paper");
}

TEST_CASE("the transposition quirk: the network sees every image transposed", "[protocol][training][io]") {
    testing::scratch_dir dir{"transpose"};
    cv::Mat img(40, 40, CV_8UC3);
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 40; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 6), uchar(y * 6), uchar((x + 2 * y) % 256));
    const auto file = dir / "a.png";
    cv::imwrite(file.string(), img);
    io::preprocess_options plain{.width = 40, .height = 40, .crop_frame = false};
    io::preprocess_options transposed = plain;
    transposed.transpose = true;
    const cv::Mat a = io::load_preprocessed(file, plain), b = io::load_preprocessed(file, transposed);
    REQUIRE(a.size() == b.size());
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 40; ++x) REQUIRE(a.at<cv::Vec3b>(y, x) == b.at<cv::Vec3b>(x, y));
    CHECK(cv::norm(a, b, cv::NORM_L1) > 0);
    CHECK_FALSE(preprocess_json(plain).contains("transpose"));
    CHECK(preprocess_json(transposed).at("transpose") == true);
}

// Issue 28: the numerics (backend/precision.hpp) are part of a cell's identity and fingerprint, so
// a bf16 or TF32 result is never reused as a float32 one; float32 ids, folders and fingerprints
// are what they were before numerics existed (no field added, the same strings).
TEST_CASE("numerics in the cell id and the fingerprint: recorded when not float32, float32 unchanged",
          "[protocol][fingerprint][precision]") {
    using cell = experiment<small, backend::cpu, transfer::none, finetune::full, labeling::malignant_vs_benign>;
    // The id: float32 keeps the five-part string and the eight JSON fields of the stored format.
    cell_id f32 = cell::id();
    CHECK(f32.str() == "vgg_m_64_8/cpu/none/finetune/malignant_vs_benign");
    nlohmann::json j32 = f32;
    CHECK(j32.size() == 8);
    CHECK_FALSE(j32.contains("precision"));
    CHECK_FALSE(j32.contains("deterministic"));
    cell_id bf16 = f32;
    bf16.set_numerics({backend::precision_kind::bf16, false});
    CHECK(bf16.str() == f32.str() + "/precision=bf16");
    CHECK(bf16 != f32);
    CHECK(folder_name(bf16) != folder_name(f32));
    cell_id tf32_det = f32;
    tf32_det.set_numerics({backend::precision_kind::tf32, true});
    CHECK(tf32_det.str() == f32.str() + "/precision=tf32/deterministic");
    // JSON round trips, and an old id (no numerics fields) reads as float32.
    const nlohmann::json jb = bf16, jt = tf32_det;
    CHECK(jb.at("precision").at("name") == "bf16");
    CHECK(jb.get<cell_id>() == bf16);
    CHECK(jt.get<cell_id>() == tf32_det);
    CHECK(j32.get<cell_id>().numerics().is_default());
    nlohmann::json bad = jb;
    bad["precision"]["name"] = "fp8";
    CHECK_THROWS_WITH(bad.get<cell_id>(), Catch::Contains("precision") && Catch::Contains("fp8"));

    // The fingerprint: float32's "cell" field is the types' id string and no other field is added;
    // bf16 changes the "cell" field, and only it.
    fixture f;
    const labelled_task task = label_for<labeling::malignant_vs_benign>(f.lesions, f.folds, f.in.rules);
    content_hashes hashes;
    const fingerprint a = cell::fingerprint_of(f.in, task, hashes);
    experiment_inputs in_bf16 = f.in;
    in_bf16.numerics.precision = backend::precision_kind::bf16;
    const fingerprint b = cell::fingerprint_of(in_bf16, task, hashes);
    REQUIRE(a.fields().size() == b.fields().size());
    CHECK(a.to_json().at("cell") == cell::id().str());
    CHECK(b.to_json().at("cell") == cell::id().str() + "/precision=bf16");
    CHECK(a.hex() != b.hex());
    for (std::size_t i = 0; i < a.fields().size(); ++i) {
        INFO("field " << a.fields()[i].first);
        CHECK(a.fields()[i].first == b.fields()[i].first);
        if (a.fields()[i].first != "cell") CHECK(a.fields()[i].second == b.fields()[i].second);
    }
    const auto diff = a.first_difference(b.to_json());
    REQUIRE(diff.has_value());
    CHECK(diff->field == "cell");
    // What a run stores beside its results names the numerics too.
    CHECK(cell::config(in_bf16).at("cell").at("precision").at("name") == "bf16");
    CHECK_FALSE(cell::config(f.in).at("cell").contains("precision"));
}
