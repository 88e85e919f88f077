#pragma once
// Is there an NVIDIA driver, and is it new enough for this build's CUDA runtime? Decided from the
// driver's presence, never from a CUDA error code: on a machine with no driver at all the runtime
// also answers "CUDA driver version is insufficient", the same code as a driver that is too old.
//
//   no libcuda.so.1 and no /proc/driver/nvidia/version   -> no_driver: a CPU machine; GPU tests skip
//   a driver whose CUDA version is below the runtime's   -> driver_too_old: a failure naming both
//   a driver new enough                                  -> driver_ok: ask the runtime for devices
//
// Used by tests/backend/cuda_device_probe (the skip rule of every GPU test) and by the backend's
// "no CUDA device" error. Plain C++ (dlopen, no CUDA header), so every build tests it; the "too
// old" path is tested against a stub libcuda (tests/backend/stub_libcuda.c).
#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dermtl::backend::cuda_detail {

// What the machine says about its driver, read without the CUDA runtime.
struct driver_facts {
    std::string libcuda;             // the library asked for ("libcuda.so.1" or a path)
    bool libcuda_loaded = false;     // dlopen succeeded
    std::string load_error;          // dlerror() when it did not
    int driver_cuda_version = 0;     // cuDriverGetVersion: 1000 * major + 10 * minor (e.g. 13000); 0 unknown
    bool proc_version_present = false;  // /proc/driver/nvidia/version (or the path asked for) exists
    std::string kernel_module;       // the driver release from that file ("580.65.06"), when found
};

// "13.0" from 13000.
inline std::string cuda_version_text(int v) {
    return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

// The release after "Kernel Module" in /proc/driver/nvidia/version's text ("580.65.06"), or "".
inline std::string kernel_module_release(const std::string& proc_text) {
    // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar ..." or
    // "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build ...":
    // the first dotted number after the word "Module".
    std::istringstream in(proc_text);
    std::string word;
    bool after_module = false;
    while (in >> word) {
        if (word == "Module") after_module = true;
        else if (after_module && word[0] >= '0' && word[0] <= '9' && word.find('.') != std::string::npos) return word;
    }
    return "";
}

// Reads the facts: loads `libcuda` (a soname searched on LD_LIBRARY_PATH and the cache, or a path)
// and calls its cuDriverGetVersion; reads `proc_version`. The library stays loaded (the runtime
// would load it again anyway).
inline driver_facts read_driver_facts(const std::string& libcuda = "libcuda.so.1",
                                      const std::string& proc_version = "/proc/driver/nvidia/version") {
    driver_facts f;
    f.libcuda = libcuda;
    if (void* h = ::dlopen(libcuda.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        f.libcuda_loaded = true;
        using get_version_fn = int (*)(int*);
        if (auto fn = reinterpret_cast<get_version_fn>(::dlsym(h, "cuDriverGetVersion"))) {
            int v = 0;
            if (fn(&v) == 0) f.driver_cuda_version = v;
        }
    } else {
        const char* e = ::dlerror();
        f.load_error = e ? e : "dlopen failed";
    }
    std::ifstream proc(proc_version);
    if (proc) {
        f.proc_version_present = true;
        std::ostringstream text;
        text << proc.rdbuf();
        f.kernel_module = kernel_module_release(text.str());
    }
    return f;
}

enum class driver_verdict { no_driver, driver_too_old, driver_ok };

struct driver_judgement {
    driver_verdict verdict;
    std::string message;  // one line: what was found and what is needed
};

// The driver release CUDA 13 needs on Linux (R580); older toolkits' minimum are not needed here.
inline int minimum_driver_release(int runtime_version) { return runtime_version >= 13000 ? 580 : 0; }

// Judges the facts against the CUDA runtime this program was built with (CUDART_VERSION). A
// driver serves runtimes up to its own CUDA version (minor-version compatibility within a major
// release), so the driver is too old when its major version is below the runtime's.
inline driver_judgement judge_driver(const driver_facts& f, int runtime_version) {
    const std::string needed = "this build's CUDA runtime is " + cuda_version_text(runtime_version) +
                               (minimum_driver_release(runtime_version)
                                    ? " (needs an NVIDIA driver of release " +
                                          std::to_string(minimum_driver_release(runtime_version)) + " or newer)"
                                    : std::string(""));
    if (!f.libcuda_loaded && !f.proc_version_present)
        return {driver_verdict::no_driver, "no NVIDIA driver on this machine (" + f.libcuda + " not found: " +
                                               f.load_error + "; no /proc/driver/nvidia/version); " + needed};
    const std::string driver = "NVIDIA driver " + (f.kernel_module.empty() ? std::string("(release unknown)")
                                                                           : f.kernel_module);
    if (!f.libcuda_loaded)
        return {driver_verdict::driver_too_old, driver + " is loaded in the kernel, but its user-space library " +
                                                    f.libcuda + " cannot be loaded (" + f.load_error + "); " + needed +
                                                    ": install the driver's user-space part"};
    if (f.driver_cuda_version == 0)
        return {driver_verdict::driver_too_old, driver + " (" + f.libcuda +
                                                    "): cuDriverGetVersion did not answer; " + needed};
    if (f.driver_cuda_version / 1000 < runtime_version / 1000)
        return {driver_verdict::driver_too_old, driver + " supports CUDA " + cuda_version_text(f.driver_cuda_version) +
                                                    " (cuDriverGetVersion " + std::to_string(f.driver_cuda_version) +
                                                    "), but " + needed + ": update the driver"};
    return {driver_verdict::driver_ok, driver + " supports CUDA " + cuda_version_text(f.driver_cuda_version) + "; " +
                                           needed};
}

// Compute capabilities the build has code for: CMAKE_CUDA_ARCHITECTURES-style entries ("90",
// "90-real", "90-virtual", "80;90"). An entry without "-real" carries PTX, which newer GPUs
// compile at load time; "-real" runs on exactly that capability.
inline bool build_runs_on(const std::string& archs, int major, int minor) {
    const int cc = major * 10 + minor;
    std::string entry;
    std::istringstream in(archs);
    while (std::getline(in, entry, ';')) {
        if (entry.empty()) continue;
        const bool real_only = entry.find("-real") != std::string::npos;
        const bool virtual_only = entry.find("-virtual") != std::string::npos;
        const int a = std::atoi(entry.c_str());
        if (a == cc && !virtual_only) return true;
        if (!real_only && a <= cc) return true;  // PTX is compiled for newer GPUs at load time
    }
    return false;
}

}  // namespace dermtl::backend::cuda_detail
