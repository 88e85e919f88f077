#!/usr/bin/python3
"""Checks that two dermtl run folders stored the same fold results, exactly: the same
work/results/<cell>/Fold_*.json files, each with identical ids, labels, scores, AUC and chosen C
(and, with --fingerprint, the same provenance fingerprint). Used by the tests that run one grid two
ways (shards, a Slurm array, a requeued task) against a plain run of the same binary.
usage: same_fold_results.py RUN_A RUN_B COUNT [--fingerprint]"""
import glob
import json
import os
import sys


def folds(run):
    root = os.path.join(run, "work", "results")
    return {os.path.relpath(f, root): json.load(open(f)) for f in glob.glob(os.path.join(root, "*", "Fold_*.json"))}


def main():
    a, b, count = folds(sys.argv[1]), folds(sys.argv[2]), int(sys.argv[3])
    fields = ["ids", "labels", "scores", "auc", "chosen_c"]
    assert len(a) == count, (count, sorted(a))
    assert sorted(a) == sorted(b), (sorted(a), sorted(b))
    for name in a:
        for field in fields:
            assert a[name][field] == b[name][field], (name, field)
        if "--fingerprint" in sys.argv[4:]:
            assert a[name]["config"]["fingerprint"] == b[name]["config"]["fingerprint"], name
    print(f"ok: {sys.argv[2]} stored the same {count} fold results as {sys.argv[1]}, scores identical")


if __name__ == "__main__":
    main()
