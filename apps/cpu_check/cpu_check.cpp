// The start-up check of the CPU against the build's instruction set (cpu_check.hpp). Compiled for the
// x86-64 baseline (cmake/dermtlCpuCheck.cmake adds -march=x86-64 -mtune=generic after every other flag).
//
// Everything the start-up path runs has internal linkage and calls no C++ library code: an inline
// function (a std::string member, say) instantiated here and in a translation unit compiled with
// -march=native is merged by the linker into one copy, which may be the AVX-512 one. Hence the
// `static` functions (not the project's `detail` namespaces) and the hand-written string helpers.
#include "cpu_check/cpu_check.hpp"

#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define DERMTL_CPU_CHECK_X86 1
#else
#define DERMTL_CPU_CHECK_X86 0
#endif

#if defined(__SSE3__) || defined(__AVX__) || defined(__BMI__) || defined(__POPCNT__)
#error "apps/cpu_check/cpu_check.cpp must be compiled for the x86-64 baseline (it checks the CPU before code for more runs); an explicit -m<extension> in CMAKE_CXX_FLAGS reaches it: use -march= instead"
#endif

// Generated at configure time (cmake/dermtlCpuCheck.cmake): DERMTL_BUILD_ISA_EXTENSIONS (string
// literals, possibly none), DERMTL_BUILD_ISA_FLAGS, DERMTL_BUILD_ISA_NATIVE.
#include "build_isa.inc"

