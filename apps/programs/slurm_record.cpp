// The submission record of `dermtl slurm submit` (programs/slurm_record.hpp), validated as a whole.
#include "programs/slurm_record.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dermtl/core/error.hpp"
#include "dermtl/protocol/shard.hpp"

namespace dermtl::programs::slurm_detail {

namespace fs = std::filesystem;

nlohmann::json read_submission_record(const fs::path& file) {
    const std::string refused = ": not a submission record written by this version of `dermtl slurm submit` (";
    nlohmann::json record;
    try {
        std::ifstream in(file, std::ios::binary);
        if (!in) throw io_error("cannot open it for reading");
        record = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw io_error(file.string() + refused + e.what() + "); expected one, or an --out that no other run uses");
    }
    auto fail = [&](const std::string& where, const std::string& expected, const nlohmann::json& found) {
        throw io_error(file.string() + refused + where + ": expected " + expected + ", found " + shortened(found.dump()) +
                       ")");
    };
    auto member = [&](const nlohmann::json& j, const std::string& where, const std::string& key) -> const nlohmann::json& {
        if (!j.is_object()) fail(where, "an object", j);
        if (!j.contains(key)) fail(where + "." + key, "the field", nullptr);
        return j.at(key);
    };
    if (!member(record, "the record", "configuration").is_object())
        fail("configuration", "an object", record.at("configuration"));
    const auto& arrays = member(record, "the record", "arrays");
    const auto& items = member(record, "the record", "items");
    if (!arrays.is_array()) fail("arrays", "an array", arrays);
    if (!items.is_array()) fail("items", "an array", items);
    const std::vector<std::string> parts{protocol::name_of(protocol::grid_part::sources),
                                         protocol::name_of(protocol::grid_part::independent),
                                         protocol::name_of(protocol::grid_part::dependent)};
    std::map<std::string, std::uint64_t> tasks_of;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
        const std::string where = "arrays[" + std::to_string(i) + "]";
        const auto& part = member(arrays[i], where, "part");
        if (!part.is_string() || std::find(parts.begin(), parts.end(), part.get<std::string>()) == parts.end())
            fail(where + ".part", "sources, independent or dependent", part);
        if (tasks_of.count(part.get<std::string>())) fail(where + ".part", "one array per part", part);
        if (!member(arrays[i], where, "script").is_string()) fail(where + ".script", "a path", arrays[i].at("script"));
        const auto& tasks = member(arrays[i], where, "tasks");
        if (!tasks.is_number_unsigned() || tasks.get<std::uint64_t>() == 0)
            fail(where + ".tasks", "a number of tasks, at least 1", tasks);
        const auto& job = member(arrays[i], where, "job");
        if (!job.is_null() && (!job.is_string() || job.get<std::string>().empty() ||
                               job.get<std::string>().find_first_not_of("0123456789") != std::string::npos))
            fail(where + ".job", "a job id (digits) or null (a dry run)", job);
        tasks_of[part.get<std::string>()] = tasks.get<std::uint64_t>();
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string where = "items[" + std::to_string(i) + "]";
        const auto& name = member(items[i], where, "name");
        if (!name.is_string() || name.get<std::string>().empty()) fail(where + ".name", "a work item's name", name);
        const auto& done = member(items[i], where, "done_file");
        bool inside = done.is_string() && !done.get<std::string>().empty() && fs::path(done.get<std::string>()).is_relative();
        if (inside)
            for (const auto& component : fs::path(done.get<std::string>())) inside &= component != "..";
        if (!inside) fail(where + ".done_file", "a path relative to OUT/work, without '..'", done);
        const auto& part = member(items[i], where, "part");
        if (!part.is_string() || !tasks_of.count(part.get<std::string>()))
            fail(where + ".part", "the part of one of the arrays", part);
        const auto& task = member(items[i], where, "task");
        if (!task.is_number_unsigned() || task.get<std::uint64_t>() >= tasks_of.at(part.get<std::string>()))
            fail(where + ".task", "a task below its array's " + std::to_string(tasks_of.at(part.get<std::string>())), task);
    }
    return record;
}

}  // namespace dermtl::programs::slurm_detail
