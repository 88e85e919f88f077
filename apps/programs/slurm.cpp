// dermtl slurm submit / status (programs/slurm.hpp).
#include "programs/slurm.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/io/atomic_file.hpp"

namespace dermtl::programs {

namespace fs = std::filesystem;

namespace {

// 'text' for a POSIX shell.
std::string quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "");
    for (std::string d; std::getline(dirs, d, ':');)
        if (!d.empty() && ::access((fs::path(d) / program).c_str(), X_OK) == 0) return true;
    return false;
}

void require_slurm(const std::string& program) {
    if (!on_path(program))
        throw config_error("dermtl slurm: '" + program + "' was not found on PATH: Slurm is not installed here, or not " +
                           "on PATH (on a cluster: `module load slurm`, or run from a login node)");
}

struct command_result {
    int status = -1;
    std::string output;  // stdout and stderr together
};

command_result run(const std::vector<std::string>& args) {
    std::string cmd;
    for (const auto& a : args) cmd += (cmd.empty() ? "" : " ") + quoted(a);
    cmd += " 2>&1";
    command_result r;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) throw io_error("dermtl slurm: cannot run " + args.front());
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) r.output.append(buffer, n);
    const int status = ::pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// The batch script: readable, every choice commented.
std::string batch_script(const slurm_request& r, const std::vector<std::string>& grid_args, const fs::path& binary,
                         const fs::path& out, std::size_t items, std::size_t tasks) {
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Written by `dermtl slurm submit`: " << items << " (cell, fold) work items of a dermtl grid in " << tasks
      << " array tasks,\n# at most " << std::min(r.throttle, tasks) << " at a time. Task K runs shard K of " << tasks
      << " (`dermtl grid` reads SLURM_ARRAY_TASK_ID); every task\n# writes into " << out.string()
      << ", and `dermtl report --results " << (out / "work" / "results").string() << "` builds the tables.\n"
      << "#SBATCH --job-name=dermtl-grid\n"
      << "#SBATCH --array=0-" << tasks - 1 << "%" << std::min(r.throttle, tasks) << "\n"
      << "#SBATCH --cpus-per-task=" << r.cpus_per_task << "\n"
      << "#SBATCH --mem=" << r.memory << "\n"
      << "#SBATCH --time=" << r.time_limit << "\n";
    if (!r.partition.empty()) s << "#SBATCH --partition=" << r.partition << "\n";
    if (!r.account.empty()) s << "#SBATCH --account=" << r.account << "\n";
    if (r.gpu) s << "#SBATCH --gres=gpu:1\n";
    s << "# Preemption and time limits: Slurm sends USR1 to this script (B:) " << r.warning_seconds
      << " s before; the trap below\n# forwards it to dermtl, which finishes its training step, checkpoints and exits "
         "85; the task\n# then requeues itself (--requeue allows it) and resumes from the checkpoint.\n"
      << "#SBATCH --signal=B:USR1@" << r.warning_seconds << "\n"
      << "#SBATCH --requeue\n"
      << "#SBATCH --open-mode=append\n"
      << "#SBATCH --output=" << (out / "slurm" / "task-%A_%a.out").string() << "\n"
      << "#SBATCH --chdir=" << fs::current_path().string() << "\n"
      << "set -u\n"
      << "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-" << r.cpus_per_task << "}\n"
      << quoted(binary.string()) << " grid";
    for (const auto& a : grid_args) s << " " << quoted(a);
    s << " --out " << quoted(out.string());
    if (std::find(grid_args.begin(), grid_args.end(), "--no-progress") == grid_args.end()) s << " --no-progress";
    s << " &\n"
      << "pid=$!\n"
      << "# TERM (scancel, or the end of the grace time): dermtl checkpoints too, but the task is not\n"
      << "# requeued -- a cancelled job stays cancelled, and a preempting Slurm requeues by itself.\n"
      << "terminated=0\n"
      << "trap 'kill -USR1 $pid 2>/dev/null' USR1\n"
      << "trap 'terminated=1; kill -TERM $pid 2>/dev/null' TERM\n"
      << "# `wait` returns early when a trapped signal arrives: wait again until dermtl has exited.\n"
      << "while :; do wait \"$pid\"; rc=$?; kill -0 \"$pid\" 2>/dev/null || break; done\n"
      << "if [ \"$rc\" -eq 85 ] && [ \"$terminated\" -eq 0 ]; then\n"
      << "  echo \"dermtl: task $SLURM_ARRAY_TASK_ID checkpointed; requeueing job $SLURM_JOB_ID\"\n"
      << "  scontrol requeue \"$SLURM_JOB_ID\"\n"
      << "fi\n"
      << "exit \"$rc\"\n";
    return s.str();
}

}  // namespace

const std::vector<std::string>& slurm_option_names() {
    static const std::vector<std::string> names{"--tasks",     "--throttle", "--cpus-per-task", "--mem",
                                                "--time",      "--partition", "--account",      "--warning-seconds",
                                                "--out"};
    return names;
}

