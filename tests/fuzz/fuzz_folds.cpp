// libFuzzer target: the reference implementation's fold YAML (data/reference_folds.hpp
// read_fold_yaml), checked against a fixed label file of twelve ISIC ids (ISIC_0000000 ..
// ISIC_0000011, labels 0 1 0 1 ...), as `dermtl run --folds` reads it.
// Property beyond "no crash": folds that read back are written with write_fold_yaml and read
// again, and must come back the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dermtl/data/reference_folds.hpp"
#include "fuzz_support.hpp"

namespace {

const dermtl::data::dataset& labels() {
    static const dermtl::data::dataset d = [] {
        std::string csv = "image,level\n";
        for (int i = 0; i < 12; ++i) {
            char id[32];
            std::snprintf(id, sizeof id, "ISIC_%07d,%d\n", i, i % 2);
            csv += id;
        }
        return dermtl::data::read_label_csv(dermtl::fuzz::write_input("labels.csv", csv));
    }();
    return d;
}

bool same(const dermtl::data::fold_set& a, const dermtl::data::fold_set& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].train != b[i].train || a[i].test != b[i].test) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    const auto& d = labels();
    const auto yml = fuzz::write_input("folds.yml", data, size);
    fuzz::expect_only_dermtl_errors("fuzz_folds", "data::read_fold_yaml", [&] {
        const data::fold_set folds = data::read_fold_yaml(yml, d);
        const auto again = fuzz::scratch() / "folds-again.yml";
        data::write_fold_yaml(again, folds, d);
        if (!same(data::read_fold_yaml(again, d), folds)) {
            std::fprintf(stderr, "\nfuzz finding: fuzz_folds: folds written by write_fold_yaml read back differently\n");
            std::abort();
        }
    });
    return 0;
}
