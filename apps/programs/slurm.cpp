// dermtl slurm submit / status (programs/slurm.hpp).
#include "programs/slurm.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "dermtl/core/error.hpp"
#include "dermtl/io/atomic_file.hpp"
#include "dermtl/protocol/cell_id.hpp"
#include "dermtl/protocol/fingerprint.hpp"
#include "dermtl/protocol/training.hpp"
#include "programs/runner.hpp"
#include "programs/slurm_record.hpp"

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
    for (const auto& a : args) {
        if (!cmd.empty()) cmd += ' ';
        cmd += quoted(a);  // appended piecewise: GCC 12 warns (-Wrestrict) on "literal" + std::string&&
    }
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

// What each part's array does, for the script's header.
std::string part_purpose(protocol::grid_part part) {
    switch (part) {
        case protocol::grid_part::sources:
            return "the source models the cells train (one task each); the dependent array waits for it";
        case protocol::grid_part::independent: return "the (cell, fold) work items that need no trained source";
        case protocol::grid_part::dependent:
            return "the (cell, fold) work items that use a trained source; submitted with\n"
                   "# --dependency=afterok:<the sources job> --kill-on-invalid-dep=yes on sbatch's command line, so it\n"
                   "# starts once every source model exists";
        case protocol::grid_part::all: break;
    }
    return "every work item";
}

// The batch script of one part: readable, every choice commented.
std::string batch_script(const slurm_request& r, const std::vector<std::string>& grid_args, const fs::path& binary,
                         const fs::path& out, protocol::grid_part part, std::size_t items, std::size_t tasks) {
    const std::size_t throttle = std::min(r.throttle, tasks);
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Written by `dermtl slurm submit`: part '" << protocol::name_of(part) << "' of a dermtl grid, " << items
      << " work item(s) in " << tasks << " array task(s),\n# at most " << throttle << " at a time: "
      << part_purpose(part) << ".\n# Task K runs shard K of " << tasks
      << " (`dermtl grid` reads SLURM_ARRAY_TASK_ID); every task writes into\n# " << out.string()
      << ", and `dermtl report --results " << (out / "work" / "results").string()
      << "` builds the tables\n# once every part has run.\n"
      << "#SBATCH --job-name=dermtl-" << protocol::name_of(part) << "\n"
      << "#SBATCH --array=0-" << tasks - 1 << "%" << throttle << "\n"
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
      << "#SBATCH --output=" << (out / "slurm" / (protocol::name_of(part) + "-%A_%a.out")).string() << "\n"
      << "#SBATCH --chdir=" << fs::current_path().string() << "\n"
      << "set -u\n"
      << "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-" << r.cpus_per_task << "}\n";
    if (!r.setup.empty()) {
        s << "# --setup: the task's environment\n";
        for (const auto& line : r.setup) s << line << "\n";
    }
    if (!r.launcher.empty()) s << "# --launcher: dermtl runs under it\n" << r.launcher << " ";
    s << quoted(binary.string()) << " grid";
    for (const auto& a : grid_args) s << " " << quoted(a);
    s << " --part " << protocol::name_of(part) << " --out " << quoted(out.string());
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

// The jobs of a submission record still in the queue (squeue knows them).
std::vector<std::string> queued_jobs(const nlohmann::json& record) {
    std::vector<std::string> out;
    if (!on_path("squeue")) return out;
    for (const auto& a : record.value("arrays", nlohmann::json::array())) {
        if (!a.contains("job") || !a.at("job").is_string()) continue;
        const auto job = a.at("job").get<std::string>();
        const auto result = run({"squeue", "-h", "-j", job, "-o", "%i"});
        if (result.status == 0 && !trimmed(result.output).empty()) out.push_back(job);
    }
    return out;
}

// Refuses a run folder that an earlier submission with another configuration uses, or whose jobs
// are still queued.
void check_folder(const fs::path& record_file, const nlohmann::json& configuration) {
    if (!fs::exists(record_file)) return;
    const nlohmann::json old = slurm_detail::read_submission_record(record_file);
    const auto& before = old.at("configuration");
    if (before != configuration) {
        std::string diff;
        for (const auto& [key, value] : configuration.items()) {
            const auto was = before.contains(key) ? before.at(key) : nlohmann::json("(not recorded)");
            if (was != value) diff += "\n  " + key + ": " + was.dump() + " there, " + value.dump() + " now";
        }
        for (const auto& [key, value] : before.items())
            if (!configuration.contains(key)) diff += "\n  " + key + ": " + value.dump() + " there, not set now";
        throw config_error("--out " + record_file.parent_path().parent_path().string() +
                           ": this run folder belongs to a grid with another configuration (" + record_file.string() +
                           "); its results would mix with this one's. What differs:" + diff +
                           "\nUse another --out, or remove that folder to start over");
    }
    if (const auto jobs = queued_jobs(old); !jobs.empty()) {
        std::string list;
        for (const auto& j : jobs) list += (list.empty() ? "" : ", ") + j;
        throw config_error("--out " + record_file.parent_path().parent_path().string() + ": job(s) " + list +
                           " of the earlier submission are still queued (" + record_file.string() +
                           "); wait for them (`dermtl slurm status`) or scancel them, then submit again");
    }
}

}  // namespace

