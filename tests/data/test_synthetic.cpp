#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "data_test_files.hpp"
#include "dermtl/data/synthetic_general.hpp"
#include "dermtl/data/synthetic_lesions.hpp"
#include "dermtl/data/synthetic_retina.hpp"
#include "dermtl/data/folds.hpp"
#include "dermtl/io/image.hpp"
#include "dermtl/train/augmentation.hpp"
#include "support/oracle.hpp"

using namespace dermtl;
using namespace dermtl::data;
using dermtl::testing::scratch_dir;

namespace {
std::string bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
// Every file under `root`, relative path -> bytes.
std::map<std::string, std::string> tree_bytes(const std::filesystem::path& root) {
    std::map<std::string, std::string> m;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root))
        if (e.is_regular_file()) m[std::filesystem::relative(e.path(), root).generic_string()] = bytes_of(e.path());
    return m;
}
// Saves the images (and labels) of `idx` as <name>_images.npy / <name>_labels.npy and returns
// the oracle's argument for them.
std::string save_for_oracle(const std::string& name, const dataset& d, const std::vector<std::size_t>& idx,
                            const std::vector<int>& labels, bool binary, const scratch_dir& dir) {
    const cv::Mat first = io::read_image(d[idx[0]].image);
    xt::xtensor<float, 4> images = xt::zeros<float>({idx.size(), static_cast<std::size_t>(first.rows),
                                                     static_cast<std::size_t>(first.cols), std::size_t{3}});
    for (std::size_t n = 0; n < idx.size(); ++n) {
        const cv::Mat m = io::read_image(d[idx[n]].image);
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                for (int c = 0; c < 3; ++c)
                    images(n, static_cast<std::size_t>(y), static_cast<std::size_t>(x), static_cast<std::size_t>(c)) = m.at<cv::Vec3b>(y, x)[c];
    }
    xt::xtensor<int, 1> l = xt::adapt(labels, {labels.size()});
    dermtl::testing::save_npy(dir / (name + "_images.npy"), images);
    dermtl::testing::save_npy(dir / (name + "_labels.npy"), l);
    return name + ":" + (dir / (name + "_images.npy")).string() + ":" + (dir / (name + "_labels.npy")).string() + ":" +
           (binary ? "binary" : "multiclass");
}
}  // namespace

TEST_CASE("synthetic lesions: Atlas layout read by load_atlas, diagnosis and difficulty recorded", "[data][synthetic]") {
    scratch_dir dir("synth");
    synthetic_lesion_options o;
    o.size = 48;
    o.count = 40;
    o.frame_probability = 0.5;
    o.acral_fraction = 0.1;
    o.melanoma_fraction = 0.4;
    o.bcc_fraction = 0.15;
    const auto d = generate_lesions(dir.path(), o);
    const auto table = io::read_csv(dir / "release_v0" / "meta" / "meta.csv");
    REQUIRE(table.rows.size() == 41);
    REQUIRE(table.rows[0].size() == 20);  // derm7pt's 19 columns, then the synthetic age
    CHECK(d.size() < 40);  // acral rows dropped
    CHECK(d.size() > 25);
    std::map<difficulty, int> levels;
    int melanomas = 0, bccs = 0, framed = 0;
    for (const auto& s : d.samples) {
        ++levels[s.level];
        melanomas += is_melanoma(s.dx);
        bccs += is_basal_cell_carcinoma(s.dx);
        CHECK(s.label == (is_malignant(s.dx) ? 1 : 0));
        const cv::Mat img = io::read_image(s.image);
        CHECK(img.size() == cv::Size(48, 48));
        framed += io::find_black_frame(img).area() < 48 * 48;
    }
    CHECK(levels.size() == 3);
    CHECK(melanomas > 5);
    CHECK(bccs > 1);
    CHECK(framed > 5);  // the black frame is there, and crop_black_frame finds it
    CHECK(framed < static_cast<int>(d.size()) - 5);
}

