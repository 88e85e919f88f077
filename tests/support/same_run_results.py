#!/usr/bin/python3
"""Checks that two dermtl run folders hold the same results, bit for bit: the same files under
work/results, each identical, and the same report tables. Fold results (work/results/<cell>/*.json)
are compared field by field after dropping "seconds", the fold's wall time (protocol/results.hpp:
the one field that is run-specific); JSON numbers are parsed to doubles, so equal means bitwise
equal. The per-image predictions (predictions/**) and the report's tables (report/*.csv, *.md) must
be byte for byte equal. Used by the chaos
tests (tests/programs/chaos_*.sh), which kill or starve a run and resume it.
usage: same_run_results.py RUN_A RUN_B"""
import glob
import json
import os
import sys


def files(root, patterns):
    out = set()
    for p in patterns:
        out |= {os.path.relpath(f, root) for f in glob.glob(os.path.join(root, p), recursive=True) if os.path.isfile(f)}
    return out


def fold_json(path):
    j = json.load(open(path))
    if isinstance(j, dict):
        j.pop("seconds", None)
    return j


def main():
    a, b = sys.argv[1], sys.argv[2]
    problems = []
    ra, rb = os.path.join(a, "work", "results"), os.path.join(b, "work", "results")
    fa, fb = files(ra, ["**/*"]), files(rb, ["**/*"])
    if fa != fb:
        problems.append(f"work/results differ: only in {a}: {sorted(fa - fb)}; only in {b}: {sorted(fb - fa)}")
    if not fa:
        problems.append(f"{a} stored no results")
    for name in sorted(fa & fb):
        pa, pb = os.path.join(ra, name), os.path.join(rb, name)
        if name.endswith(".json"):
            ja, jb = fold_json(pa), fold_json(pb)
            if ja != jb:
                keys = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k)) if isinstance(ja, dict) else []
                problems.append(f"work/results/{name} differs (fields {keys})")
        elif open(pa, "rb").read() != open(pb, "rb").read():
            problems.append(f"work/results/{name} differs")
    pa_, pb_ = os.path.join(a, "predictions"), os.path.join(b, "predictions")
    qa, qb = files(pa_, ["**/*"]), files(pb_, ["**/*"])
    if qa != qb:
        problems.append(f"predictions differ: only in {a}: {sorted(qa - qb)}; only in {b}: {sorted(qb - qa)}")
    for name in sorted(qa & qb):
        if open(os.path.join(pa_, name), "rb").read() != open(os.path.join(pb_, name), "rb").read():
            problems.append(f"predictions/{name} differs")
    rpa, rpb = os.path.join(a, "report"), os.path.join(b, "report")
    ta, tb = files(rpa, ["*.csv", "*.md"]), files(rpb, ["*.csv", "*.md"])
    if ta != tb:
        problems.append(f"report tables differ: only in {a}: {sorted(ta - tb)}; only in {b}: {sorted(tb - ta)}")
    for name in sorted(ta & tb):
        if open(os.path.join(rpa, name), "rb").read() != open(os.path.join(rpb, name), "rb").read():
            problems.append(f"report/{name} differs")
    if problems:
        print("\n".join(f"FAIL: {p}" for p in problems))
        sys.exit(1)
    print(f"ok: {b} holds the same {len(fa)} result file(s), {len(qa)} prediction file(s) and {len(ta)} report "
          f"table(s) as {a}, bit for bit")


if __name__ == "__main__":
    main()
