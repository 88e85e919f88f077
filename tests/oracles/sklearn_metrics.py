"""Oracle for dermtl/metrics: reads cases from a JSON file, writes sklearn's answers to another.

usage: sklearn_metrics.py <cases.json> <answers.json>
cases: {"binary": [{"labels": [...], "scores": [...]}, ...],
        "multiclass": [{"labels": [...], "scores": [[...], ...]}, ...]}
Binary answers: roc_auc_score, roc_curve (default drop_intermediate), average_precision_score,
and, when every score lies in [0, 1], the ISIC 2016 scorer's ACC/SE/SP (`> 0.5` rule, via
sklearn's accuracy_score / recall_score) and specificity at sensitivity 0.95/0.98/0.99 (the
scorer's loop over roc_curve). Multiclass: Hand & Till one-vs-one mean via sklearn, and the public
roc_auc_score(multi_class='ovo') when rows sum to 1.
"""
import json
import sys

import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, recall_score, roc_auc_score,
                             roc_curve)
from sklearn.metrics._base import _average_multiclass_ovo_score


def spec_at_sens(y, s, target):
    fpr, tpr, _ = roc_curve(y, s)
    for f, t in zip(fpr, tpr):
        if t >= target:
            return 1.0 - f
    return 0.0


def binary(case):
    y = np.asarray(case["labels"], dtype=np.int64)
    s = np.asarray(case["scores"], dtype=np.float64)
    fpr, tpr, thr = roc_curve(y, s)
    out = {"auc": roc_auc_score(y, s), "fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr.tolist(),
           "ap": average_precision_score(y, s)}
    if np.all((s >= 0) & (s <= 1)):
        yb, sb = y > 0.5, s > 0.5
        out["acc"] = accuracy_score(yb, sb)
        out["se"] = recall_score(yb, sb)
        out["sp"] = recall_score(yb, sb, pos_label=False)
        out["sp95"] = spec_at_sens(y, s, 0.95)
        out["sp98"] = spec_at_sens(y, s, 0.98)
        out["sp99"] = spec_at_sens(y, s, 0.99)
    return out


def multiclass(case):
    y = np.asarray(case["labels"], dtype=np.int64)
    s = np.asarray(case["scores"], dtype=np.float64)
    out = {"ovo": _average_multiclass_ovo_score(roc_auc_score, y, s, average="macro")}
    if np.allclose(1, s.sum(axis=1)):
        out["ovo_public"] = roc_auc_score(y, s, multi_class="ovo", average="macro")
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    answers = {"binary": [binary(c) for c in cases.get("binary", [])],
               "multiclass": [multiclass(c) for c in cases.get("multiclass", [])]}
    with open(sys.argv[2], "w") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main()