const std::vector<std::string>& slurm_option_names() {
    static const std::vector<std::string> names{"--tasks",     "--throttle", "--cpus-per-task", "--mem",
                                                "--time",      "--partition", "--account",      "--warning-seconds",
                                                "--setup",     "--launcher",  "--out"};
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
                             const fs::path& dermtl_binary, const fs::path& out, const std::vector<slurm_part>& parts,
                             const nlohmann::json& configuration) {
    std::size_t independent = 0, dependent = 0;
    for (const auto& p : parts) {
        if (p.part == protocol::grid_part::independent) independent += p.items.size();
        if (p.part == protocol::grid_part::dependent) dependent += p.items.size();
    }
    const std::size_t cell_items = independent + dependent;
    if (cell_items == 0) throw config_error("dermtl slurm submit: the selection has no (cell, fold) work items");
    const std::size_t total = r.tasks ? r.tasks : std::min<std::size_t>(cell_items, 100);
    if (total > cell_items)
        throw config_error("--tasks " + std::to_string(total) + ": expected at most " + std::to_string(cell_items) +
                           " (one per (cell, fold) work item), found more; a task with no work item would do nothing");
    if (r.throttle == 0) throw config_error("--throttle: expected at least 1 task at a time, found 0");
    // The cell tasks are split between the two cell arrays in proportion to their items, at least
    // one each; a source model is one task of its own (it is one long training run).
    std::size_t independent_tasks = 0;
    if (independent)
        independent_tasks = dependent ? std::clamp<std::size_t>((total * independent + cell_items / 2) / cell_items, 1,
                                                                std::min(independent, total > 1 ? total - 1 : 1))
                                      : total;
    const std::size_t dependent_tasks = dependent ? std::clamp<std::size_t>(total - std::min(total, independent_tasks), 1, dependent) : 0;
    if (!r.dry_run) {
        require_slurm("sbatch");
        require_slurm("scontrol");
    }
    const fs::path folder = out / "slurm";
    check_folder(folder / "submission.json", configuration);
    fs::create_directories(folder);

    slurm_submission sub;
    nlohmann::json record = {{"configuration", configuration}, {"arrays", nlohmann::json::array()}};
    nlohmann::json items = nlohmann::json::array();
    std::string sources_job;
    for (const auto& p : parts) {
        if (p.items.empty()) continue;
        slurm_array a;
        a.part = p.part;
        a.items = p.items.size();
        a.tasks = p.part == protocol::grid_part::sources       ? p.items.size()
                  : p.part == protocol::grid_part::independent ? independent_tasks
                                                               : dependent_tasks;
        a.script = folder / (protocol::name_of(p.part) + ".sbatch");
        io::write_file_atomically(a.script, batch_script(r, grid_args, fs::absolute(dermtl_binary), out, p.part,
                                                         p.items.size(), a.tasks));
        fs::permissions(a.script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
        if (!r.dry_run) {
            std::vector<std::string> cmd{"sbatch", "--parsable"};
            if (p.part == protocol::grid_part::dependent && !sources_job.empty()) {
                cmd.push_back("--dependency=afterok:" + sources_job);
                cmd.push_back("--kill-on-invalid-dep=yes");
            }
            cmd.push_back(a.script.string());
            const auto result = run(cmd);
            if (result.status != 0)
                throw io_error("sbatch rejected " + a.script.string() + " (exit " + std::to_string(result.status) +
                               "): " + trimmed(result.output));
            // --parsable: "jobid" or "jobid;cluster".
            a.job_id = trimmed(result.output.substr(0, result.output.find(';')));
            if (a.job_id.empty() || a.job_id.find_first_not_of("0123456789") != std::string::npos)
                throw io_error("sbatch --parsable " + a.script.string() + ": expected a job id, found '" +
                               trimmed(result.output) + "'");
            if (p.part == protocol::grid_part::sources) sources_job = a.job_id;
        }
        nlohmann::json array = {{"part", protocol::name_of(p.part)},
                                {"script", a.script.string()},
                                {"tasks", a.tasks},
                                {"job", a.job_id.empty() ? nlohmann::json() : nlohmann::json(a.job_id)}};
        if (p.part == protocol::grid_part::dependent && !sources_job.empty()) array["after"] = sources_job;
        record["arrays"].push_back(array);
        for (std::size_t i = 0; i < p.items.size(); ++i)
            items.push_back({{"name", p.items[i].name},
                             {"done_file", p.items[i].done_file},
                             {"part", protocol::name_of(p.part)},
                             {"task", i % a.tasks}});
        sub.arrays.push_back(a);
    }
    record["items"] = items;
    io::write_file_atomically(folder / "submission.json", record.dump(2));
    return sub;
}

std::vector<slurm_part> slurm_parts(const protocol::registry& reg, const std::string& pattern,
                                    const std::vector<std::string>& folds) {
    using protocol::grid_part;
    std::vector<slurm_part> parts;
    for (const auto part : {grid_part::sources, grid_part::independent, grid_part::dependent}) {
        slurm_part sp{part, {}};
        const auto selected = cells_of_part(reg, pattern, part);
        if (part == grid_part::sources)
            for (const auto& source : sources_of(selected)) sp.items.push_back({source.source, source_done_file(source.source)});
        else
            for (const auto* c : selected)
                for (const auto& fold : folds)
                    sp.items.push_back({c->id.str(), "results/" + protocol::folder_name(c->id) + "/" + fold + ".json"});
        parts.push_back(std::move(sp));
    }
    return parts;
}

nlohmann::json grid_configuration(const model_cells& m, const std::string& pattern, const study& st,
                                  const run_settings& s) {
    protocol::content_hashes hashes(s.out / "work" / "content-hashes.json");
    nlohmann::json c = {{"network", m.model},
                        {"cells", pattern},
                        {"epochs", s.epochs},
                        {"batch_size", s.batch_size},
                        {"learning_rate", s.learning_rate},
                        {"momentum", s.momentum},
                        {"l2", s.l2},
                        {"folds", s.folds},
                        {"max_folds", s.max_folds},
                        {"seed", s.seed},
                        {"target", protocol::dataset_hash(st.target, hashes)},
                        {"target_folds", protocol::folds_hash(st.target, st.folds)},
                        {"retinopathy", st.retinopathy ? protocol::dataset_hash(*st.retinopathy, hashes) : "none"}};
    // The protocol only when it is not the paper's, so folders submitted before protocols existed
    // keep their configuration.
    if (m.protocol_name != protocol::training::paper::name) c["protocol"] = m.protocol_name;
    if (s.quirks.any()) c["reference_quirks"] = protocol::to_json(s.quirks);
    const auto weights = st.imagenet_weights.find(m.model);
    c["imagenet_weights"] = weights == st.imagenet_weights.end() ? std::string("none") : hashes.of(weights->second);
    hashes.save();
    return c;
}

std::size_t print_slurm_status(const fs::path& out, std::ostream& os) {
    const fs::path file = out / "slurm" / "submission.json";
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw config_error("dermtl slurm status: " + file.string() +
                           " not found; expected the --out of a `dermtl slurm submit`");
    const nlohmann::json record = slurm_detail::read_submission_record(file);
    std::map<std::string, std::string> job_of;  // part -> job id ("" for a dry run)
    for (const auto& a : record.at("arrays"))
        job_of[a.at("part").get<std::string>()] = a.at("job").is_string() ? a.at("job").get<std::string>() : "";
    // job -> (array task -> squeue state)
    std::map<std::string, std::map<std::size_t, std::string>> queued;
    for (const auto& [part, job] : job_of) {
        if (job.empty()) continue;
        require_slurm("squeue");
        const auto result = run({"squeue", "-h", "-r", "-j", job, "-o", "%i %T"});
        // A job that has left the queue is "Invalid job id" on some versions: nothing queued then.
        std::istringstream lines(result.status == 0 ? result.output : "");
        for (std::string id, state; lines >> id >> state;) {
            const auto underscore = id.find('_');
            if (underscore == std::string::npos) continue;
            const std::string index = id.substr(underscore + 1);
            if (index.find_first_not_of("0123456789") == std::string::npos && !index.empty())
                queued[job][std::size_t(std::stoul(index))] = state;
        }
    }
    std::size_t not_done = 0;
    std::map<std::string, std::size_t> totals;
    for (const auto& item : record.at("items")) {
        const std::string part = item.at("part").get<std::string>();
        const std::string& job = job_of.at(part);
        const std::size_t task = item.at("task").get<std::size_t>();
        std::string state;
        if (fs::exists(out / "work" / item.at("done_file").get<std::string>()))
            state = "done";
        else if (job.empty())
            state = "not submitted";
        else if (auto q = queued[job].find(task); q != queued[job].end())
            state = q->second == "RUNNING" ? "running" : q->second == "PENDING" ? "pending" : "queued (" + q->second + ")";
        else
            state = "failed";
        if (state != "done") ++not_done;
        ++totals[state];
        std::string what = item.at("name").get<std::string>();
        if (part != "sources") what += " " + fs::path(item.at("done_file").get<std::string>()).stem().string();
        os << part << " " << what << " (task " << task << "): " << state << "\n";
    }
    for (const auto& a : record.at("arrays"))
        os << "job " << (a.at("job").is_string() ? a.at("job").get<std::string>() : std::string("(dry run)")) << ": "
           << a.at("part").get<std::string>() << ", " << a.at("tasks").get<std::size_t>() << " task(s)\n";
    os << record.at("items").size() << " work items:";
    for (const auto& [state, n] : totals) os << " " << n << " " << state << ";";
    os << " results in " << (out / "work" / "results").string() << "\n";
    return not_done;
}

}  // namespace dermtl::programs
