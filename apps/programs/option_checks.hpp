#pragma once
// Range checks for the tool's numeric options, applied by CLI11 while parsing, so a bad value
// stops the command before any work starts, with a message that names the option:
//
//   dermtl grid --epochs -3   ->  --epochs: expected a whole number from 1 to 10000, found '-3'
//
// Why a validator of our own and not CLI::Range: CLI11 (2.1) converts an unsigned option with
// strtoull, which accepts "-3" and wraps it to 2^64-3, and reads "010" as octal 8 and "0x10" as
// hex; CLI::Range<std::size_t> sees the wrapped value. whole_number() reads the text itself
// (decimal digits only, no sign, no overflow), checks the range, and hands CLI11 the value in
// canonical decimal. real_number() rejects NaN, infinities and trailing text.
//
// The bounds (documented with each option's help, see `dermtl <command> --help`):
//   epochs 1..10000 (0 would store a "fine-tuned" result that trained nothing), batch size
//   1..4096, image side 16..4096 pixels, image counts 1..1e6, learning rate (0, 10], momentum
//   [0, 1), L2 [0, 1), seeds any 64-bit unsigned value, --max-folds 0..10000 (0: all),
//   --max-image-pixels 64..2^30: at least the smallest image accepted (8x8, image_read_options::
//   min_side), at most OpenCV's own decode limit (CV_IO_MAX_IMAGE_PIXELS, 2^30 = 3 GiB as RGB),
//   which the formats it decodes for us hit anyway.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>

namespace dermtl::programs::option_checks {

inline constexpr std::uint64_t max_epochs = 10000;
inline constexpr std::uint64_t max_batch_size = 4096;
inline constexpr std::uint64_t min_image_side = 16, max_image_side = 4096;
inline constexpr std::uint64_t max_image_count = 1000000;
inline constexpr std::uint64_t max_folds = 10000;
inline constexpr double max_learning_rate = 10;
inline constexpr std::uint64_t min_image_pixels = 64, max_image_pixels = std::uint64_t{1} << 30;


// The text as shown in a message, cut like dermtl::quoted_value (a 2 MB argument stays one line).
inline std::string shown(const std::string& s) {
    return s.size() <= 40 ? "'" + s + "'" : "'" + s.substr(0, 40) + "...' (" + std::to_string(s.size()) + " characters)";
}

// A whole number in [lo, hi], written in decimal digits; the option's text is replaced by its
// canonical decimal form so CLI11's own conversion cannot reinterpret it.
inline CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
    const std::string range = "from " + std::to_string(lo) + " to " + std::to_string(hi);
    return CLI::Validator(
        [lo, hi, range](std::string& text) -> std::string {
            std::uint64_t v = 0;
            const char* b = text.data();
            const char* e = b + text.size();
            const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
            const auto [p, ec] = digits ? std::from_chars(b, e, v) : std::from_chars_result{b, std::errc::invalid_argument};
            if (!digits || p != e)
                return "expected a whole number " + range + ", found " + shown(text) +
                       (!text.empty() && text[0] == '-' ? " (negative)" : "");
            if (ec == std::errc::result_out_of_range || v < lo || v > hi)
                return "expected a whole number " + range + ", found " + shown(text);
            text = std::to_string(v);
            return {};
        },
        "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// A finite real number in the interval from lo to hi, each end open or closed.
inline CLI::Validator real_number(double lo, bool lo_open, double hi, bool hi_open) {
    auto num = [](double x) {
        std::string s = std::to_string(x);
        s.erase(s.find_last_not_of('0') + 1);
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    };
    const std::string interval = std::string(lo_open ? "(" : "[") + num(lo) + ", " + num(hi) + (hi_open ? ")" : "]");
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            double v = 0;
            const char* b = text.data();
            const char* e = b + text.size();
            const auto [p, ec] = std::from_chars(b, e, v);
            if (text.empty() || ec != std::errc() || p != e || !std::isfinite(v))
                return "expected a number in " + interval + ", found " + shown(text);
            if ((lo_open ? v <= lo : v < lo) || (hi_open ? v >= hi : v > hi))
                return "expected a number in " + interval + ", found " + shown(text);
            return {};
        },
        "NUMBER in " + interval);
}

// Any 64-bit unsigned seed, in decimal (not "-1", which CLI11 would wrap to 2^64-1).
inline CLI::Validator seed() { return whole_number(0, std::numeric_limits<std::uint64_t>::max()); }

// --max-image-pixels, for every command that reads images: the header cap of io::image_read_options.
inline void add_max_image_pixels(CLI::App& app, std::uint64_t& pixels) {
    app.add_option("--max-image-pixels", pixels,
                   "Largest image read, in pixels (width x height, from the header, before decoding); "
                   "larger images are refused, naming the file")
        ->capture_default_str()
        ->transform(whole_number(min_image_pixels, max_image_pixels));
}

}  // namespace dermtl::programs::option_checks
