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
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>

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
inline std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long s = std::lround(seconds);
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lds", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    return buf;
}

inline std::string format_epoch_line(const epoch_report& r) {
    char buf[256];
    const int width = int(std::to_string(r.epochs).size());
    std::snprintf(buf, sizeof buf, "epoch %*zu/%zu  train %.4f  val %.4f  AUC %.4f  %.1f img/s  %.1f s  ETA %s%s",
                  width, r.epoch, r.epochs, r.train_loss, r.val_loss, r.val_auc, r.images_per_second, r.seconds,
                  format_duration(r.eta_seconds).c_str(), r.best ? "  *" : "");
    return buf;
}

class progress_printer {
public:
    // live: draw a bar within epochs; by default only when `out` is std::cout/std::cerr/std::clog
    // on a terminal (so the default log sink, standard error, on a TTY).
    explicit progress_printer(std::ostream& out = log::stream(), std::optional<bool> live = std::nullopt)
        : out_(out), live_(live ? *live : is_terminal(out)) {}

    bool live() const { return live_; }

    void on_step(const step_report& r) {
        if (!live_) return;
        const auto now = std::chrono::steady_clock::now();
        if (r.step != r.steps && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        constexpr std::size_t width = 30;
        const std::size_t filled = r.steps ? width * r.step / r.steps : 0;
        std::string bar(filled, '#');
        bar.append(width - filled, '.');
        char buf[200];
        std::snprintf(buf, sizeof buf, "\repoch %zu/%zu [%s] %zu/%zu  loss %.4f  %.1f img/s\x1b[K", r.epoch, r.epochs,
                      bar.c_str(), r.step, r.steps, r.loss, r.images_per_second);
        out_ << buf << std::flush;
        drawn_ = true;
    }

    void on_epoch(const epoch_report& r) {
        clear_bar();
        out_ << format_epoch_line(r) << '\n' << std::flush;
    }

    void message(std::string_view text) {
        clear_bar();
        out_ << text << '\n' << std::flush;
    }

private:
    static bool is_terminal(const std::ostream& out) {
        // By identity: the default log sink is std::cerr itself, so it draws a bar on a TTY; a
        // caller's sink (a file, a string stream, a GUI) gets plain lines.
        if (&out == &std::cout) return ::isatty(1);
        if (&out == &std::cerr || &out == &std::clog) return ::isatty(2);
        return false;
    }
    void clear_bar() {
        if (drawn_) out_ << "\r\x1b[K";
        drawn_ = false;
    }

    std::ostream& out_;
    bool live_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace dermtl::train
