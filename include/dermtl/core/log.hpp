#pragma once
// Where library code reports progress: a sink the caller provides. Library code never writes to
// std::cerr itself; it calls `log::info(...)`, which goes to the sink installed for this thread's
// scope (default: standard error). A program that wants quiet runs, a file, or a GUI installs its
// own sink for a scope:
//
//   std::ostringstream captured;
//   dermtl::log::scoped_sink s(captured);        // everything logged in this scope goes there
//   cell::run(inputs);
//
// `log::stream()` gives the sink as an ostream for code that formats progress (train/progress.hpp).
#include <iostream>
#include <ostream>
#include <string_view>

namespace dermtl::log {

namespace detail {
inline std::ostream*& current() {
    static std::ostream* sink = nullptr;  // nullptr: standard error
    return sink;
}
}  // namespace detail

// The current sink.
inline std::ostream& stream() {
    std::ostream* s = detail::current();
    return s ? *s : std::cerr;
}

// True when the sink is the process's standard error (a live progress bar may then use the TTY).
inline bool is_stderr() { return detail::current() == nullptr || detail::current() == &std::cerr; }

// One line to the sink.
inline void info(std::string_view line) { stream() << line << '\n' << std::flush; }

// Installs `sink` until the end of the scope, then restores the previous one.
class scoped_sink {
public:
    explicit scoped_sink(std::ostream& sink) : previous_(detail::current()) { detail::current() = &sink; }
    ~scoped_sink() { detail::current() = previous_; }
    scoped_sink(const scoped_sink&) = delete;
    scoped_sink& operator=(const scoped_sink&) = delete;

private:
    std::ostream* previous_;
};

}  // namespace dermtl::log
