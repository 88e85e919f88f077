// Table 4 of the paper: VGG-M transferred from ImageNet with fine-tuning, the binary designs'
// AUC within each of the Atlas' difficulty strata (low, medium, high) and overall.
//
//   table4 --atlas release_v0/meta/meta.csv --imagenet-weights imagenet-vgg-m.mat --out results/table4
//   table4 --synthetic --out table4-synthetic
#include "paper_table.hpp"

int main(int argc, char** argv) {
    using namespace dermtl;
    return examples::run_table_program(argc, argv, "Table 4: results by diagnostic difficulty, VGG-M",
                                       [](const examples::table_program& p) {
                                           return programs::run_table4(p.cells("vgg_m"),
                                                                          p.paths, p.settings, std::cerr);
                                       });
}
