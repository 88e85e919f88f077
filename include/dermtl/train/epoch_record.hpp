#pragma once
// The trainer's record inside a checkpoint: what a resumed run needs besides the weights.
//
// Represents: trainer_record -- the seed and batch size that fixed the data order, the SGD
// options, the best epoch and its validation loss, and every completed epoch's report -- and its
// text form, the JSON object stored as io::checkpoint::extra:
//   {"batch_size": 48, "best_epoch": 3, "best_val_loss": 0.61, "history": [{"epoch": 1, ...}, ...],
//    "l2": 0.005, "learning_rate": 0.001, "momentum": 0.1, "seed": 7}
// Non-finite numbers (a loss with no validation set, no best epoch yet) are stored as null and
// read back as NaN. An epoch report's ETA is not stored (it is recomputed by the resumed run).
// A checkpoint written mid-epoch (train/stop_request.hpp) also carries the unfinished epoch's
// running sums, so that its mean training loss comes out bitwise as in an uninterrupted run:
//   "partial_epoch": {"images": 24, "loss_sum_bits": 4612..., "seconds": 1.9}
// The loss sum is stored as the bit pattern of the double, not as a decimal, so that the value
// read back is the value written without relying on the JSON library's number formatting.
// Errors: read_trainer_record throws io_error naming `where` when the text is not such a record.
// Not templates: defined in impl/epoch_record.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise), which includes <nlohmann/json.hpp>; this header
// needs only json_fwd.hpp.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"
#include "dermtl/train/progress.hpp"
#include "dermtl/train/sgd.hpp"

namespace dermtl::train {

struct trainer_record {
    std::uint64_t seed = 0;
    std::size_t batch_size = 0;
    sgd_options sgd{};
    std::size_t best_epoch = 0;      // 1-based; 0: none yet
    double best_val_loss = NAN;      // NaN: none yet
    std::vector<epoch_report> history;
    std::string fingerprint;         // what the caller says determines this training run ("" : none)
    // The unfinished epoch of a mid-epoch checkpoint; all zero at an epoch boundary.
    struct partial_epoch {
        std::size_t images = 0;      // training images seen in it so far
        double loss_sum = 0;         // sum over them of the batch loss times the batch size
        double seconds = 0;          // training time spent in it so far (for images per second)
    } partial{};
};

DERMTL_DECL nlohmann::json epoch_report_to_json(const epoch_report& r);

// Throws nlohmann::json::exception when a field is missing or of the wrong type.
DERMTL_DECL epoch_report epoch_report_from_json(const nlohmann::json& j);

DERMTL_DECL std::string write_trainer_record(const trainer_record& r);

// `where` names the operation and the file, e.g. "train_network: resuming from 'run.ckpt'".
DERMTL_DECL trainer_record read_trainer_record(const std::string& text, const std::string& where);

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/epoch_record.ipp"
#endif
