// Table 3 of the paper: VGG-M against VGG-16, both transferred from ImageNet with fine-tuning, on
// the three designs.
//
//   table3 --atlas release_v0/meta/meta.csv --imagenet-weights imagenet-vgg-m.mat
//          --imagenet-weights-vgg16 imagenet-vgg-verydeep-16.mat --out results/table3
//   table3 --synthetic --out table3-synthetic
// The command line, the cells and the run are compiled once in dermtl_cells (programs/table_program.hpp).
#include "programs/table_program.hpp"

int main(int argc, char** argv) {
    using namespace dermtl::programs;
    return run_paper_table(paper_table::table3, argc, argv);
}
