// The CUDA backend's host-side rules, on any machine (no CUDA header, no GPU): cuDNN's element
// limit, the driver probe's verdicts (with a stub libcuda for "too old"), the algorithm choice and
// its fallback walk over stub candidates, the bias-gradient reduction's launch plan and the
// diagnostics' environment switches. The GPU-side use of each is in test_cuda.cpp / test_cuda_network.cpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "dermtl/backend/cuda/algorithm_choice.hpp"
#include "dermtl/backend/cuda/debug_options.hpp"
#include "dermtl/backend/cuda/driver_probe.hpp"
#include "dermtl/backend/cuda/launch_plans.hpp"
#include "dermtl/backend/cuda/numerics.hpp"
#include "dermtl/backend/cuda/tensor_limits.hpp"

using namespace dermtl;
using namespace dermtl::backend::cuda_detail;
using dermtl::backend::precision_kind;
using Catch::Matchers::Contains;

namespace {

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

// The largest batch b with b * per_sample <= 2^31 - 1, by search (independent of the division
// in largest_batch_within_cudnn_limit).
std::size_t largest_batch_by_search(std::size_t per_sample) {
    std::size_t lo = 0, hi = std::size_t(1) << 32;
    while (lo + 1 < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (std::uint64_t(mid) * per_sample <= 2147483647ull) lo = mid;
        else hi = mid;
    }
    return lo;
}

}  // namespace

TEST_CASE("cuDNN's element limit names the shape and the largest batch that fits", "[cuda][host][bad_input]") {
    // VGG-16's conv1_1 output at 224x224: 64 x 224 x 224 per sample; the 669 fails, 668 fits.
    const std::size_t per_sample = 64 * 224 * 224;
    REQUIRE(largest_batch_by_search(per_sample) == 668);
    CHECK(largest_batch_within_cudnn_limit({669, 64, 224, 224}) == largest_batch_by_search(per_sample));
    CHECK_NOTHROW(check_cudnn_tensor_elements({668, 64, 224, 224}, "the output of conv1_1"));
    const std::string m = message_of([] { check_cudnn_tensor_elements({669, 64, 224, 224}, "the output of conv1_1"); });
    CHECK_THAT(m, Contains("the output of conv1_1"));
    CHECK_THAT(m, Contains("[669,64,224,224]"));
    CHECK_THAT(m, Contains(std::to_string(std::uint64_t(669) * per_sample) + " elements"));
    CHECK_THAT(m, Contains("2147483647"));
    CHECK_THAT(m, Contains("at most 668"));
    CHECK_THROWS_AS(check_cudnn_tensor_elements({669, 64, 224, 224}, "x"), backend_error);
    // The old out-of-memory test's input, 40000 x 3 x 224 x 224, never reached an allocation.
    const std::string input = message_of([] { check_cudnn_tensor_elements({40000, 3, 224, 224}, "the input"); });
    CHECK_THAT(input, Contains("at most " + std::to_string(largest_batch_by_search(3 * 224 * 224))));
    // Products that overflow size_t are still refused, and one sample over the limit says so.
    CHECK_THAT(message_of([] { check_cudnn_tensor_elements({std::size_t(1) << 40, std::size_t(1) << 40, 1, 1}, "t"); }),
               Contains("more than 2^31 - 1"));
    CHECK_THAT(message_of([] { check_cudnn_tensor_elements({1, 1, 65536, 65536}, "t"); }),
               Contains("even one sample"));
}

