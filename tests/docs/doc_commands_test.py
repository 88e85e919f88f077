#!/usr/bin/python3
"""Every shell command in README.md and docs/*.md runs (issue 16, item 5).

The convention (also in docs/architecture.md, "Commands in the docs are tested"):
  ```sh                      a runnable example: every command in it is run by this test
  ```sh no-test: REASON      a command that cannot run in a test (a download, an apt install,
                             a whole build, a real Slurm cluster, a GPU); REASON is required and
                             says why. Its dermtl options are still checked against --help.
  ```text / ```cpp / ...     not shell: not run
A fence with no info string, or a shell fence (sh, bash, shell, console, zsh) marked any other
way, fails the test: a new block cannot slip in without saying whether it runs.

How the commands run. One command is one line, or several joined by a trailing backslash; a
`# ...` comment after it is the shell's. The commands of one file run in order in one folder of
their own (later commands read what earlier ones wrote, as a reader following the page would),
laid out the way the docs assume: build/apps/dermtl and build/examples/* link to the built
programs, tests/ to the source tree's tests/, and the data the docs name (release_v0/,
retinopathy/, ISIC_ROOT/, HAM10000_metadata.csv, imagenet-vgg-m.mat, ...) to synthetic data in
the real formats (`dermtl synth`, tests/support/own_data_formats.py, the MatConvNet writer
tests/oracles/matconvnet_models.py) or to files under tests/data/fixtures/. A command without an
entry in OVERRIDES runs verbatim; one that the doc itself says takes hours is shrunk by the entry
keyed by its text, which says why (an entry that matches no command fails the test).

usage: doc_commands_test.py --source-dir REPO --dermtl BINARY [--examples DIR] [--keep DIR] [--list]
  --list: only extract and check the marking; print the commands and what would run them
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

SHELL_LANGUAGES = {"sh", "bash", "shell", "console", "zsh"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
NO_TEST = re.compile(r"^no-test:\s*(\S.*)$")

# VGG-M scaled (64x64 input, widths / 8) is the network the test trains instead of full-size VGG-M;
# imagenet-vgg-m.mat in the test folder is a MatConvNet file of that network.
SCALED = {"vgg_m": ("vgg_m_scaled", "vgg_m_64_8")}
# A build without oneDNN has no vgg_m/onednn/... cells: the docs' cell names then run on cpu.
BACKEND = {"onednn": "onednn"}
SMALL_TRAINING = {"--epochs": "1", "--folds": "2", "--max-folds": "1"}
FULL_SIZE = ("full-size VGG-M at 224x224 for 60 epochs of 5x2 folds takes hours: the same cells "
             "run on VGG-M scaled (imagenet-vgg-m.mat is a MatConvNet file of it, in the real "
             "format), 1 epoch of one fold of 2-fold CV")


def scaled_run(args):
    """grid/run at a test's size: --network vgg_m_scaled, cell names and globs renamed to it,
    1 epoch of one 2-fold fold, no progress lines."""
    args = set_options(args, dict(SMALL_TRAINING, **{"--network": SCALED["vgg_m"][0]}))
    args = [re.sub(r"^vgg_m/", SCALED["vgg_m"][1] + "/", a) for a in args]
    args = [re.sub(r"^([a-z0-9_]+)/onednn/", r"\1/" + BACKEND["onednn"] + "/", a) for a in args]
    return args + ([] if "--no-progress" in args else ["--no-progress"])


def scaled_network(args):
    return set_options(args, {"--network": SCALED["vgg_m"][0]})


def small_training(args):
    return set_options(args, SMALL_TRAINING)


def elided_options(args):
    """`run CELL ...   # one cell, same options`: the grid command's data options before it."""
    i = args.index("...")
    return scaled_run(args[:i] + ["--atlas", "release_v0/meta/meta.csv", "--out", "results/table1"] + args[i + 1:])


def small_demo(args):
    return set_options(args, {"--epochs": "1", "--lesions": "60", "--retinas": "30", "--general-per-class": "4"})


