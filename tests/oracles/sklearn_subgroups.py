"""Oracle for dermtl/metrics/subgroups.hpp: a measure per stratum of a metadata column, computed
independently with pandas-free Python and scikit-learn.

usage: sklearn_subgroups.py <cases.json> <answers.json>
cases: [{"labels": [...], "scores": [...], "strata": [...], "groups": [...] or [],
         "min_positives": P, "min_negatives": N, "ages": [...] (optional), "edges": [...]}, ...]
answers: per case {"strata": {value: {"count", "positives", "negatives", "clusters", "too_small",
         "auc" (sklearn roc_auc_score on the stratum's rows; null when too small)}}, "all": {...},
         "bands": [...] (the age bands of "ages" with "edges", when given)}.

Independent of dermtl: the grouping of rows by value (a blank or unknown-like value is
"unknown"), the counts, the too-small rule as the issue states it (fewer than P positives or
fewer than N negatives; with groups, positives or negatives within fewer than 2 groups), the AUC
(sklearn.metrics.roc_auc_score) and the age bands ([e_i, e_(i+1)) named "e_i-(e_(i+1)-1)", "<e_0"
below, "e_last+" above, blank -> "unknown"), written from the rule, not from dermtl's code.
"""
import bisect
import json
import math
import sys

from sklearn.metrics import roc_auc_score

MISSING = {"", "unknown", "na", "nan", "none", "n/a"}


def stratum_of(value):
    return "unknown" if value.strip().lower() in MISSING else value


def summary(rows, labels, scores, groups, p_min, n_min):
    y = [labels[i] for i in rows]
    s = [scores[i] for i in rows]
    pos = sum(1 for v in y if v == 1)
    neg = len(y) - pos
    out = {"count": len(rows), "positives": pos, "negatives": neg,
           "clusters": len({groups[i] for i in rows}) if groups else len(rows)}
    small = pos < p_min or neg < n_min
    if not small and groups:
        small = len({groups[i] for i in rows if labels[i] == 1}) < 2 or \
                len({groups[i] for i in rows if labels[i] == 0}) < 2
    out["too_small"] = small
    out["auc"] = None if small else float(roc_auc_score(y, s))
    return out


def band(age, edges):
    if age.strip().lower() in MISSING:
        return "unknown"
    x = float(age)
    def txt(e):
        return str(int(e)) if float(e).is_integer() else "%g" % e
    if x < edges[0]:
        return "<" + txt(edges[0])
    i = bisect.bisect_right(edges, x) - 1
    if i == len(edges) - 1:
        return txt(edges[-1]) + "+"
    lo, hi = edges[i], edges[i + 1]
    whole = float(lo).is_integer() and float(hi).is_integer()
    return txt(lo) + "-" + txt(hi - 1 if whole else hi)


def main():
    cases = json.load(open(sys.argv[1]))
    answers = []
    for c in cases:
        labels, scores, groups = c["labels"], c["scores"], c["groups"]
        by = {}
        for i, v in enumerate(c["strata"]):
            by.setdefault(stratum_of(v), []).append(i)
        a = {"strata": {v: summary(r, labels, scores, groups, c["min_positives"], c["min_negatives"])
                        for v, r in by.items()},
             "all": summary(list(range(len(labels))), labels, scores, groups, c["min_positives"],
                            c["min_negatives"])}
        if "ages" in c:
            a["bands"] = [band(v, c["edges"]) for v in c["ages"]]
        answers.append(a)
    json.dump(answers, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