namespace dermtl::cpu_check {

// cpuid's result registers.
enum cpu_register : unsigned char { eax, ebx, ecx, edx };

// One extension: its compiler macro, its name, and where cpuid reports it (leaf, subleaf, register,
// bit); `state`: the XCR0 bits the operating system must have enabled for its registers (AVX: SSE
// and YMM state, 0x6; AVX-512: also opmask and ZMM, 0xe6).
struct extension {
    const char* macro;
    const char* name;
    unsigned leaf, subleaf;
    cpu_register reg;
    unsigned char bit;
    unsigned state;
};

constexpr unsigned avx_state = 0x6, avx512_state = 0xe6;

// The extensions GCC and Clang define macros for on x86 (beyond the x86-64 baseline). Left out:
// FSGSBASE, whose instructions the kernel must enable (cpuid reports them on kernels that did not,
// and compilers emit them only for their intrinsics); such a macro is listed but not checked.
constexpr extension extensions[] = {
    {"__SSE3__", "sse3", 1, 0, ecx, 0, 0},
    {"__PCLMUL__", "pclmul", 1, 0, ecx, 1, 0},
    {"__SSSE3__", "ssse3", 1, 0, ecx, 9, 0},
    {"__FMA__", "fma", 1, 0, ecx, 12, avx_state},
    {"__SSE4_1__", "sse4.1", 1, 0, ecx, 19, 0},
    {"__SSE4_2__", "sse4.2", 1, 0, ecx, 20, 0},
    {"__CRC32__", "crc32", 1, 0, ecx, 20, 0},
    {"__MOVBE__", "movbe", 1, 0, ecx, 22, 0},
    {"__POPCNT__", "popcnt", 1, 0, ecx, 23, 0},
    {"__AES__", "aes", 1, 0, ecx, 25, 0},
    {"__XSAVE__", "xsave", 1, 0, ecx, 26, 0},
    {"__AVX__", "avx", 1, 0, ecx, 28, avx_state},
    {"__F16C__", "f16c", 1, 0, ecx, 29, avx_state},
    {"__RDRND__", "rdrnd", 1, 0, ecx, 30, 0},
    {"__BMI__", "bmi", 7, 0, ebx, 3, 0},
    {"__HLE__", "hle", 7, 0, ebx, 4, 0},
    {"__AVX2__", "avx2", 7, 0, ebx, 5, avx_state},
    {"__BMI2__", "bmi2", 7, 0, ebx, 8, 0},
    {"__RTM__", "rtm", 7, 0, ebx, 11, 0},
    {"__AVX512F__", "avx512f", 7, 0, ebx, 16, avx512_state},
    {"__AVX512DQ__", "avx512dq", 7, 0, ebx, 17, avx512_state},
    {"__RDSEED__", "rdseed", 7, 0, ebx, 18, 0},
    {"__ADX__", "adx", 7, 0, ebx, 19, 0},
    {"__AVX512IFMA__", "avx512ifma", 7, 0, ebx, 21, avx512_state},
    {"__CLFLUSHOPT__", "clflushopt", 7, 0, ebx, 23, 0},
    {"__CLWB__", "clwb", 7, 0, ebx, 24, 0},
    {"__AVX512PF__", "avx512pf", 7, 0, ebx, 26, avx512_state},
    {"__AVX512ER__", "avx512er", 7, 0, ebx, 27, avx512_state},
    {"__AVX512CD__", "avx512cd", 7, 0, ebx, 28, avx512_state},
    {"__SHA__", "sha", 7, 0, ebx, 29, 0},
    {"__AVX512BW__", "avx512bw", 7, 0, ebx, 30, avx512_state},
    {"__AVX512VL__", "avx512vl", 7, 0, ebx, 31, avx512_state},
    {"__PREFETCHWT1__", "prefetchwt1", 7, 0, ecx, 0, 0},
    {"__AVX512VBMI__", "avx512vbmi", 7, 0, ecx, 1, avx512_state},
    {"__PKU__", "pku", 7, 0, ecx, 3, 0},
    {"__WAITPKG__", "waitpkg", 7, 0, ecx, 5, 0},
    {"__AVX512VBMI2__", "avx512vbmi2", 7, 0, ecx, 6, avx512_state},
    {"__SHSTK__", "shstk", 7, 0, ecx, 7, 0},
    {"__GFNI__", "gfni", 7, 0, ecx, 8, 0},
    {"__VAES__", "vaes", 7, 0, ecx, 9, avx_state},
    {"__VPCLMULQDQ__", "vpclmulqdq", 7, 0, ecx, 10, avx_state},
    {"__AVX512VNNI__", "avx512vnni", 7, 0, ecx, 11, avx512_state},
    {"__AVX512BITALG__", "avx512bitalg", 7, 0, ecx, 12, avx512_state},
    {"__AVX512VPOPCNTDQ__", "avx512vpopcntdq", 7, 0, ecx, 14, avx512_state},
    {"__RDPID__", "rdpid", 7, 0, ecx, 22, 0},
    {"__KL__", "kl", 7, 0, ecx, 23, 0},
    {"__CLDEMOTE__", "cldemote", 7, 0, ecx, 25, 0},
    {"__MOVDIRI__", "movdiri", 7, 0, ecx, 27, 0},
    {"__MOVDIR64B__", "movdir64b", 7, 0, ecx, 28, 0},
    {"__ENQCMD__", "enqcmd", 7, 0, ecx, 29, 0},
    {"__AVX5124VNNIW__", "avx5124vnniw", 7, 0, edx, 2, avx512_state},
    {"__AVX5124FMAPS__", "avx5124fmaps", 7, 0, edx, 3, avx512_state},
    {"__UINTR__", "uintr", 7, 0, edx, 5, 0},
    {"__AVX512VP2INTERSECT__", "avx512vp2intersect", 7, 0, edx, 8, avx512_state},
    {"__SERIALIZE__", "serialize", 7, 0, edx, 14, 0},
    {"__TSXLDTRK__", "tsxldtrk", 7, 0, edx, 16, 0},
    {"__PCONFIG__", "pconfig", 7, 0, edx, 18, 0},
    {"__AMX_BF16__", "amx-bf16", 7, 0, edx, 22, 0},
    {"__AVX512FP16__", "avx512fp16", 7, 0, edx, 23, avx512_state},
    {"__AMX_TILE__", "amx-tile", 7, 0, edx, 24, 0},
    {"__AMX_INT8__", "amx-int8", 7, 0, edx, 25, 0},
    {"__SGX__", "sgx", 7, 0, ebx, 2, 0},
    {"__MWAIT__", "mwait", 1, 0, ecx, 3, 0},
    {"__EVEX512__", "evex512", 7, 0, ebx, 16, avx512_state},
    {"__SHA512__", "sha512", 7, 1, eax, 0, avx_state},
    {"__SM3__", "sm3", 7, 1, eax, 1, 0},
    {"__SM4__", "sm4", 7, 1, eax, 2, avx_state},
    {"__RAOINT__", "raoint", 7, 1, eax, 3, 0},
    {"__AVXVNNI__", "avxvnni", 7, 1, eax, 4, avx_state},
    {"__AVX512BF16__", "avx512bf16", 7, 1, eax, 5, avx512_state},
    {"__CMPCCXADD__", "cmpccxadd", 7, 1, eax, 7, 0},
    {"__AMX_FP16__", "amx-fp16", 7, 1, eax, 21, 0},
    {"__HRESET__", "hreset", 7, 1, eax, 22, 0},
    {"__AVXIFMA__", "avxifma", 7, 1, eax, 23, avx_state},
    {"__AVXVNNIINT8__", "avxvnniint8", 7, 1, edx, 4, avx_state},
    {"__AVXNECONVERT__", "avxneconvert", 7, 1, edx, 5, avx_state},
    {"__AMX_COMPLEX__", "amx-complex", 7, 1, edx, 8, 0},
    {"__AVXVNNIINT16__", "avxvnniint16", 7, 1, edx, 10, avx_state},
    {"__PREFETCHI__", "prefetchi", 7, 1, edx, 14, 0},
    {"__USER_MSR__", "usermsr", 7, 1, edx, 15, 0},
    {"__AVX10_1__", "avx10.1", 7, 1, edx, 19, avx512_state},
    {"__AVX10_1_256__", "avx10.1-256", 7, 1, edx, 19, avx_state},
    {"__AVX10_1_512__", "avx10.1-512", 7, 1, edx, 19, avx512_state},
    {"__XSAVEOPT__", "xsaveopt", 0xd, 1, eax, 0, 0},
    {"__XSAVEC__", "xsavec", 0xd, 1, eax, 1, 0},
    {"__XSAVES__", "xsaves", 0xd, 1, eax, 3, 0},
    {"__LAHF_SAHF__", "sahf", 0x80000001, 0, ecx, 0, 0},
    {"__ABM__", "abm", 0x80000001, 0, ecx, 5, 0},
    {"__LZCNT__", "lzcnt", 0x80000001, 0, ecx, 5, 0},
    {"__SSE4A__", "sse4a", 0x80000001, 0, ecx, 6, 0},
    {"__PRFCHW__", "prfchw", 0x80000001, 0, ecx, 8, 0},
    {"__XOP__", "xop", 0x80000001, 0, ecx, 11, avx_state},
    {"__LWP__", "lwp", 0x80000001, 0, ecx, 15, 0},
    {"__FMA4__", "fma4", 0x80000001, 0, ecx, 16, avx_state},
    {"__TBM__", "tbm", 0x80000001, 0, ecx, 21, 0},
    {"__MWAITX__", "mwaitx", 0x80000001, 0, ecx, 29, 0},
    {"__CLZERO__", "clzero", 0x80000008, 0, ebx, 0, 0},
    {"__WBNOINVD__", "wbnoinvd", 0x80000008, 0, ebx, 9, 0},
    {"__PTWRITE__", "ptwrite", 0x14, 0, ebx, 4, 0},
};

// ---- the start-up path: internal linkage, no C++ library code (see the top of this file) ----------

static bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

static std::size_t length(const char* s) {
    std::size_t n = 0;
    while (s[n]) ++n;
    return n;
}

static const extension* find_extension(const char* macro) {
    for (const auto& e : extensions)
        if (same(e.macro, macro)) return &e;
    return nullptr;
}

// Whether the comma-separated `list` holds `name` (or `macro`).
static bool listed(const char* list, const char* name, const char* macro) {
    if (!list) return false;
    for (const char* p = list; *p;) {
        const char* end = p;
        while (*end && *end != ',') ++end;
        const std::size_t n = std::size_t(end - p);
        const char* const words[] = {name, macro};
        for (const char* w : words) {
            std::size_t i = 0;
            while (i < n && w[i] == p[i]) ++i;
            if (i == n && w[i] == '\0') return true;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

static int has_extension(const extension& e) {
#if DERMTL_CPU_CHECK_X86
    unsigned r[4] = {0, 0, 0, 0};
    // The leaf must exist: __get_cpuid_count checks the maximum leaf of its range (basic, extended).
    if (!__get_cpuid_count(e.leaf, e.subleaf, &r[eax], &r[ebx], &r[ecx], &r[edx])) return 0;
    if (!((r[e.reg] >> e.bit) & 1u)) return 0;
    if (e.state) {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1u)) return 0;  // OSXSAVE: XGETBV usable
        unsigned lo = 0, hi = 0;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        if ((lo & e.state) != e.state) return 0;
    }
    return 1;
#else
    (void)e;
    return -1;
#endif
}

// Appends `s` to the message, cut at `capacity` (always NUL-terminated).
struct message_buffer {
    char* out;
    std::size_t capacity, size = 0;
    void add(const char* s) {
        if (!out || capacity == 0) return;
        while (*s && size + 1 < capacity) out[size++] = *s++;
        out[size] = '\0';
    }
};

// Writes the refusal and returns how many extensions are missing (the start-up path's core).
static std::size_t check_extensions(const char* const* list, std::size_t count, const char* flags,
                                    const char* program, const char* lacks, char* message, std::size_t capacity) {
    std::size_t missing = 0;
    message_buffer m{message, capacity};
    m.add("");
    for (std::size_t i = 0; i < count; ++i) {
        const extension* e = find_extension(list[i]);
        const char* name = e ? e->name : list[i];
        const bool absent = listed(lacks, name, list[i]) || (e && has_extension(*e) == 0);
        if (!absent) continue;
        if (missing == 0) {
            m.add(program && *program ? program : "this program");
            m.add(": this program was built for instruction-set extensions this CPU lacks: ");
        } else {
            m.add(", ");
        }
        m.add(name);
        ++missing;
    }
    if (missing == 0) return 0;
    m.add(" (the build used ");
    m.add(flags && *flags ? flags : "flags beyond the x86-64 baseline");
    m.add("), so it would stop with an illegal instruction. Build it on a machine of this CPU's kind, or for "
          "every machine that will run it: configure with -DDERMTL_NATIVE=OFF (the compiler's x86-64 baseline; "
          "-DDERMTL_LIBRARY_ARCH=<the oldest node's -march, e.g. x86-64-v2> for faster compiled components), "
          "or on the compute nodes themselves; see docs/cluster.md, \"Building for a cluster\".\n");
    return missing;
}

static const char* const build_extensions[] = {DERMTL_BUILD_ISA_EXTENSIONS nullptr};

// Runs from the executable's .preinit_array: before its constructors, after the shared libraries'
// (the C library, oneDNN, OpenCV: built for the baseline, and dispatching at run time themselves).
static void check_at_start(int argc, char** argv, char** envp) {
    const char* lacks = nullptr;
    for (char** e = envp; e && *e; ++e) {
        const char* hook = "DERMTL_TEST_CPU_LACKS=";
        const char* p = *e;
        while (*hook && *p == *hook) ++p, ++hook;
        if (!*hook) lacks = p;
    }
    const char* program = argc > 0 && argv && argv[0] ? argv[0] : "";
    for (const char* p = program; *p; ++p)
        if (*p == '/') program = p + 1;
    static char message[2048];
    const std::size_t count = sizeof(build_extensions) / sizeof(build_extensions[0]) - 1;
    if (check_extensions(build_extensions, count, DERMTL_BUILD_ISA_FLAGS, program, lacks, message, sizeof(message))) {
        const ssize_t written = ::write(2, message, length(message));
        (void)written;
        ::_exit(refusal_exit_code);
    }
}

// ---- the public interface (called later, from ordinary code) ---------------------------------------

build_isa_info build_isa() {
    return {build_extensions, sizeof(build_extensions) / sizeof(build_extensions[0]) - 1, DERMTL_BUILD_ISA_FLAGS,
            DERMTL_BUILD_ISA_NATIVE != 0};
}

int cpu_has(const char* macro) {
    const extension* e = find_extension(macro);
    return e ? has_extension(*e) : -1;
}

const char* extension_name(const char* macro) {
    const extension* e = find_extension(macro);
    return e ? e->name : macro;
}

std::size_t check(const char* const* list, std::size_t count, const char* flags, const char* program,
                  const char* lacks, char* message, std::size_t capacity) {
    return check_extensions(list, count, flags, program, lacks, message, capacity);
}

std::string build_isa_names() {
    std::string s;
    const auto isa = build_isa();
    for (std::size_t i = 0; i < isa.count; ++i) {
        if (!s.empty()) s += ' ';  // appended piecewise: GCC 12 warns (-Wrestrict) on "literal" + std::string
        s += extension_name(isa.extensions[i]);
    }
    return s;
}

std::vector<std::string> missing_here() {
    std::vector<std::string> missing;
    const auto isa = build_isa();
    for (std::size_t i = 0; i < isa.count; ++i)
        if (cpu_has(isa.extensions[i]) == 0) missing.emplace_back(extension_name(isa.extensions[i]));
    return missing;
}

}  // namespace dermtl::cpu_check

// The hook itself, and the symbol cmake/dermtlCpuCheck.cmake passes to `-Wl,--undefined` so the
// linker takes this object from the static library into every executable.
extern "C" {
__attribute__((used, section(".preinit_array"))) void (*dermtl_cpu_check_at_start)(int, char**, char**) =
    &dermtl::cpu_check::check_at_start;
}
