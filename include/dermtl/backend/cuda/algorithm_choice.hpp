#pragma once
// How a convolution direction (forward, backward data, backward filter) picks its cuDNN
// algorithm, as plain C++ over candidates, so that the rules and the fallback walk are tested on
// any machine (tests/backend/test_cuda_host.cpp) and conv.hpp only adapts cuDNN's structs to them.
//
// Choosing (choose_candidates), over cuDNN's ranked heuristic list (fastest first):
//   - a candidate whose status is not success is skipped;
//   - CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION is never taken: it converts float32 data to half;
//   - float32 mode runs every candidate with FMA math (as PyTorch does without TF32) and skips
//     tensor-op-only ones; TF32 and bf16 modes run each candidate in its own math type (bf16 data
//     is what tensor-op math is for: cuDNN's BFLOAT16 configuration, float32 accumulation);
//   - deterministic mode takes only algorithms that are deterministic by name -- the explicit list
//     of cuDNN's non-deterministic ones (backward data ALGO_0, backward filter ALGO_0 and ALGO_3) --
//     and by the heuristic's flag, not the flag alone;
//   - the workspace query must succeed, and the workspace must fit cuda_options::workspace_limit.
// Running (run_with_fallback): the first run of a direction tries the ranked survivors in order;
// one whose workspace cannot be allocated (out of memory) or whose call fails moves the choice to
// the next (PyTorch's fallback). After one success the choice is settled, and a later failure is
// an error like any other.
#include <cstddef>
#include <string>
#include <vector>

#include "dermtl/backend/precision.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::backend::cuda_detail {

// cuDNN's cudnnMathType_t, as the choice sees it.
enum class math_kind { default_math, tensor_op, tensor_op_allow_conversion, fma };

inline const char* math_name(math_kind m) {
    switch (m) {
        case math_kind::default_math: return "CUDNN_DEFAULT_MATH";
        case math_kind::tensor_op: return "CUDNN_TENSOR_OP_MATH";
        case math_kind::tensor_op_allow_conversion: return "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION";
        case math_kind::fma: return "CUDNN_FMA_MATH";
    }
    return "?";
}

// One of cuDNN's ranked candidates, reduced to what the choice depends on.
struct algo_candidate {
    int algo = 0;                        // the cudnnConvolution*Algo_t value
    std::string name;                    // "CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM", for messages and logs
    bool supported = true;               // perf.status == CUDNN_STATUS_SUCCESS
    bool flagged_deterministic = true;   // perf.determinism == CUDNN_DETERMINISTIC
    bool known_nondeterministic = false; // on cuDNN's documented list of non-deterministic algorithms
    math_kind math = math_kind::default_math;  // perf.mathType
    // Filled in by choose_candidates:
    math_kind run_math = math_kind::fma;  // the math type it runs in
    std::size_t workspace = 0;            // bytes, from the workspace query in run_math
};

struct choice_rules {
    bool deterministic = false;
    // float32: FMA math only; tf32 (process-wide cuda_options::tf32) and bf16 (the layer's data is
    // bf16): tensor-op math allowed.
    precision_kind precision = precision_kind::float32;
    std::size_t workspace_limit = 0;  // bytes; 0: no limit

    bool tensor_ops() const { return precision != precision_kind::float32; }
};

// Why `c` cannot be used under `r` before its workspace is known; "" when it can.
inline std::string filter_reason(const algo_candidate& c, const choice_rules& r) {
    if (!c.supported) return "not supported for this shape (heuristic status)";
    if (c.math == math_kind::tensor_op_allow_conversion)
        return "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION converts float32 to half precision";
    if (!r.tensor_ops() && c.math == math_kind::tensor_op) return "tensor-op (TF32) math only, and the precision is float32";
    if (r.deterministic && c.known_nondeterministic) return "non-deterministic (cuDNN's documented list)";
    if (r.deterministic && !c.flagged_deterministic) return "non-deterministic (heuristic flag)";
    return "";
}

// The math type a usable candidate runs in.
inline math_kind run_math_for(const algo_candidate& c, const choice_rules& r) {
    return r.tensor_ops() ? c.math : math_kind::fma;
}

