#pragma once
// Test support: scratch folders, .npy exchange (xtensor's xnpy) and running the Python oracles
// (PyTorch, scikit-learn, SciPy from Debian's packages) through /usr/bin/python3.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xnpy.hpp>

namespace dermtl::testing {

inline std::filesystem::path tests_dir() { return DERMTL_TESTS_DIR; }
inline std::filesystem::path oracle_script(const std::string& name) { return tests_dir() / "oracles" / name; }

// A fresh temporary folder, removed with everything in it at the end of the scope.
class scratch_dir {
public:
    explicit scratch_dir(const std::string& tag = "test") {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path_ = std::filesystem::temp_directory_path() /
                ("dermtl-" + tag + "-" + std::to_string(stamp) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Runs `/usr/bin/python3 tests/oracles/<script> <args...>`; throws with the script's output if it
// fails, so a broken oracle fails the test instead of passing it.
inline std::string run_oracle(const std::string& script, const std::vector<std::string>& args) {
    std::string cmd = std::string(DERMTL_PYTHON) + " '" + oracle_script(script).string() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>&1";
    std::string output;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("run_oracle: cannot start: " + cmd);
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe)) output += buf;
    const int rc = ::pclose(pipe);
    if (rc != 0) throw std::runtime_error("oracle failed (" + std::to_string(rc) + "): " + cmd + "\n" + output);
    return output;
}

// Runs `Rscript tests/oracles/<script> <args...>` (R with pROC: r-base-core r-cran-proc, installed
// by scripts/setup.sh); throws with the script's output if it fails, as run_oracle does.
inline std::string run_r_oracle(const std::string& script, const std::vector<std::string>& args) {
    std::string cmd = "Rscript --vanilla '" + oracle_script(script).string() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>&1";
    std::string output;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("run_r_oracle: cannot start: " + cmd);
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe)) output += buf;
    const int rc = ::pclose(pipe);
    if (rc != 0)
        throw std::runtime_error("R oracle failed (" + std::to_string(rc) + "): " + cmd + "\n" + output +
                                 "\n(R and pROC: apt-get install r-base-core r-cran-proc, or bash scripts/setup.sh)");
    return output;
}

template <class E>
void save_npy(const std::filesystem::path& p, const E& e) {
    xt::dump_npy(p.string(), e);
}

template <class T = float>
auto load_npy(const std::filesystem::path& p) {
    return xt::load_npy<T>(p.string());
}

}  // namespace dermtl::testing
