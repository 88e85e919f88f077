// libFuzzer target: the CSV reader (io/csv.hpp) and every label reader built on it (data/).
//
// The input is one file's bytes, given to each reader in turn: the in-memory parse_csv, the
// reference label CSV, ISIC 2016 and 2017 ground truth, Kaggle retinopathy labels and derm7pt's
// meta.csv. For derm7pt's split, the input is cut at form feeds ('\f') into meta.csv and the
// three index files (train, valid, test; a missing part is an index file with a header only).
// The label readers are given an image folder holding a few (empty) files with the fixtures'
// names, so that ids are matched against files too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dermtl/data/atlas.hpp"
#include "dermtl/data/isic2016.hpp"
#include "dermtl/data/isic2017.hpp"
#include "dermtl/data/reference_folds.hpp"
#include "dermtl/data/retinopathy.hpp"
#include "dermtl/io/csv.hpp"
#include "fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;
using dermtl::fuzz::expect_only_dermtl_errors;

const fs::path& image_folder() {
    static const fs::path root = [] {
        const fs::path r = dermtl::fuzz::scratch() / "images";
        for (const char* name : {"ISIC_0000000.jpg", "ISIC_0000001.png", "ISIC_0000002.tif", "10_left.jpeg",
                                 "10_right.jpeg", "NEL/Nel026.jpg", "Aal/aal002.JPG"}) {
            fs::create_directories((r / name).parent_path());
            dermtl::fuzz::write_input(fs::path("images") / name, std::string_view{});
        }
        return r;
    }();
    return root;
}

std::vector<std::string_view> parts_at_form_feeds(std::string_view text) {
    std::vector<std::string_view> parts;
    for (std::size_t from = 0;;) {
        const std::size_t at = text.find('\f', from);
        parts.push_back(text.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos) return parts;
        from = at + 1;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    constexpr const char* target = "fuzz_csv";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const fs::path csv = fuzz::write_input("labels.csv", data, size);
    const fs::path& images = image_folder();

    expect_only_dermtl_errors(target, "io::parse_csv", [&] { io::parse_csv(text, "input.csv"); });
    expect_only_dermtl_errors(target, "data::read_label_csv", [&] { data::read_label_csv(csv); });
    expect_only_dermtl_errors(target, "data::read_label_csv (images, 2 classes)", [&] {
        data::label_csv_options opt;
        opt.num_classes = 2;
        opt.image_dir = images;
        data::read_label_csv(csv, opt);
    });
    expect_only_dermtl_errors(target, "data::load_isic2016", [&] { data::load_isic2016(csv, images); });
    expect_only_dermtl_errors(target, "data::load_isic2017", [&] { data::load_isic2017(csv); });
    expect_only_dermtl_errors(target, "data::load_retinopathy", [&] { data::load_retinopathy(csv, images); });

    // derm7pt: <scratch>/derm7pt/meta/{meta,train_indexes,valid_indexes,test_indexes}.csv
    const auto parts = parts_at_form_feeds(text);
    const fs::path meta_dir = fuzz::scratch() / "derm7pt" / "meta";
    fs::create_directories(meta_dir);
    const char* names[] = {"meta.csv", "train_indexes.csv", "valid_indexes.csv", "test_indexes.csv"};
    for (std::size_t i = 0; i < 4; ++i)
        fuzz::write_input(fs::path("derm7pt") / "meta" / names[i], i < parts.size() ? parts[i] : "indexes\n");
    const fs::path meta = meta_dir / "meta.csv";
    expect_only_dermtl_errors(target, "data::load_atlas", [&] {
        data::atlas_options opt;
        opt.resolve_images = false;
        const data::dataset d = data::load_atlas(meta, opt);
        data::load_derm7pt_split(meta, d);
    });
    expect_only_dermtl_errors(target, "data::load_atlas (all lesions, images)", [&] {
        data::atlas_options opt;
        opt.exclude_acral = false;
        data::load_atlas(meta, opt, images);
    });
    return 0;
}