TEST_CASE("driver probe: no driver skips, a driver too old fails naming both versions", "[cuda][host][probe]") {
    const int runtime = 13000;  // CUDA 13.0
    SECTION("no libcuda and no /proc entry: no driver") {
        const driver_facts f = read_driver_facts("/nonexistent/libcuda.so.1", "/nonexistent/nvidia/version");
        CHECK_FALSE(f.libcuda_loaded);
        CHECK_FALSE(f.proc_version_present);
        const driver_judgement j = judge_driver(f, runtime);
        CHECK(j.verdict == driver_verdict::no_driver);
        CHECK_THAT(j.message, Contains("no NVIDIA driver"));
        CHECK_THAT(j.message, Contains("13.0"));
    }
    SECTION("the stub libcuda (CUDA 12.4) is too old for CUDA 13, whatever the error code would say") {
        ::setenv("DERMTL_STUB_DRIVER_VERSION", "12040", 1);
        const driver_facts f = read_driver_facts(DERMTL_STUB_LIBCUDA, "/nonexistent/nvidia/version");
        REQUIRE(f.libcuda_loaded);
        CHECK(f.driver_cuda_version == 12040);
        const driver_judgement j = judge_driver(f, runtime);
        CHECK(j.verdict == driver_verdict::driver_too_old);
        CHECK_THAT(j.message, Contains("supports CUDA 12.4"));
        CHECK_THAT(j.message, Contains("12040"));
        CHECK_THAT(j.message, Contains("CUDA runtime is 13.0"));
        CHECK_THAT(j.message, Contains("580"));
    }
    SECTION("a driver of the runtime's major version is new enough") {
        driver_facts f;
        f.libcuda = "libcuda.so.1";
        f.libcuda_loaded = true;
        f.driver_cuda_version = 13000;
        f.proc_version_present = true;
        f.kernel_module = "580.65.06";
        const driver_judgement j = judge_driver(f, runtime);
        CHECK(j.verdict == driver_verdict::driver_ok);
        CHECK_THAT(j.message, Contains("580.65.06"));
        f.driver_cuda_version = 12090;
        CHECK(judge_driver(f, runtime).verdict == driver_verdict::driver_too_old);
    }
    SECTION("a kernel module without its user-space library is a broken driver, not a missing one") {
        driver_facts f;
        f.libcuda = "libcuda.so.1";
        f.load_error = "libcuda.so.1: cannot open shared object file";
        f.proc_version_present = true;
        f.kernel_module = "550.54.15";
        const driver_judgement j = judge_driver(f, runtime);
        CHECK(j.verdict == driver_verdict::driver_too_old);
        CHECK_THAT(j.message, Contains("550.54.15"));
    }
    SECTION("the release is read from /proc/driver/nvidia/version's text") {
        CHECK(kernel_module_release("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC "
                                    "2024\nGCC version:  gcc version 12.2.0") == "550.54.15");
        CHECK(kernel_module_release("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build  "
                                    "(dvs-builder@U16-I3-B03-4-3)") == "580.65.06");
        CHECK(kernel_module_release("garbage") == "");
    }
}

TEST_CASE("build_runs_on: which GPUs a CUDA_ARCH list has code for", "[cuda][host][probe]") {
    CHECK(build_runs_on("90", 9, 0));
    CHECK(build_runs_on("90", 10, 0));       // PTX compiled at load time
    CHECK_FALSE(build_runs_on("90", 8, 0));  // an A100 needs CUDA_ARCH=80
    CHECK_FALSE(build_runs_on("90-real", 10, 0));
    CHECK(build_runs_on("80;90", 8, 6));
    CHECK_FALSE(build_runs_on("", 9, 0));
}

namespace {

algo_candidate candidate(int algo, const std::string& name, math_kind math = math_kind::default_math,
                         bool deterministic = true, bool known_nondeterministic = false, bool supported = true) {
    algo_candidate c;
    c.algo = algo;
    c.name = name;
    c.math = math;
    c.flagged_deterministic = deterministic;
    c.known_nondeterministic = known_nondeterministic;
    c.supported = supported;
    return c;
}

}  // namespace

