#pragma once
// A small HAM10000 in the real layout, written by the tests: HAM10000_metadata.csv
// (lesion_id,image_id,dx,dx_type,age,sex,localization, as in the Harvard Dataverse release) and
// the images split over HAM10000_images_part_1/ and HAM10000_images_part_2/. 37 lesions with
// every dx code and one to three images each; rows are mixed so that the images of a lesion are
// not adjacent (the real file lists them in no guaranteed order either).
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "data_test_files.hpp"
#include "dermtl/data/diagnosis.hpp"

namespace dermtl::testing {

struct ham10000_image {
    std::string lesion_id, image_id, code, localization;
    data::diagnosis dx;
};

struct ham10000_files {
    std::vector<ham10000_image> images;  // in the metadata file's row order
};

inline ham10000_files write_ham10000(const std::filesystem::path& root) {
    struct kind {
        const char* code;
        data::diagnosis dx;
        int lesions;
    };
    const kind kinds[] = {{"nv", data::diagnosis::nevus, 8},           {"mel", data::diagnosis::melanoma, 6},
                          {"bkl", data::diagnosis::benign_keratosis, 5}, {"bcc", data::diagnosis::basal_cell_carcinoma, 5},
                          {"akiec", data::diagnosis::actinic_keratosis, 5}, {"vasc", data::diagnosis::vascular_lesion, 4},
                          {"df", data::diagnosis::dermatofibroma, 4}};
    const char* sites[] = {"back", "lower extremity", "face", "trunk", "acral", "unknown"};
    std::vector<ham10000_image> images;
    int lesion = 0;
    for (const auto& k : kinds)
        for (int l = 0; l < k.lesions; ++l, ++lesion)
            for (int i = 0; i <= lesion % 3; ++i) {
                ham10000_image im;
                im.lesion_id = "HAM_" + std::string(7 - std::to_string(lesion).size(), '0') + std::to_string(lesion);
                im.code = k.code;
                im.dx = k.dx;
                im.localization = sites[lesion % 6];
                images.push_back(im);
            }
    // Mix the rows (a fixed permutation), then number the images in row order.
    std::vector<std::size_t> order(images.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return a * 37 % 11 < b * 37 % 11; });
    ham10000_files out;
    std::string csv = "lesion_id,image_id,dx,dx_type,age,sex,localization\n";
    for (std::size_t r = 0; r < order.size(); ++r) {
        auto im = images[order[r]];
        im.image_id = "ISIC_00" + std::to_string(24306 + r);
        csv += im.lesion_id + "," + im.image_id + "," + im.code + "," + (r % 3 ? "histo" : "follow_up") + "," +
               std::to_string(30 + r % 50) + ".0," + (r % 2 ? "female" : "male") + "," + im.localization + "\n";
        write_image(root / (r % 2 ? "HAM10000_images_part_2" : "HAM10000_images_part_1") / (im.image_id + ".jpg"),
                    static_cast<int>(r));
        out.images.push_back(im);
    }
    write_text(root / "HAM10000_metadata.csv", csv);
    return out;
}

}  // namespace dermtl::testing