TEST_CASE("synthetic lesions: the difficulty knob makes the classes overlap more", "[data][synthetic]") {
    auto gap = [](difficulty level) {
        synthetic_lesion_options o;
        o.only_difficulty = level;
        o.melanoma_fraction = 0.5;
        o.bcc_fraction = 0;
        rng r(99);
        double mel = 0, ben = 0;
        int n_mel = 0, n_ben = 0;
        for (int i = 0; i < 2000; ++i) {
            const auto s = draw_lesion_spec(o, r);
            CHECK(s.level == level);
            (is_melanoma(s.dx) ? mel : ben) += s.atypia;
            ++(is_melanoma(s.dx) ? n_mel : n_ben);
        }
        return mel / n_mel - ben / n_ben;
    };
    const double low = gap(difficulty::low), medium = gap(difficulty::medium), high = gap(difficulty::high);
    CHECK(low > 0.45);
    CHECK(medium < low - 0.1);
    CHECK(high < medium - 0.1);
    CHECK(high > 0.05);  // still informative
}

TEST_CASE("synthetic lesions end to end: folds, validation split, balanced augmented batches", "[data][synthetic]") {
    scratch_dir dir("synth");
    synthetic_lesion_options o;
    o.size = 40;
    o.count = 40;
    o.seed = 4;
    const auto d = generate_lesions(dir.path(), o);
    const auto folds = make_5x2_folds(d, 2017);
    REQUIRE(folds.size() == 10);
    const auto split = stratified_validation_split(d, folds[0], 0.1, 1);
    CHECK(split.validation.size() >= 2);
    io::image_cache_options co;
    co.preprocess.width = co.preprocess.height = 32;
    io::image_cache cache(co);
    const auto mean = training_mean(d, split.train, cache, io::mean_image::kind::per_pixel);
    const auto plan = train::balanced_epoch(d, split.train, 1, 0);
    const auto counts = train::class_counts(d, plan);
    REQUIRE(counts.size() == 2);
    CHECK(counts.at(0) == counts.at(1));
    host_tensor x;
    std::vector<int> y;
    train::fill_augmented_batch(d, std::span(plan).first(std::min<std::size_t>(8, plan.size())), cache, mean, {}, x, y);
    CHECK(dims_of(x) == dims4{std::min<std::size_t>(8, plan.size()), 3, 32, 32});
    CHECK(cache.stats().decodes == split.train.size());
}

TEST_CASE("synthetic generators: the same seed writes the same bytes, another seed others", "[data][synthetic]") {
    scratch_dir a("synth"), b("synth"), c("synth");
    synthetic_lesion_options lo;
    lo.size = 40;
    lo.count = 8;
    generate_lesions(a / "lesions", lo);
    generate_lesions(b / "lesions", lo);
    synthetic_retina_options ro;
    ro.size = 40;
    ro.count = 6;
    generate_retinas(a / "retina", ro);
    generate_retinas(b / "retina", ro);
    synthetic_general_options go;
    go.size = 32;
    go.per_class = 1;
    generate_general(a / "general", go);
    generate_general(b / "general", go);
    CHECK(tree_bytes(a.path()) == tree_bytes(b.path()));
    // Generating again into a folder holding the same data only loads it; other options or
    // foreign files are refused rather than mixed or deleted.
    const auto before = std::filesystem::last_write_time(a / "lesions" / "release_v0" / "meta" / "meta.csv");
    CHECK(generate_lesions(a / "lesions", lo).size() == 8);
    CHECK(std::filesystem::last_write_time(a / "lesions" / "release_v0" / "meta" / "meta.csv") == before);
    auto other = lo;
    other.count = 9;
    CHECK_THROWS_WITH(generate_lesions(a / "lesions", other), Catch::Contains("other options") && Catch::Contains("count=9"));
    dermtl::testing::write_text(a / "foreign" / "notes.txt", "mine");
    CHECK_THROWS_WITH(generate_retinas(a / "foreign", ro), Catch::Contains("not empty"));
    lo.seed = ro.seed = go.seed = 2;
    for (const char* sub : {"lesions", "retina", "general"}) {
        INFO(sub);
        if (std::string(sub) == "lesions") generate_lesions(c / sub, lo);
        if (std::string(sub) == "retina") generate_retinas(c / sub, ro);
        if (std::string(sub) == "general") generate_general(c / sub, go);
        CHECK(tree_bytes(a / sub) != tree_bytes(c / sub));
    }
}

