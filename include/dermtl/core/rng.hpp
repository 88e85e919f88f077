#pragma once
// The one random number generator of dermtl.
//
// Represents: a seeded, portable stream of random numbers. Uniform and normal draws are computed
// here from mt19937_64's raw 64-bit output (not std::*_distribution, whose algorithms differ
// between standard libraries), so a seed gives the same sequence on every platform, and the
// whole state can be saved in a checkpoint and restored.
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <sstream>
#include <string>

#include "dermtl/core/error.hpp"

namespace dermtl {

class rng {
public:
    explicit rng(std::uint64_t seed = 0) : engine_(seed) {}

    void seed(std::uint64_t s) {
        engine_.seed(s);
        has_spare_ = false;
    }

    std::uint64_t next_u64() { return engine_(); }

    // Uniform in [0, 1) with 24 random bits (exactly representable as float).
    float uniform() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
    double uniform_double() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

    // Uniform integer in [0, n) without modulo bias (Lemire's rejection method).
    std::uint64_t below(std::uint64_t n) {
        if (n == 0) throw config_error("rng::below: expected n > 0, got 0");
        const std::uint64_t threshold = (0 - n) % n;
        for (;;) {
            const std::uint64_t r = engine_();
            const unsigned __int128 m = static_cast<unsigned __int128>(r) * n;
            if (static_cast<std::uint64_t>(m) >= threshold) return static_cast<std::uint64_t>(m >> 64);
        }
    }

    // Standard normal, Box-Muller in double precision (pairs are cached).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = 0;
        while (u1 <= 0) u1 = uniform_double();
        const double u2 = uniform_double();
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(2 * std::numbers::pi * u2);
        has_spare_ = true;
        return r * std::cos(2 * std::numbers::pi * u2);
    }

    // Fisher-Yates shuffle driven by this generator (portable, unlike std::shuffle).
    template <class RandomIt>
    void shuffle(RandomIt first, RandomIt last) {
        const auto n = static_cast<std::uint64_t>(last - first);
        for (std::uint64_t i = n; i > 1; --i) std::swap(first[i - 1], first[below(i)]);
    }

    // Full state as text (engine + cached normal), for checkpoints.
    std::string state() const {
        std::ostringstream os;
        os.precision(std::numeric_limits<double>::max_digits10);
        os << engine_ << ' ' << has_spare_ << ' ' << spare_;
        return os.str();
    }
    void set_state(const std::string& s) {
        std::istringstream is(s);
        is >> engine_ >> has_spare_ >> spare_;
        if (!is) throw io_error("rng::set_state: expected an mt19937_64 state as written by rng::state()");
    }

    friend bool operator==(const rng& a, const rng& b) { return a.state() == b.state(); }

private:
    std::mt19937_64 engine_;
    bool has_spare_ = false;
    double spare_ = 0;
};

}  // namespace dermtl
