// io/output_folder.hpp: temporaries carry their writer's host and pid, those of dead writers are
// removed and no other file is, and a folder that cannot be written is refused, naming it. (A
// read-only mount, a full disk and kill -9 inside a write: tests/programs/chaos_*.sh, which need
// mounts and a real run.)
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dermtl/io/atomic_file.hpp"
#include "dermtl/io/output_folder.hpp"

using namespace dermtl;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p) { std::ofstream(p) << "x"; }

// The pid of a process that has exited and been reaped: no process runs under it (until reused).
long dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return long(child);
}

}  // namespace

TEST_CASE("temporaries are named after their writer's host and pid", "[io][atomic]") {
    const fs::path t = io::atomic_detail::temporary_for("/some/where/Fold_1.json");
    CHECK(t.parent_path() == fs::path("/some/where"));
    CHECK(t.filename().string().rfind("Fold_1.json" + io::temporary_infix(), 0) == 0);
    REQUIRE(io::temporary_writer_here(t));
    CHECK(*io::temporary_writer_here(t) == long(::getpid()));
    // Not temporaries of this host: left alone.
    CHECK_FALSE(io::temporary_writer_here("/w/Fold_1.json"));
    CHECK_FALSE(io::temporary_writer_here("/w/Fold_1.json.tmp.another-host-name-x.12.3"));
    CHECK_FALSE(io::temporary_writer_here("/w/Fold_1.json.tmp.12.3"));  // the old naming, without a host
    const std::string infix = io::temporary_infix();
    const std::string host_part = infix.substr(0, infix.rfind('.', infix.size() - 2) + 1);  // ".tmp.<host>."
    CHECK_FALSE(io::temporary_writer_here("/w/x" + host_part + "12.3a"));
    CHECK_FALSE(io::temporary_writer_here("/w/x" + host_part + "12"));
    CHECK(*io::temporary_writer_here("/w/x" + host_part + "12.3") == 12);
}

TEST_CASE("remove_stale_temporaries removes only the temporaries of dead writers on this host", "[io][atomic]") {
    testing::scratch_dir dir("stale-temps");
    fs::create_directories(dir / "work/results/cell");
    const std::string infix = io::temporary_infix();
    const std::string host_part = infix.substr(0, infix.rfind('.', infix.size() - 2) + 1);
    const long dead = dead_pid();
    const fs::path stale1 = dir / ("work/results/cell/Fold_1.json" + host_part + std::to_string(dead) + ".0");
    const fs::path stale2 = dir / ("report.md" + host_part + std::to_string(dead) + ".7");
    const fs::path live = io::atomic_detail::temporary_for(dir / "work/results/cell/Fold_2.json");  // this process
    const fs::path elsewhere = dir / "work/results/cell/Fold_3.json.tmp.another-host-x.1.0";
    const fs::path result = dir / "work/results/cell/Fold_1.json";
    for (const auto& p : {stale1, stale2, live, elsewhere, result}) touch(p);

    const auto removed = io::remove_stale_temporaries(dir.path());
    REQUIRE(removed.size() == 2);
    for (const auto& r : removed) {
        CHECK((r.path == stale1 || r.path == stale2));
        CHECK(r.pid == dead);
        CHECK_FALSE(fs::exists(r.path));
    }
    for (const auto& p : {live, elsewhere, result}) CHECK(fs::exists(p));
    CHECK(io::remove_stale_temporaries(dir.path()).empty());
}

TEST_CASE("require_writable_folder accepts a writable folder and refuses a missing one, naming it", "[io][atomic]") {
    testing::scratch_dir dir("writable");
    fs::create_directories(dir / "work/results");
    CHECK_NOTHROW(io::require_writable_folder(dir.path(), "--out"));
    std::size_t entries = 0;  // the probe files are gone
    for ([[maybe_unused]] const auto& e : fs::recursive_directory_iterator(dir.path())) ++entries;
    CHECK(entries == 2);  // work, work/results
    try {
        io::require_writable_folder(dir / "absent", "--out");
        FAIL("a missing folder was accepted");
    } catch (const io_error& e) {
        const std::string m = e.what();
        const std::string expected = "--out: expected a writable output folder '" + (dir / "absent").string() + "'";
        CHECK(m.find(expected) != std::string::npos);
    }
}