// One oracle run (one Python start) for the three generators.
TEST_CASE("synthetic data: classes learnable but not separable by mean colour alone", "[data][synthetic][oracle]") {
    scratch_dir dir("synth");
    std::vector<std::string> args;

    // Lesions: malignant (melanoma or BCC) vs benign, all difficulties mixed.
    synthetic_lesion_options lo;
    lo.size = 64;
    lo.count = 200;
    lo.melanoma_fraction = 0.4;
    lo.bcc_fraction = 0.1;
    lo.seed = 11;
    const auto lesions = generate_lesions(dir / "lesions", lo);
    std::vector<std::size_t> all_lesions;
    for (std::size_t i = 0; i < lesions.size(); ++i) all_lesions.push_back(i);
    args.push_back(save_for_oracle("lesions", lesions, all_lesions, lesions.labels(), true, dir));

    // Retinas: grade 0 vs grade >= 2, Kaggle layout.
    synthetic_retina_options ro;
    ro.size = 64;
    ro.count = 160;
    ro.seed = 5;
    const auto retinas = generate_retinas(dir / "retina", ro);
    REQUIRE(retinas.size() == 160);
    CHECK(retinas[0].id == "10_left");
    CHECK(retinas[1].id == "10_right");
    CHECK(retinas[0].image.extension() == ".jpeg");
    for (auto n : retinas.class_counts()) CHECK(n > 5);
    std::vector<std::size_t> retina_idx;
    std::vector<int> retina_labels;
    for (std::size_t i = 0; i < retinas.size(); ++i)
        if (retinas[i].label != 1) {
            retina_idx.push_back(i);
            retina_labels.push_back(retinas[i].label >= 2 ? 1 : 0);
        }
    args.push_back(save_for_oracle("retina", retinas, retina_idx, retina_labels, true, dir));

    // General task: 24 classes (shapes x palettes x textures).
    synthetic_general_options go;
    go.size = 40;
    go.per_class = 16;
    go.seed = 3;
    const auto general = generate_general(dir / "general", go);
    REQUIRE(general.num_classes() == 24);
    REQUIRE(general.size() == 384);
    CHECK(general.class_names[3] == "03_star_solid_warm");
    CHECK(general.class_names[23] == "23_ring_stripes_cool");
    std::vector<std::size_t> all_general;
    for (std::size_t i = 0; i < general.size(); ++i) all_general.push_back(i);
    args.push_back(save_for_oracle("general", general, all_general, general.labels(), false, dir));

    const std::string out = dermtl::testing::run_oracle("data_separability.py", args);
    const auto r = nlohmann::json::parse(out.substr(out.rfind("{\"lesions\"")));
    INFO(r.dump());
    // Binary tasks: ROC AUC. Mean colour alone must stay well below 0.99; richer features must
    // do clearly better than chance.
    for (const char* task : {"lesions", "retina"}) {
        CHECK(r[task]["mean_colour"].get<double>() < 0.99);
        CHECK(r[task]["rich"].get<double>() > 0.75);
        CHECK(r[task]["rich"].get<double>() > r[task]["mean_colour"].get<double>());
    }
    // 24 classes: accuracy; chance is 1/24.
    CHECK(r["general"]["mean_colour"].get<double>() < 0.99);
    CHECK(r["general"]["rich"].get<double>() > 4.0 / 24);
    synthetic_general_options bad;
    bad.num_classes = 49;
    CHECK_THROWS_AS(generate_general(dir / "x", bad), config_error);
}
