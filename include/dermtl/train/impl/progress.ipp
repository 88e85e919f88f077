// Definitions of train/progress.hpp (see core/config.hpp): inline in header-only use, compiled
// once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/progress.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace dermtl::train {

DERMTL_DECL std::string format_duration(double seconds) {
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

DERMTL_DECL std::string format_epoch_line(const epoch_report& r) {
    char buf[256];
    const int width = int(std::to_string(r.epochs).size());
    std::snprintf(buf, sizeof buf, "epoch %*zu/%zu  train %.4f  val %.4f  AUC %.4f  %.1f img/s  %.1f s  ETA %s%s",
                  width, r.epoch, r.epochs, r.train_loss, r.val_loss, r.val_auc, r.images_per_second, r.seconds,
                  format_duration(r.eta_seconds).c_str(), r.best ? "  *" : "");
    return buf;
}

DERMTL_DECL void progress_printer::on_step(const step_report& r) {
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

DERMTL_DECL void progress_printer::on_epoch(const epoch_report& r) {
    clear_bar();
    out_ << format_epoch_line(r) << '\n' << std::flush;
}

DERMTL_DECL void progress_printer::message(std::string_view text) {
    clear_bar();
    out_ << text << '\n' << std::flush;
}

DERMTL_DECL bool progress_printer::is_terminal(const std::ostream& out) {
    if (&out == &std::cout) return ::isatty(1);
    if (&out == &std::cerr || &out == &std::clog) return ::isatty(2);
    return false;
}

DERMTL_DECL void progress_printer::clear_bar() {
    if (drawn_) out_ << "\r\x1b[K";
    drawn_ = false;
}

}  // namespace dermtl::train