# (file, regex searched in the command's text, transformation of its argument list, reason)
OVERRIDES = [
    ("README.md", r"dermtl grid --cells 'vgg_m/onednn/imagenet/\*' --atlas", scaled_run, FULL_SIZE),
    ("README.md", r"dermtl run vgg_m/onednn/none/finetune/malignant_vs_benign --synthetic", scaled_run,
     "`run` of a vgg_m cell trains full-size VGG-M at 224x224 on the synthetic lesions: " + FULL_SIZE),
    ("README.md", r"dermtl grid --ham10000", scaled_run, FULL_SIZE),
    ("README.md", r"dermtl extract --network vgg_m ", scaled_network,
     "imagenet-vgg-m.mat here is VGG-M scaled's MatConvNet file (a full-size one is 380 MB)"),
    ("docs/reproducing.md", r"examples/table1 --synthetic", small_training,
     "the synthetic Table 1 grid at its defaults (10 epochs, 5x2 folds) takes about 10 minutes on 2 cores"),
    ("docs/reproducing.md", r"dermtl demo --out results/demo --folds 2 --epochs 5", small_demo,
     "the demo at 600 lesions and 5 epochs takes minutes; tests/programs/demo_small.sh checks its output"),
    ("docs/reproducing.md", r"dermtl grid --cells 'vgg_m/onednn/imagenet/\*'", scaled_run, FULL_SIZE),
    ("docs/reproducing.md", r"dermtl run vgg_m/onednn/none/finetune/malignant_vs_benign \.\.\.", elided_options,
     "the doc elides 'same options' as `...`: the grid command's data options above; " + FULL_SIZE),
    ("docs/reproducing.md", r"dermtl grid --(ham10000|isic2016|isic2017|tree|manifest) ", scaled_run, FULL_SIZE),
    ("README.md", r"dermtl compare-protocols ", small_training,
     "the comparison fine-tunes one cell on 10 folds under each protocol at their default 60 and 80 "
     "epochs (tens of minutes on 2 cores): 1 epoch of one 2-fold fold here"),
    ("docs/reproducing.md", r"dermtl compare-protocols ", small_training,
     "the comparison fine-tunes one cell on 10 folds under each protocol (73 s on 2 cores at 3 epochs): "
     "1 epoch of one 2-fold fold here"),
]


def set_options(args, values):
    """Sets each --option to its value: replaces the value where the command gives the option
    (CLI11 refuses an option given twice), appends it otherwise."""
    args = list(args)
    for option, value in values.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    return args


class DocError(Exception):
    pass


def extract(path, rel):
    """Returns (commands, no_test) of one Markdown file: lists of (line, text) with the command's
    first line number; raises DocError for an unmarked or wrongly marked block."""
    commands, no_test, errors = [], [], []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group(2), m.group(3).strip(), i + 1
        end = i + 1
        while end < len(lines) and not re.match(r"^\s*" + re.escape(fence[0]) + "{%d,}\\s*$" % len(fence), lines[end]):
            end += 1
        if end == len(lines):
            errors.append("%s:%d: a code block that is never closed" % (rel, start))
            break
        body = [(start + 1 + k, l) for k, l in enumerate(lines[i + 1:end])]
        i = end + 1
        words = info.split(None, 1)
        if not words:
            errors.append("%s:%d: a code block without an info string: mark it ```sh (a tested command), "
                          "```sh no-test: REASON, or ```text / the language it is in" % (rel, start))
            continue
        if words[0] not in SHELL_LANGUAGES:
            continue
        rest = words[1].strip() if len(words) > 1 else ""
        if rest and not NO_TEST.match(rest):
            errors.append("%s:%d: shell block marked '%s': expected ```%s (tested) or ```%s no-test: REASON"
                          % (rel, start, info, words[0], words[0]))
            continue
        target = no_test if rest else commands
        joined, first = "", None
        for number, text in body:
            if first is None:
                if not text.strip() or text.strip().startswith("#"):
                    continue
                first = number
            if text.rstrip().endswith("\\"):
                joined += text.rstrip()[:-1] + " "
                continue
            joined += text
            target.append((first, " ".join(joined.split())))
            joined, first = "", None
        if first is not None:
            errors.append("%s:%d: a command ends with a backslash and no next line" % (rel, first))
    if errors:
        raise DocError("\n".join(errors))
    return commands, no_test


def run(argv, cwd, log, env=None):
    with open(log, "w") as out:
        try:
            return subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
        except OSError as e:  # a program the command names does not exist (e.g. `dermtl` not on PATH)
            out.write("cannot run '%s': %s\n" % (argv[0], e))
            return 127


