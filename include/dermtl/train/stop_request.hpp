#pragma once
// A request to stop training at the next step boundary: how a batch job survives preemption.
//
// Represents: one process-wide flag. request_stop() sets it (async-signal-safe: a lock-free
// atomic store), stop_requested() reads it, clear_stop_request() resets it. The trainer
// (train/trainer.hpp) reads it after every step: once it is set, the trainer finishes the step it
// is in, writes a step-level checkpoint and throws stop_requested_error. stop_on_signals is an RAII
// guard that, while it lives, turns the given signals (e.g. SIGUSR1 and SIGTERM) into request_stop()
// and afterwards puts the previous handlers back.
//
// Why process-wide state: a signal is delivered to the process, not to an object, and a signal
// handler can reach nothing but globals. This flag is the only process-wide state in dermtl
// (STYLE.md: state lives with its owner -- here the owner is the process). It is a flag, not a
// queue: several requests are one request, and it stays set until clear_stop_request(), so every
// training run in the process stops at its next step once a stop is requested.
//
// On Slurm (docs/cluster.md, "Preemption"): the batch script asks for `--signal=B:USR1@120`,
// traps USR1 and forwards it to dermtl; dermtl, inside stop_on_signals({SIGUSR1, SIGTERM}), finishes
// the step, writes the checkpoint and exits with requeue_exit_code (85); the job is requeued and
// the rerun resumes from the checkpoint.
//
// Requires: POSIX sigaction. Handlers are installed with SA_RESTART, so a read or write the signal
// interrupts is restarted instead of failing with EINTR; they do not chain to the previous handler
// (running the default SIGTERM action would end the process before the checkpoint is written).
// Errors: stop_on_signals throws config_error naming the signal when sigaction refuses it
// (SIGKILL, SIGSTOP, an invalid number); handlers installed before it are put back first.
// The handler and stop_on_signals are defined in impl/stop_request.ipp (core/config.hpp: compiled
// once with DERMTL_SEPARATE_COMPILATION, inline otherwise); the flag stays an inline variable here.
#include <atomic>
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <signal.h>

#include "dermtl/core/config.hpp"
#include "dermtl/core/error.hpp"

namespace dermtl::train {

// The exit status a program returns after a stop request: batch scripts requeue on it
// (`RequeueExit=85` in slurm.conf, or the script's own `scontrol requeue`). 85 is outside the
// shell's 126-165 range (command not found, killed by a signal) and the 0-2 of ordinary failures.
inline constexpr int requeue_exit_code = 85;

namespace stop_detail {

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "train/stop_request.hpp: the stop flag must be a lock-free atomic to be set from a signal handler");

inline std::atomic<bool> flag{false};
inline std::atomic<int> signal_number{0};  // the signal that requested the stop; 0: request_stop()

// Does only what a handler may: two lock-free atomic stores.
DERMTL_DECL void on_signal(int sig);

}  // namespace stop_detail

// Async-signal-safe.
inline void request_stop() noexcept { stop_detail::flag.store(true, std::memory_order_release); }
inline bool stop_requested() noexcept { return stop_detail::flag.load(std::memory_order_acquire); }
// The signal whose handler requested the stop, 0 when none did (request_stop() or no request).
inline int stop_signal() noexcept { return stop_detail::signal_number.load(std::memory_order_relaxed); }
inline void clear_stop_request() noexcept {
    stop_detail::signal_number.store(0, std::memory_order_relaxed);
    stop_detail::flag.store(false, std::memory_order_release);
}

// Thrown by the trainer after it has saved its position because a stop was requested. A program
// catches it and exits with requeue_exit_code; nothing is trained further in this process.
struct stop_requested_error : error {
    stop_requested_error(const std::string& what, std::filesystem::path checkpoint_, std::size_t epoch_,
                         std::size_t step_)
        : error(what), checkpoint(std::move(checkpoint_)), epoch(epoch_), step(step_) {}
    std::filesystem::path checkpoint;  // where the position was saved; empty: no checkpoint was configured
    std::size_t epoch = 0;             // completed epochs in it
    std::size_t step = 0;              // completed steps of the next epoch in it
};

// While alive, the listed signals request a stop; destruction restores the previous handlers
// (in reverse order, so a signal listed twice ends with its original handler).
class stop_on_signals {
public:
    stop_on_signals(std::initializer_list<int> signals);
    stop_on_signals(const stop_on_signals&) = delete;
    stop_on_signals& operator=(const stop_on_signals&) = delete;
    ~stop_on_signals() { restore(); }

private:
    struct saved {
        int sig;
        struct sigaction action;
    };
    void restore() noexcept;
    std::vector<saved> saved_;
};

}  // namespace dermtl::train

#if DERMTL_HEADER_ONLY
#include "dermtl/train/impl/stop_request.ipp"
#endif
