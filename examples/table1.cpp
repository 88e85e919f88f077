// Table 1 of the paper: VGG-M on the Atlas, every valid transfer x fine-tuning column (the paper's
// six, plus double transfer without fine-tuning) x the three designs, 5x2-fold cross-validation.
//
//   table1 --atlas release_v0/meta/meta.csv --retinopathy trainLabels.csv --retinopathy-images train/
//          --imagenet-weights imagenet-vgg-m.mat --out results/table1
//   table1 --synthetic --out table1-synthetic
// The command line, the cells and the run are compiled once in dermtl_cells (programs/table_program.hpp).
#include "programs/table_program.hpp"

int main(int argc, char** argv) {
    using namespace dermtl::programs;
    return run_paper_table(paper_table::table1, argc, argv);
}