def make_fixtures(root, dermtl, source):
    """Synthetic data in the formats the docs name, written once and linked into each file's folder."""
    f = os.path.join(root, "fixtures")
    os.makedirs(f)
    steps = [
        [dermtl, "synth", "lesions", "--out", os.path.join(f, "lesions"), "--count", "120", "--size", "64"],
        [dermtl, "synth", "retina", "--out", os.path.join(f, "retinopathy"), "--count", "30", "--size", "64"],
        ["/usr/bin/python3", os.path.join(source, "tests", "support", "own_data_formats.py"),
         os.path.join(f, "lesions"), os.path.join(f, "own")],
        ["/usr/bin/python3", os.path.join(source, "tests", "oracles", "matconvnet_models.py"), "write",
         os.path.join(f, "vgg_m_64_8.mat"), "--layout", "newer", "--size", "64", "--div", "8",
         "--classes", "1000", "--seed", "1"],
    ]
    for argv in steps:
        log = os.path.join(root, "fixtures.log")
        if run(argv, root, log) != 0:
            raise SystemExit("FAIL: making the test data: %s\n%s" % (shlex.join(argv), tail(log)))
    own = os.path.join(f, "own")
    fixtures = os.path.join(source, "tests", "data", "fixtures")
    return {  # name in the docs -> what it is here
        "release_v0": os.path.join(f, "lesions", "release_v0"),
        "retinopathy": os.path.join(f, "retinopathy"),
        "imagenet-vgg-m.mat": os.path.join(f, "vgg_m_64_8.mat"),
        "ISIC_ROOT": os.path.join(own, "isic2016"),
        "ISIC2016": os.path.join(own, "isic2016"),
        "ISIC2017": os.path.join(own, "isic2017"),
        "HAM10000_metadata.csv": os.path.join(own, "ham10000", "HAM10000_metadata.csv"),
        "HAM10000_images": os.path.join(own, "ham10000", "images"),
        "my_lesions": os.path.join(own, "tree"),
        "visits.csv": os.path.join(own, "clinic", "visits.csv"),
        "photos": os.path.join(own, "clinic", "photos"),
        "my_terms.csv": os.path.join(own, "clinic", "map.csv"),
        "labels.csv": os.path.join(fixtures, "protocol1.csv"),
        "folds.yml": os.path.join(fixtures, "protocol1.yml"),
        "ISBI2016_ISIC_Part3_Training_GroundTruth.csv":
            os.path.join(fixtures, "ISBI2016_ISIC_Part3_Training_GroundTruth.csv"),
        "tests": os.path.join(source, "tests"),
    }


def lay_out(folder, links, dermtl, examples):
    os.makedirs(os.path.join(folder, "build", "apps"))
    os.symlink(dermtl, os.path.join(folder, "build", "apps", "dermtl"))
    if examples:
        os.makedirs(os.path.join(folder, "build", "examples"))
        for name in os.listdir(examples):
            p = os.path.join(examples, name)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                os.symlink(p, os.path.join(folder, "build", "examples", name))
    for name, target in links.items():
        os.symlink(target, os.path.join(folder, name))


def tail(path, n=25):
    lines = open(path, errors="replace").read().splitlines()
    return "\n".join("    | " + l for l in lines[-n:])


def program_of(args):
    """(program key, help argv) of a dermtl or table-program command, else None."""
    if not args:
        return None
    if args[0] == "build/apps/dermtl":
        sub = [a for a in args[1:3] if not a.startswith("-")]
        if sub[:1] == ["slurm"]:
            sub = sub[:2]
        else:
            sub = sub[:1]
        return " ".join(["dermtl"] + sub), ["build/apps/dermtl"] + sub + ["--help"]
    if args[0].startswith("build/examples/"):
        return os.path.basename(args[0]), [args[0], "--help"]
    return None


