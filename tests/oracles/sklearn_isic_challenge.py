"""Oracle for dermtl/metrics/isic_challenge.hpp: the ISIC challenge scorers' measures computed with
scikit-learn 1.2 and numpy, following the scorers' published definitions step by step
(ImageMarkup/isic-challenge-scoring: metrics.py, classification.py, Python/scoreCommon.py; the
2024 Kaggle metric ISIC-Research/Challenge-2024-Metrics, PrimaryMetric-pAUC.py). No dermtl code.

usage: sklearn_isic_challenge.py <cases.json> <answers.json>
cases: {"binary": [{"labels": [...], "scores": [...], "weights": [...] or null}, ...],
        "multiclass": [{"truth": [[...], ...], "prediction": [[...], ...], "weights": [...] or null}, ...]}
Binary answers: auc, ap (sample_weight), auc_sens_80 (the scorer's auc_above_sensitivity at 0.80),
pauc_80 (p_auc_tpr at min_tpr 0.80; only for scores in [0, 1]), spec_at_sens_{82,89,95,98,99},
the confusion rates at > 0.5 (acc, se, sp, dice, ppv, npv; 0/0 scored 1.0, ACC unguarded), and
fpr_at_80 (the interpolated FPR at TPR 0.80, for the identity check).
Multiclass: balanced_accuracy as metrics.balanced_multiclass_accuracy, with sklearn's
confusion_matrix and a label 'undecided' for tied rows.
"""
import json
import sys

import numpy as np
from sklearn.metrics import auc, average_precision_score, confusion_matrix, roc_auc_score, roc_curve


def auc_above_sensitivity(y, s, w, threshold):
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    i = tpr.searchsorted(threshold, side="left")
    f = np.interp(threshold, tpr[i - 1:i + 1], fpr[i - 1:i + 1])
    return float(auc(np.insert(fpr[i:], 0, f), np.insert(tpr[i:], 0, threshold))), float(f)


def p_auc_tpr(y, s, w, min_tpr):
    y = abs(np.asarray(y) - 1)
    s = abs(np.asarray(s) - 1)
    max_fpr = abs(1 - min_tpr)
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w)
    stop = np.searchsorted(fpr, max_fpr, "right")
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    return float(auc(fpr, tpr))


def spec_at_sens(y, s, w, target):
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w)
    for f, t in zip(fpr, tpr):
        if t >= target:
            return float(1.0 - f)
    return 0.0


def rates(truth, pred, w):
    t, p = truth > 0.5, pred > 0.5
    w = np.ones(len(t)) if w is None else w
    tp = float(np.sum(w * (t & p)))
    tn = float(np.sum(w * (~t & ~p)))
    fp = float(np.sum(w * (~t & p)))
    fn = float(np.sum(w * (t & ~p)))

    def ratio(a, b):
        return 1.0 if b == 0 else a / b

    return {"acc": (tp + tn) / (tp + tn + fp + fn), "se": ratio(tp, tp + fn), "sp": ratio(tn, tn + fp),
            "dice": ratio(2 * tp, 2 * tp + fp + fn), "ppv": ratio(tp, tp + fp), "npv": ratio(tn, tn + fn)}


def binary(case):
    y = np.asarray(case["labels"], dtype=np.int64)
    s = np.asarray(case["scores"], dtype=np.float64)
    w = None if case.get("weights") is None else np.asarray(case["weights"], dtype=np.float64)
    a80, f80 = auc_above_sensitivity(y, s, w, 0.80)
    out = {"auc": float(roc_auc_score(y, s, sample_weight=w)),
           "ap": float(average_precision_score(y, s, sample_weight=w)),
           "auc_sens_80": a80, "fpr_at_80": f80}
    for t in (82, 89, 95, 98, 99):
        out["spec_at_sens_%d" % t] = spec_at_sens(y, s, w, t / 100)
    if np.all((s >= 0) & (s <= 1)):
        out["pauc_80"] = p_auc_tpr(y, s, w, 0.80)
        out.update(rates(y.astype(np.float64), s, w))
    return out


def to_labels(m):
    top = m.max(axis=1, keepdims=True)
    ties = (m == top).sum(axis=1) > 1
    labels = np.argmax(m, axis=1).astype(object)
    labels[ties] = "undecided"
    return labels


def balanced_accuracy(case):
    truth = np.asarray(case["truth"], dtype=np.float64)
    pred = np.asarray(case["prediction"], dtype=np.float64)
    k = truth.shape[1]
    w = np.ones(len(truth)) if case.get("weights") is None else np.asarray(case["weights"], dtype=np.float64)
    t, p = to_labels(truth), to_labels(pred)
    categories = list(range(k))
    # sklearn drops the rows whose truth or prediction is not among `labels` from the matrix.
    cm = confusion_matrix([str(v) for v in t], [str(v) for v in p], labels=[str(c) for c in categories],
                          sample_weight=w)
    frequency = np.array([w[t == c].sum() for c in categories])
    with np.errstate(invalid="ignore", divide="ignore"):
        per = cm.diagonal() / frequency
    return {"balanced_accuracy": float(np.nanmean(per))}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    answers = {"binary": [binary(c) for c in cases.get("binary", [])],
               "multiclass": [balanced_accuracy(c) for c in cases.get("multiclass", [])]}
    with open(sys.argv[2], "w") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main()
