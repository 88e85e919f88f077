#pragma once
// The paper's four table programs (examples/table1.cpp .. table4.cpp) as one compiled function:
// their command line (data paths or --synthetic, the training settings, the tool's --backend,
// --precision and --deterministic), the choice of compiled cells (full-size networks on real data;
// on synthetic data the scaled ones and the demo's short schedule, each setting still given), the
// table's run and its report. Compiled once, in dermtl_cells (apps/programs/table_program.cpp), so
// each program is a one-line main that includes nothing else: each compiled in about 20 s while it
// held the command line itself (issue 24).
//
//   int main(int argc, char** argv) {
//       return dermtl::programs::run_paper_table(dermtl::programs::paper_table::table1, argc, argv);
//   }
namespace dermtl::programs {

// The paper's tables (programs/paper_programs.hpp runs each): 1 VGG-M's transfer x fine-tuning x
// designs; 2 ISIC 2016 with VGG-16; 3 VGG-M against VGG-16; 4 VGG-M by diagnostic difficulty.
enum class paper_table { table1, table2, table3, table4 };

// Parses the command line and runs the table; returns the exit code. Errors print one line that
// names the option or file and what was expected.
int run_paper_table(paper_table which, int argc, char** argv);

}  // namespace dermtl::programs
