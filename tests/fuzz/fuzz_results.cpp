// libFuzzer target: stored fold results (protocol/results.hpp), read the way a rerun and
// `dermtl report` read them: results_store::load of <folder>/<fold>.json (JSON parse, format
// check, fold_result_from_json). Property beyond "no crash": a result that loads is saved again
// and must load back with the same ids, labels and scores.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "dermtl/protocol/results.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dermtl;
    fuzz::write_input("results/Fold_1.json", data, size);
    const protocol::results_store store(fuzz::scratch() / "results");
    std::optional<protocol::fold_result> r;
    fuzz::expect_only_dermtl_errors("fuzz_results", "results_store::load", [&] { r = store.load("Fold_1"); });
    if (!r) return 0;
    // What was accepted once must survive its own save: any error here is a finding.
    const protocol::results_store again(fuzz::scratch() / "results-again");
    std::optional<protocol::fold_result> back;
    try {
        protocol::fold_result copy = *r;
        copy.fold = "Fold_1";  // the stored name is not trusted as a file name here
        again.save(copy);
        back = again.load("Fold_1");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\nfuzz finding: fuzz_results: a result that loads cannot be saved and loaded back: %.400s\n",
                     e.what());
        std::abort();
    }
    if (!back || back->ids != r->ids || back->predictions.labels != r->predictions.labels ||
        back->predictions.scores.rows() != r->predictions.scores.rows() ||
        back->predictions.scores.cols() != r->predictions.scores.cols()) {
        std::fprintf(stderr, "\nfuzz finding: fuzz_results: a loaded result saved again reads back differently\n");
        std::abort();
    }
    return 0;
}
