// Table 4 of the paper: VGG-M transferred from ImageNet with fine-tuning, the binary designs'
// AUC within each of the Atlas' difficulty strata (low, medium, high) and overall.
//
//   table4 --atlas release_v0/meta/meta.csv --imagenet-weights imagenet-vgg-m.mat --out results/table4
//   table4 --synthetic --out table4-synthetic
// The command line, the cells and the run are compiled once in dermtl_cells (programs/table_program.hpp).
#include "programs/table_program.hpp"

int main(int argc, char** argv) {
    using namespace dermtl::programs;
    return run_paper_table(paper_table::table4, argc, argv);
}
