#pragma once
// Training progress: what the trainer reports, and a printer for it.
//
// Represents: step_report (within an epoch) and epoch_report (after each epoch: losses,
// validation AUC, throughput, ETA) handed to the trainer's callbacks, and progress_printer, which
// draws a live bar within an epoch when its stream is a terminal and prints one plain line per
// epoch otherwise (logs, CI, pipes):
//   epoch  3/60  train 0.6412  val 0.6120  AUC 0.7421  212.3 img/s  12.4 s  ETA 9m41s  *
// (`*` marks the lowest validation loss so far: the weights the trainer will keep).
// By default the printer writes to the log sink (core/log.hpp): standard error unless the caller
// installed another sink with log::scoped_sink.
// Not templates: defined in impl/progress.ipp (core/config.hpp: compiled once with
// DERMTL_SEPARATE_COMPILATION, inline otherwise).
#include <chrono>
#include <cmath>
#include <cstddef>
#include <ostream>
#include <optional>
#include <string>
#include <string_view>

#include "dermtl/core/config.hpp"
#include "dermtl/core/log.hpp"

namespace dermtl::train {

struct step_report {
    std::size_t epoch = 0, epochs = 0;  // 1-based epoch
    std::size_t step = 0, steps = 0;    // 1-based step within the epoch
    std::size_t images = 0;             // training images seen this epoch
    double loss = 0;                    // mean training loss this epoch so far
    double images_per_second = 0;
};

struct epoch_report {
    std::size_t epoch = 0, epochs = 0;  // 1-based
    double train_loss = 0;              // mean over the epoch's training images
    double val_loss = NAN;              // mean over the validation set (NaN without one)
    double val_auc = NAN;               // binary AUC, or mean one-vs-one AUC for 3+ classes (NaN if undefined)
    double images_per_second = 0;       // training images / training time
    double seconds = 0;                 // whole epoch, validation included
    double eta_seconds = 0;             // remaining epochs at the mean pace so far
    std::size_t train_images = 0, val_images = 0;
    bool best = false;                  // lowest validation loss so far
};

// What a callback tells the trainer after an epoch.
enum class train_control { proceed, stop };

// "42 s", "9m41s", "2h05m".
DERMTL_DECL std::string format_duration(double seconds);

DERMTL_DECL std::string format_epoch_line(const epoch_report& r);

class progress_printer {
public:
    // live: draw a bar within epochs; by default only when `out` is std::cout/std::cerr/std::clog
    // on a terminal (so the default log sink, standard error, on a TTY).
    explicit progress_printer(std::ostream& out = log::stream(), std::optional<bool> live = std::nullopt)
        : out_(out), live_(live ? *live : is_terminal(out)) {}

    bool live() const { return live_; }

    void on_step(const step_report& r);

    void on_epoch(const epoch_report& r);

    void message(std::string_view text);

private:
    // By identity: the default log sink is std::cerr itself, so it draws a bar on a TTY; a
    // caller's sink (a file, a string stream, a GUI) gets plain lines.
    static bool is_terminal(const std::ostream& out);
    void clear_bar();

    std::ostream& out_;
    bool live_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/progress.ipp"
#endif
