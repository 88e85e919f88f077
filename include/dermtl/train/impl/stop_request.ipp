// Definitions of train/stop_request.hpp (see core/config.hpp): inline in header-only use,
// compiled once into libdermtl_protocol with DERMTL_SEPARATE_COMPILATION.
#include "dermtl/train/stop_request.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include <signal.h>

#include "dermtl/core/error.hpp"

namespace dermtl::train {

namespace stop_detail {

DERMTL_DECL void on_signal(int sig) {
    signal_number.store(sig, std::memory_order_relaxed);
    flag.store(true, std::memory_order_release);
}

}  // namespace stop_detail

DERMTL_DECL stop_on_signals::stop_on_signals(std::initializer_list<int> signals) {
    for (int sig : signals) {
        struct sigaction action;
        std::memset(&action, 0, sizeof action);
        action.sa_handler = &stop_detail::on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        struct sigaction previous;
        if (sigaction(sig, &action, &previous) != 0) {
            const int err = errno;
            restore();
            throw config_error("stop_on_signals: cannot install a handler for signal " + std::to_string(sig) +
                               " (sigaction failed: " + std::strerror(err) +
                               "); SIGKILL and SIGSTOP cannot be caught, use SIGUSR1 or SIGTERM");
        }
        saved_.push_back({sig, previous});
    }
}

DERMTL_DECL void stop_on_signals::restore() noexcept {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) sigaction(it->sig, &it->action, nullptr);
    saved_.clear();
}

}  // namespace dermtl::train