// A direction's choice: the usable candidates in cuDNN's order, which one is current, whether it
// has run successfully, and why each other candidate was passed over (for the error and the log).
struct algorithm_choice {
    std::vector<algo_candidate> ranked;
    std::size_t current = 0;
    bool settled = false;
    std::vector<std::string> passed_over;  // "NAME: reason"
    std::size_t candidates_seen = 0;

    const algo_candidate& chosen() const { return ranked.at(current); }
};

inline std::string describe_rules(const choice_rules& r) {
    return std::string("deterministic ") + (r.deterministic ? "on" : "off") + ", precision " +
           std::string(precision_name(r.precision)) + ", workspace limit " +
           (r.workspace_limit ? std::to_string(r.workspace_limit) + " bytes" : std::string("none"));
}

inline std::string join_reasons(const std::vector<std::string>& reasons) {
    std::string s;
    for (const auto& r : reasons) s += (s.empty() ? "" : "; ") + r;
    return s;
}

// Filters `all` (cuDNN's ranked list) by `r`; `query(candidate, run_math, bytes&)` sets the math
// type, asks for the workspace size and returns whether that worked. Throws backend_error naming
// `what`, the rules and every candidate's reason when none is left -- and, when the workspace
// limit excluded some, the smallest workspace that would do.
template <class Query>
algorithm_choice choose_candidates(const std::vector<algo_candidate>& all, const choice_rules& r,
                                   const std::string& what, Query&& query) {
    algorithm_choice out;
    out.candidates_seen = all.size();
    std::size_t smallest_over_limit = 0;
    for (algo_candidate c : all) {
        if (std::string why = filter_reason(c, r); !why.empty()) {
            out.passed_over.push_back(c.name + ": " + why);
            continue;
        }
        c.run_math = run_math_for(c, r);
        std::size_t bytes = 0;
        if (!query(c, c.run_math, bytes)) {
            out.passed_over.push_back(c.name + ": the workspace query failed in " + math_name(c.run_math));
            continue;
        }
        if (r.workspace_limit && bytes > r.workspace_limit) {
            out.passed_over.push_back(c.name + ": workspace " + std::to_string(bytes) + " bytes over the limit");
            if (!smallest_over_limit || bytes < smallest_over_limit) smallest_over_limit = bytes;
            continue;
        }
        c.workspace = bytes;
        out.ranked.push_back(c);
    }
    if (out.ranked.empty()) {
        std::string msg = "backend::cuda: no cuDNN algorithm for " + what + " satisfies the options (" +
                          describe_rules(r) + "); " + std::to_string(all.size()) + " candidates: " +
                          (all.empty() ? std::string("none offered") : join_reasons(out.passed_over));
        if (smallest_over_limit)
            msg += "; the smallest workspace that would do is " + std::to_string(smallest_over_limit) +
                   " bytes: raise cuda_options::workspace_limit to at least that";
        throw backend_error(msg);
    }
    return out;
}

// What running one candidate came to.
enum class run_outcome { ok, out_of_memory, failed };

// Runs the current candidate through `run(candidate, reason&)`; before the choice is settled, a
// candidate that runs out of memory for its workspace or fails moves the choice on to the next
// (its reason recorded), until one runs. Settled choices are not walked again: their failure
// throws at once. Returns the candidate that ran.
template <class Run>
const algo_candidate& run_with_fallback(algorithm_choice& c, const std::string& what, Run&& run) {
    while (c.current < c.ranked.size()) {
        const algo_candidate& cand = c.ranked[c.current];
        std::string reason;
        const run_outcome o = run(cand, reason);
        if (o == run_outcome::ok) {
            c.settled = true;
            return cand;
        }
        const std::string line = cand.name + ": " +
                                 (o == run_outcome::out_of_memory ? "out of device memory for its workspace of " +
                                                                        std::to_string(cand.workspace) + " bytes"
                                                                  : "failed when run") +
                                 (reason.empty() ? "" : " (" + reason + ")");
        if (c.settled)
            throw backend_error("backend::cuda: " + what + ": the chosen algorithm " + line);
        c.passed_over.push_back(line);
        ++c.current;
    }
    const std::string reasons = join_reasons(c.passed_over);
    throw backend_error("backend::cuda: no cuDNN algorithm for " + what + " ran: " + reasons +
                        (reasons.find("out of device memory") != std::string::npos
                             ? "; use a smaller batch or a lower cuda_options::workspace_limit"
                             : ""));
}

}  // namespace dermtl::backend::cuda_detail
