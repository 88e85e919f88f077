// Table 1 of the paper: VGG-M on the Atlas, every valid transfer x fine-tuning column (the paper's
// six, plus double transfer without fine-tuning) x the three designs, 5x2-fold cross-validation.
//
//   table1 --atlas release_v0/meta/meta.csv --retinopathy trainLabels.csv --retinopathy-images train/
//          --imagenet-weights imagenet-vgg-m.mat --out results/table1
//   table1 --synthetic --out table1-synthetic
#include "paper_table.hpp"

int main(int argc, char** argv) {
    using namespace dermtl;
    return examples::run_table_program(argc, argv, "Table 1: knowledge transfer schemes x designs, VGG-M",
                                       [](const examples::table_program& p) {
                                           return programs::run_table1(p.cells("vgg_m"),
                                                                          p.paths, p.settings, std::cerr);
                                       });
}
