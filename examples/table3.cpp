// Table 3 of the paper: VGG-M against VGG-16, both transferred from ImageNet with fine-tuning, on
// the three designs.
//
//   table3 --atlas release_v0/meta/meta.csv --imagenet-weights imagenet-vgg-m.mat
//          --imagenet-weights-vgg16 imagenet-vgg-verydeep-16.mat --out results/table3
//   table3 --synthetic --out table3-synthetic
#include "paper_table.hpp"

int main(int argc, char** argv) {
    using namespace dermtl;
    return examples::run_table_program(argc, argv, "Table 3: VGG-M vs VGG-16, ImageNet + fine-tuning",
                                       [](const examples::table_program& p) {
                                           return programs::run_table3({&p.cells("vgg_m"), &p.cells("vgg_16")},
                                                                          p.paths, p.settings, std::cerr);
                                       });
}
