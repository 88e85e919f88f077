#pragma once
// Where a process's shard of the grid comes from (protocol/shard.hpp): `--shard K/N` (0 <= K < N,
// the numbering of a Slurm job array's indices), or, without it, the Slurm job array the process
// runs in:
//   K = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP
//   N = SLURM_ARRAY_TASK_COUNT, else (MAX - MIN) / STEP + 1.
// Neither: the whole grid. Every bad value is a config_error naming the option or the variable.
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "dermtl/core/error.hpp"
#include "dermtl/protocol/shard.hpp"

namespace dermtl::programs {

namespace shard_detail {

inline std::optional<std::uint64_t> whole(std::string_view s) {
    std::uint64_t v = 0;
    if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

inline std::optional<std::uint64_t> variable(const char* name) {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    if (auto n = whole(v)) return n;
    throw config_error(std::string(name) + "=" + quoted_value(v) + ": expected a whole number (set by Slurm for a job array)");
}

}  // namespace shard_detail

// "K/N" from --shard.
inline protocol::shard parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    const auto k = slash == std::string::npos ? std::nullopt : shard_detail::whole(std::string_view(text).substr(0, slash));
    const auto n = slash == std::string::npos ? std::nullopt : shard_detail::whole(std::string_view(text).substr(slash + 1));
    if (!k || !n)
        throw config_error("--shard: expected K/N, the K-th of N shards counted from 0 (e.g. 0/4 .. 3/4), found " +
                           quoted_value(text));
    if (*n == 0) throw config_error("--shard " + text + ": expected at least 1 shard (N >= 1), found N = 0");
    if (*k >= *n)
        throw config_error("--shard " + text + ": expected K from 0 to " + std::to_string(*n - 1) +
                           " (shards are counted from 0), found K = " + std::to_string(*k));
    return {std::size_t(*k), std::size_t(*n)};
}

// The shard of the Slurm job array this process runs in, if it runs in one.
inline std::optional<protocol::shard> slurm_array_shard() {
    using shard_detail::variable;
    const auto id = variable("SLURM_ARRAY_TASK_ID");
    if (!id) return std::nullopt;
    const auto min = variable("SLURM_ARRAY_TASK_MIN"), max = variable("SLURM_ARRAY_TASK_MAX");
    if (!min || !max)
        throw config_error("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_MAX is not; expected "
                           "all three (Slurm sets them for a job array), or pass --shard K/N");
    const std::uint64_t step = variable("SLURM_ARRAY_TASK_STEP").value_or(1);
    if (step == 0 || *max < *min)
        throw config_error("the Slurm job array " + std::to_string(*min) + "-" + std::to_string(*max) + ":" +
                           std::to_string(step) + " is empty; pass --shard K/N");
    const std::uint64_t n = variable("SLURM_ARRAY_TASK_COUNT").value_or((*max - *min) / step + 1);
    if (*id < *min || *id > *max || (*id - *min) % step != 0 || (*id - *min) / step >= n)
        throw config_error("SLURM_ARRAY_TASK_ID=" + std::to_string(*id) + " is outside the job array " +
                           std::to_string(*min) + "-" + std::to_string(*max) + (step > 1 ? ":" + std::to_string(step) : "") +
                           " of " + std::to_string(n) + " tasks");
    return protocol::shard{std::size_t((*id - *min) / step), std::size_t(n)};
}

// --shard when given, else the Slurm array's, else the whole grid.
inline protocol::shard choose_shard(const std::string& option_text) {
    if (!option_text.empty()) return parse_shard(option_text);
    return slurm_array_shard().value_or(protocol::shard{});
}

// --part: a grid_part by its name (protocol::name_of); config_error naming the option and the
// choices otherwise.
inline protocol::grid_part parse_part(const std::string& text) {
    using protocol::grid_part;
    for (auto p : {grid_part::all, grid_part::sources, grid_part::independent, grid_part::dependent})
        if (protocol::name_of(p) == text) return p;
    throw config_error("--part " + text + ": expected all, sources, independent or dependent");
}

}  // namespace dermtl::programs
