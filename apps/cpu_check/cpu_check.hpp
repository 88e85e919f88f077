#pragma once
// The binary knows its CPU (issue 25): every executable this project builds checks, at start-up and
// before any code compiled for the build's instruction set can run, that the CPU it runs on has the
// instruction-set extensions the build enabled (-march=native, DERMTL_LIBRARY_ARCH, CMAKE_CXX_FLAGS),
// and otherwise exits with a message naming the missing extensions and the DERMTL_NATIVE=OFF build:
//
//   dermtl: this program was built for instruction-set extensions this CPU lacks: avx512f, avx512bw
//   (the build used -march=native) ... cmake -DDERMTL_NATIVE=OFF ... (docs/cluster.md)
//
// How (cmake/dermtlCpuCheck.cmake): the extensions are data, written at configure time from the
// compiler's predefined macros for the flags in use (`g++ -march=native -dM -E` -> __AVX2__,
// __FMA__, ...); cpu_check.cpp is compiled for the x86-64 baseline, whatever the build's flags,
// and puts its check into the executable's .preinit_array, which runs before every constructor of
// the executable (those of translation units compiled with -march=native included). The static
// library dermtl_cpu_check is linked into every executable through dermtl_project_flags, with
// `-Wl,--undefined` so the linker keeps the object although nothing calls it.
//
// Extensions are named by their compiler macro (__AVX512F__); a macro the check does not know is
// listed by build_isa() but not checked (cpu_has() answers -1).
#include <cstddef>
#include <string>
#include <vector>

namespace dermtl::cpu_check {

// The build's instruction set, as generated at configure time.
struct build_isa_info {
    const char* const* extensions = nullptr;  // compiler macros beyond the x86-64 baseline, e.g. "__AVX2__"
    std::size_t count = 0;
    const char* flags = "";  // how the build chose them, e.g. "-march=native (project code, compiled components)"
    bool native = false;     // some code was compiled with -march=native (the build machine's ISA)
};
build_isa_info build_isa();

// Whether this CPU (and its operating system, for the AVX and AVX-512 register state) has the
// extension of compiler macro `macro`: 1 yes, 0 no, -1 not known to this check.
int cpu_has(const char* macro);

// The extension's name as GCC's -m options and /proc/cpuinfo spell it (avx512f, sse4.1), or the
// macro itself when the check does not know it.
const char* extension_name(const char* macro);

// The check itself, as the start-up runs it on build_isa(): the number of `extensions` this CPU
// lacks, and, when that is not 0, the refusal message (naming them and how to build for this CPU)
// written into `message` (NUL-terminated, cut to `capacity`). `program` names the program in the
// message; `lacks` (may be null) is a comma-separated list of extensions (names or macros) to
// treat as absent: the test hook DERMTL_TEST_CPU_LACKS, which can only make the check refuse.
// Uses no C++ library code and no allocation (it runs before the C++ runtime is set up).
std::size_t check(const char* const* extensions, std::size_t count, const char* flags, const char* program,
                  const char* lacks, char* message, std::size_t capacity);

// The exit status of a program the check stops.
inline constexpr int refusal_exit_code = 1;

// For programs (`dermtl --version`, `slurm submit`): "avx2 fma ..." (names, in build order), and
// the extensions this CPU lacks (empty on a CPU the check lets run).
std::string build_isa_names();
std::vector<std::string> missing_here();

}  // namespace dermtl::cpu_check
