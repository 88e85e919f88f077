// Table 2 of the paper: ISIC 2016's official split, VGG-16 transferred from ImageNet with
// fine-tuning; AUC, mAP, ACC, SE and SP with the ISIC scorer's rules, beside the published 1st-3rd
// places and the paper's row.
//
//   table2 --isic2016 ISIC2016/ --imagenet-weights imagenet-vgg-verydeep-16.mat --out results/table2
//   table2 --synthetic --out table2-synthetic
// The command line, the cells and the run are compiled once in dermtl_cells (programs/table_program.hpp).
#include "programs/table_program.hpp"

int main(int argc, char** argv) {
    using namespace dermtl::programs;
    return run_paper_table(paper_table::table2, argc, argv);
}
