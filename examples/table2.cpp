// Table 2 of the paper: ISIC 2016's official split, VGG-16 transferred from ImageNet with
// fine-tuning; AUC, mAP, ACC, SE and SP with the ISIC scorer's rules, beside the published 1st-3rd
// places and the paper's row.
//
//   table2 --isic2016 ISIC2016/ --imagenet-weights imagenet-vgg-verydeep-16.mat --out results/table2
//   table2 --synthetic --out table2-synthetic
#include "paper_table.hpp"

int main(int argc, char** argv) {
    using namespace dermtl;
    return examples::run_table_program(argc, argv, "Table 2: ISIC 2016, VGG-16, ImageNet + fine-tuning",
                                       [](const examples::table_program& p) {
                                           return programs::run_table2(p.cells("vgg_16"),
                                                                          p.paths, p.settings, std::cerr);
                                       });
}