std::vector<std::string> grid_arguments(int argc, char** argv) {
    std::vector<std::string> out;
    int i = 1;
    while (i < argc && std::string(argv[i]) != "submit") ++i;
    const auto& skip = slurm_option_names();
    for (++i; i < argc; ++i) {
        const std::string a = argv[i];
        const std::string name = a.substr(0, a.find('='));
        if (a == "--dry-run") continue;
        if (std::find(skip.begin(), skip.end(), name) != skip.end()) {
            if (name == a) ++i;  // "--tasks 4": skip the value too
            continue;
        }
        out.push_back(a);
    }
    return out;
}

slurm_submission submit_grid(const slurm_request& r, const std::vector<std::string>& grid_args,
                             const fs::path& dermtl_binary, const fs::path& out, const std::vector<slurm_item>& items) {
    if (items.empty()) throw config_error("dermtl slurm submit: the selection has no (cell, fold) work items");
    const std::size_t tasks = r.tasks ? r.tasks : std::min<std::size_t>(items.size(), 100);
    if (tasks > items.size())
        throw config_error("--tasks " + std::to_string(tasks) + ": expected at most " + std::to_string(items.size()) +
                           " (one per (cell, fold) work item), found more; a task with no work item would do nothing");
    if (r.throttle == 0) throw config_error("--throttle: expected at least 1 task at a time, found 0");
    if (!r.dry_run) {
        require_slurm("sbatch");
        require_slurm("scontrol");
    }
    const fs::path folder = out / "slurm";
    fs::create_directories(folder);
    slurm_submission sub;
    sub.script = folder / "grid.sbatch";
    sub.tasks = tasks;
    io::write_file_atomically(sub.script, batch_script(r, grid_args, fs::absolute(dermtl_binary), out, items.size(), tasks));
    fs::permissions(sub.script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
    nlohmann::json record = {{"script", sub.script.string()}, {"tasks", tasks}, {"job", nullptr}};
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : items) list.push_back({{"cell", item.cell}, {"result", item.result}});
    record["items"] = list;
    if (!r.dry_run) {
        const auto result = run({"sbatch", "--parsable", sub.script.string()});
        if (result.status != 0)
            throw io_error("sbatch rejected " + sub.script.string() + " (exit " + std::to_string(result.status) +
                           "): " + trimmed(result.output));
        // --parsable: "jobid" or "jobid;cluster".
        sub.job_id = trimmed(result.output.substr(0, result.output.find(';')));
        if (sub.job_id.empty() || sub.job_id.find_first_not_of("0123456789") != std::string::npos)
            throw io_error("sbatch --parsable " + sub.script.string() + ": expected a job id, found '" +
                           trimmed(result.output) + "'");
        record["job"] = sub.job_id;
    }
    io::write_file_atomically(folder / "submission.json", record.dump(2));
    return sub;
}

std::size_t print_slurm_status(const fs::path& out, std::ostream& os) {
    const fs::path file = out / "slurm" / "submission.json";
    std::ifstream in(file);
    if (!in)
        throw config_error("dermtl slurm status: " + file.string() +
                           " not found; expected the --out of a `dermtl slurm submit`");
    nlohmann::json record;
    try {
        record = nlohmann::json::parse(in);
        (void)record.at("tasks").get<std::size_t>();
        (void)record.at("items").size();
    } catch (const nlohmann::json::exception& e) {
        throw io_error(file.string() + ": not a submission record written by `dermtl slurm submit` (" + e.what() + ")");
    }
    const std::size_t tasks = record.at("tasks").get<std::size_t>();
    std::map<std::size_t, std::string> queued;  // array task -> squeue state
    const bool submitted = record.at("job").is_string();
    if (submitted) {
        require_slurm("squeue");
        const std::string job = record.at("job").get<std::string>();
        const auto result = run({"squeue", "-h", "-r", "-j", job, "-o", "%i %T"});
        // A job that has left the queue is "Invalid job id" on some versions: nothing queued then.
        std::istringstream lines(result.status == 0 ? result.output : "");
        for (std::string id, state; lines >> id >> state;) {
            const auto underscore = id.find('_');
            if (underscore == std::string::npos) continue;
            const std::string index = id.substr(underscore + 1);
            if (index.find_first_not_of("0123456789") == std::string::npos && !index.empty())
                queued[std::size_t(std::stoul(index))] = state;
        }
    }
    std::size_t not_done = 0, i = 0;
    std::map<std::string, std::size_t> totals;
    for (const auto& item : record.at("items")) {
        const std::size_t task = i++ % tasks;
        std::string state;
        if (fs::exists(out / "work" / "results" / item.at("result").get<std::string>()))
            state = "done";
        else if (!submitted)
            state = "not submitted";
        else if (auto q = queued.find(task); q != queued.end())
            state = q->second == "RUNNING" ? "running" : q->second == "PENDING" ? "pending" : "queued (" + q->second + ")";
        else
            state = "failed";
        if (state != "done") ++not_done;
        ++totals[state];
        os << item.at("cell").get<std::string>() << " " << fs::path(item.at("result").get<std::string>()).stem().string()
           << " (task " << task << "): " << state << "\n";
    }
    os << "job " << (submitted ? record.at("job").get<std::string>() : std::string("(dry run)")) << ", " << tasks
       << " tasks:";
    for (const auto& [state, n] : totals) os << " " << n << " " << state << ";";
    os << " results in " << (out / "work" / "results").string() << "\n";
    return not_done;
}

}  // namespace dermtl::programs