TEST_CASE("algorithm choice: the rules filter cuDNN's ranked list", "[cuda][host][algorithm]") {
    const std::vector<algo_candidate> ranked = {
        candidate(0, "UNSUPPORTED", math_kind::default_math, true, false, false),
        candidate(1, "CONVERTS_TO_HALF", math_kind::tensor_op_allow_conversion),
        candidate(2, "TENSOR_OP", math_kind::tensor_op),
        candidate(3, "FLAGGED_NONDET", math_kind::default_math, false),
        candidate(4, "LISTED_NONDET", math_kind::default_math, true, true),  // the flag says deterministic
        candidate(5, "PLAIN", math_kind::default_math),
        candidate(6, "BIG", math_kind::fma),
    };
    const auto sizes = [](const algo_candidate& c, math_kind, std::size_t& bytes) {
        bytes = c.name == "BIG" ? 1000 : 10 * std::size_t(c.algo);
        return true;
    };
    SECTION("float32: FMA math, no tensor-op-only and never ALLOW_CONVERSION") {
        const algorithm_choice c = choose_candidates(ranked, {false, precision_kind::float32, 0}, "conv1 forward", sizes);
        REQUIRE(c.ranked.size() == 4);
        CHECK(c.ranked[0].name == "FLAGGED_NONDET");
        for (const auto& a : c.ranked) CHECK(a.run_math == math_kind::fma);
        CHECK_THAT(join_reasons(c.passed_over), Contains("CONVERTS_TO_HALF: CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION"));
        CHECK_THAT(join_reasons(c.passed_over), Contains("TENSOR_OP: tensor-op (TF32) math only"));
    }
    SECTION("TF32 and bf16 (bf16 data): each candidate in its own math type, still never ALLOW_CONVERSION") {
        for (const auto p : {precision_kind::tf32, precision_kind::bf16}) {
            INFO(backend::precision_name(p));
            const algorithm_choice c = choose_candidates(ranked, {false, p, 0}, "conv1 forward", sizes);
            REQUIRE(c.ranked.size() == 5);
            CHECK(c.ranked[0].name == "TENSOR_OP");
            CHECK(c.ranked[0].run_math == math_kind::tensor_op);
            for (const auto& a : c.ranked) CHECK(a.run_math != math_kind::tensor_op_allow_conversion);
            CHECK_THAT(describe_rules({false, p, 0}), Contains("precision " + std::string(backend::precision_name(p))));
        }
    }
    SECTION("deterministic: the explicit list as well as the heuristic's flag") {
        const algorithm_choice c = choose_candidates(ranked, {true, precision_kind::float32, 0}, "conv1 backward filter", sizes);
        REQUIRE(c.ranked.size() == 2);
        CHECK(c.ranked[0].name == "PLAIN");
        CHECK_THAT(join_reasons(c.passed_over), Contains("LISTED_NONDET: non-deterministic (cuDNN's documented list)"));
        CHECK_THAT(join_reasons(c.passed_over), Contains("FLAGGED_NONDET: non-deterministic (heuristic flag)"));
    }
    SECTION("the workspace limit passes over large workspaces; none left names the smallest that would do") {
        const algorithm_choice c = choose_candidates(ranked, {false, precision_kind::float32, 100}, "conv1 forward", sizes);
        for (const auto& a : c.ranked) CHECK(a.workspace <= 100);
        CHECK_THAT(join_reasons(c.passed_over), Contains("BIG: workspace 1000 bytes over the limit"));
        const std::vector<algo_candidate> only_big = {ranked[6]};
        const std::string m = message_of([&] { choose_candidates(only_big, {false, precision_kind::float32, 100}, "conv1 forward", sizes); });
        CHECK_THAT(m, Contains("no cuDNN algorithm for conv1 forward"));
        CHECK_THAT(m, Contains("workspace limit 100 bytes"));
        CHECK_THAT(m, Contains("smallest workspace that would do is 1000 bytes"));
    }
    SECTION("a failed workspace query passes the candidate over") {
        const algorithm_choice c = choose_candidates(ranked, {false, precision_kind::float32, 0}, "conv1 forward",
                                                     [](const algo_candidate& a, math_kind, std::size_t& b) {
                                                         b = 0;
                                                         return a.name != "FLAGGED_NONDET";
                                                     });
        CHECK(c.ranked[0].name == "LISTED_NONDET");
        CHECK_THAT(join_reasons(c.passed_over), Contains("FLAGGED_NONDET: the workspace query failed in CUDNN_FMA_MATH"));
    }
}

TEST_CASE("numerics: bf16 from compute capability 8.0, refused below naming the GPU and what to use", "[cuda][host][bf16]") {
    const backend::numerics bf16{precision_kind::bf16, false};
    CHECK(numerics_refusal(bf16, 8, 0, "NVIDIA A100").empty());
    CHECK(numerics_refusal(bf16, 9, 0, "NVIDIA H100").empty());
    CHECK(numerics_refusal(bf16, 12, 0, "a later GPU").empty());
    const std::string why = numerics_refusal(bf16, 7, 5, "Tesla T4");
    CHECK_THAT(why, Contains("precision bf16"));
    CHECK_THAT(why, Contains("Tesla T4"));
    CHECK_THAT(why, Contains("compute capability 7.5"));
    CHECK_THAT(why, Contains("8.0"));
    CHECK_THAT(why, Contains("float32"));
    // float32, tf32 and deterministic are had on every GPU.
    for (const auto p : {precision_kind::float32, precision_kind::tf32})
        for (const bool det : {false, true}) CHECK(numerics_refusal({p, det}, 6, 0, "Tesla P100").empty());
}