def check_options(rel, number, text, folder, helps):
    """A no-test command of dermtl or a table program: every --option it names is in its --help."""
    try:
        args = shlex.split(text, comments=True)
    except ValueError:
        return None
    key = program_of(args)
    if not key or not os.path.exists(os.path.join(folder, args[0])):
        return None
    name, argv = key
    if name not in helps:
        p = subprocess.run(argv, cwd=folder, capture_output=True, text=True)
        helps[name] = set(re.findall(r"(--[a-z0-9][a-z0-9-]*)", p.stdout))
    unknown = [a.split("=")[0] for a in args if a.startswith("--") and a.split("=")[0] not in helps[name]]
    if unknown:
        return "%s:%d: no-test command names options that `%s --help` does not list: %s\n    %s" % (
            rel, number, name, ", ".join(unknown), text)
    return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--dermtl", required=True)
    parser.add_argument("--examples", default="")
    parser.add_argument("--keep", default="", help="run in this (new) folder and keep it")
    parser.add_argument("--list", action="store_true", help="extract and check the marking only")
    a = parser.parse_args()
    source, dermtl = os.path.abspath(a.source_dir), os.path.abspath(a.dermtl)
    examples = os.path.abspath(a.examples) if a.examples and os.path.isdir(a.examples) else ""

    docs = ["README.md"] + sorted("docs/" + n for n in os.listdir(os.path.join(source, "docs")) if n.endswith(".md"))
    extracted, errors = {}, []
    for rel in docs:
        try:
            extracted[rel] = extract(os.path.join(source, rel), rel)
        except DocError as e:
            errors.append(str(e))
    if errors:
        print("FAIL: shell blocks that are neither tested nor marked no-test:\n" + "\n".join(errors))
        return 1

    used = set()
    for k, (rel, pattern, _, reason) in enumerate(OVERRIDES):
        assert reason, "override %d has no reason" % k
        if not any(re.search(pattern, t) for _, t in extracted.get(rel, ([], []))[0]):
            errors.append("override for %s /%s/ matches no tested command there (stale: remove or update it)"
                          % (rel, pattern))
    if errors:
        print("FAIL:\n" + "\n".join(errors))
        return 1

    if a.list:
        for rel in docs:
            commands, no_test = extracted[rel]
            print("%s: %d tested, %d no-test" % (rel, len(commands), len(no_test)))
            for number, text in commands:
                names = [r for (doc, pattern, _, r) in OVERRIDES if doc == rel and re.search(pattern, text)]
                print("  %d: %s%s" % (number, text, "  [override: %s]" % names[0] if names else ""))
        return 0

    root = a.keep or tempfile.mkdtemp(prefix="dermtl-doc-commands-")
    if a.keep:
        os.makedirs(root)
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    started = time.time()
    failures, summary, helps = [], [], {}
    try:
        listed = subprocess.run([dermtl, "grid", "--list"], capture_output=True, text=True).stdout
        if "/onednn/" not in listed:
            BACKEND["onednn"] = "cpu"
            print("note: this build has no oneDNN cells; the docs' vgg_m/onednn/... cells run as .../cpu/...")
        links = make_fixtures(root, dermtl, source)
        for rel in docs:
            commands, no_test = extracted[rel]
            folder = os.path.join(root, rel.replace("/", "_").replace(".md", ""))
            lay_out(folder, links, dermtl, examples)
            ran, skipped = 0, []
            for n, (number, text) in enumerate(commands):
                overrides = [(f, r) for (doc, pattern, f, r) in OVERRIDES if doc == rel and re.search(pattern, text)]
                args = shlex.split(text, comments=True)
                if args[0].startswith("build/examples/") and not os.path.exists(os.path.join(folder, args[0])):
                    skipped.append("%s:%d (%s not built)" % (rel, number, args[0]))
                    continue
                if overrides:
                    for f, _ in overrides:
                        args = f(args)
                    argv, shown = args, shlex.join(args)
                else:
                    argv, shown = ["bash", "-e", "-c", text], text
                log = os.path.join(folder, "command-%02d.log" % n)
                t0 = time.time()
                rc = run(argv, folder, log, env)
                ran += 1
                took = time.time() - t0
                print("%s:%d: rc %d, %.1f s: %s%s" % (rel, number, rc, took, shown,
                                                      "  [override: %s]" % overrides[0][1] if overrides else ""),
                      flush=True)
                if rc != 0:
                    failures.append("%s:%d: the documented command failed (exit %d):\n    %s\n%s%s"
                                    % (rel, number, rc, text,
                                       "    run as: %s\n" % shown if overrides else "", tail(log)))
            checked = 0
            for number, text in no_test:
                problem = check_options(rel, number, text, folder, helps)
                if problem:
                    failures.append(problem)
                if problem is not None:
                    checked += 1
            summary.append("%s: %d command(s) run%s, %d no-test (%d of them with their options checked "
                           "against --help)" % (rel, ran, ", %d skipped: %s" % (len(skipped), "; ".join(skipped))
                                                if skipped else "", len(no_test), checked))
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    print("\n".join(summary))
    print("total %.0f s" % (time.time() - started))
    if failures:
        print("\nFAIL: %d documented command(s):\n%s" % (len(failures), "\n\n".join(failures)))
        return 1
    print("ok: every tested command in README.md and docs/*.md ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