TEST_CASE("algorithm fallback: out of memory and failed runs move to the next candidate", "[cuda][host][algorithm]") {
    std::vector<algo_candidate> ranked = {candidate(0, "FASTEST"), candidate(1, "FAILS"), candidate(2, "SMALL")};
    const auto sizes = [](const algo_candidate& c, math_kind, std::size_t& bytes) {
        bytes = c.algo == 0 ? std::size_t(1) << 40 : 64;
        return true;
    };
    algorithm_choice c = choose_candidates(ranked, {}, "conv2 forward", sizes);
    std::vector<std::string> tried;
    const auto device = [&](const algo_candidate& a, std::string& reason) {
        tried.push_back(a.name);
        if (a.workspace > 1000) return run_outcome::out_of_memory;
        if (a.name == "FAILS") {
            reason = "CUDNN_STATUS_EXECUTION_FAILED";
            return run_outcome::failed;
        }
        return run_outcome::ok;
    };
    const algo_candidate& used = run_with_fallback(c, "conv2 forward", device);
    CHECK(used.name == "SMALL");
    CHECK(tried == std::vector<std::string>{"FASTEST", "FAILS", "SMALL"});
    CHECK(c.settled);
    CHECK_THAT(join_reasons(c.passed_over), Contains("FASTEST: out of device memory for its workspace of 1099511627776 bytes"));
    CHECK_THAT(join_reasons(c.passed_over), Contains("FAILS: failed when run (CUDNN_STATUS_EXECUTION_FAILED)"));
    // Settled: the next run goes straight to SMALL, and its failure is an error, not another walk.
    tried.clear();
    CHECK(run_with_fallback(c, "conv2 forward", device).name == "SMALL");
    CHECK(tried == std::vector<std::string>{"SMALL"});
    const std::string settled_failure = message_of([&] {
        run_with_fallback(c, "conv2 forward", [](const algo_candidate&, std::string& r) {
            r = "CUDNN_STATUS_INTERNAL_ERROR";
            return run_outcome::failed;
        });
    });
    CHECK_THAT(settled_failure, Contains("conv2 forward: the chosen algorithm SMALL: failed when run"));
    // Nothing runs: every reason, and the advice when memory was short.
    algorithm_choice none = choose_candidates(ranked, {}, "conv3 forward", sizes);
    const std::string m = message_of([&] {
        run_with_fallback(none, "conv3 forward", [](const algo_candidate&, std::string&) { return run_outcome::out_of_memory; });
    });
    CHECK_THAT(m, Contains("no cuDNN algorithm for conv3 forward ran"));
    CHECK_THAT(m, Contains("FASTEST: out of device memory"));
    CHECK_THAT(m, Contains("SMALL: out of device memory"));
    CHECK_THAT(m, Contains("use a smaller batch"));
}

TEST_CASE("bias-gradient reduction plan covers each element once, with many blocks per channel", "[cuda][host]") {
    for (std::size_t per_channel : {std::size_t(1), std::size_t(32), std::size_t(2047), std::size_t(2048),
                                    std::size_t(2049), std::size_t(32) * 224 * 224, std::size_t(64) * 55 * 55}) {
        INFO("elements per channel " << per_channel);
        const channel_reduction_plan p = plan_channel_reduction(per_channel);
        CHECK(p.chunks * p.chunk >= per_channel);
        CHECK((p.chunks - 1) * p.chunk < per_channel);
        CHECK(p.chunks <= channel_reduction_max_chunks);
        CHECK((p.threads & (p.threads - 1)) == 0);
        CHECK(p.threads >= 32);
        CHECK(p.threads <= 256);
    }
    CHECK(plan_channel_reduction(std::size_t(32) * 224 * 224).chunks == channel_reduction_max_chunks);
}

TEST_CASE("diagnostic switches read 1/on/yes/true", "[cuda][host]") {
    CHECK(flag_value_on("1"));
    CHECK(flag_value_on("on"));
    CHECK(flag_value_on("true"));
    CHECK_FALSE(flag_value_on(nullptr));
    CHECK_FALSE(flag_value_on("0"));
    CHECK_FALSE(flag_value_on(""));
}
