"""Oracle for `dermtl score`: reads the same truth and predictions CSV files with the csv module,
scores them with scikit-learn 1.2 as the ISIC scorers define the measures, and compares with the
JSON dermtl printed (to 1e-12). No dermtl code.

usage: sklearn_score_files.py FORMAT TRUTH.csv PREDICTIONS.csv DERMTL.json
FORMAT: 2016 | 2017 | 2019 | dermtl
Checked: 2016: accuracy, sensitivity, specificity, average_precision, area_under_roc,
spec_at_sens_95/98/99; 2017: the same per category and their mean with spec_at_sens_82/89/95;
2019 and dermtl: per-category auc, ap, accuracy, sensitivity, specificity (score_weight), the
macro average of auc, and overall (balanced accuracy).
"""
import csv
import json
import sys

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

TOL = 1e-12


def spec_at_sens(y, s, target, w=None):
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w)
    for f, t in zip(fpr, tpr):
        if t >= target:
            return 1.0 - f
    return 0.0


def rates(y, s, w=None):
    w = np.ones(len(y)) if w is None else w
    t, p = y > 0.5, s > 0.5
    tp, tn = np.sum(w * (t & p)), np.sum(w * (~t & ~p))
    fp, fn = np.sum(w * (~t & p)), np.sum(w * (t & ~p))
    return {"accuracy": (tp + tn) / (tp + tn + fp + fn),
            "sensitivity": 1.0 if tp + fn == 0 else tp / (tp + fn),
            "specificity": 1.0 if tn + fp == 0 else tn / (tn + fp)}


def rows(path):
    with open(path, newline="") as f:
        return [r for r in csv.reader(f) if r]


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def check(name, got, want):
    if got is None or abs(got - want) > TOL:
        print("MISMATCH %s: dermtl %r, sklearn %r" % (name, got, want))
        return 1
    return 0


def legacy(fmt, truth_rows, pred_rows, out):
    names = {m["name"]: m["value"] for m in out[0]["metrics"]}
    if fmt == "2016":
        cats, targets = ["malignant"], (0.95, 0.98, 0.99)
        truth_rows = [r for r in truth_rows if r[1].lower() in ("0", "1", "0.0", "1.0", "benign", "malignant")]
        truth = {r[0]: [1.0 if r[1].lower() in ("1", "1.0", "malignant") else 0.0] for r in truth_rows}
    else:
        cats, targets = ["melanoma", "seborrheic_keratosis"], (0.82, 0.89, 0.95)
        truth = {r[0]: [float(r[1]), float(r[2])] for r in truth_rows if is_number(r[1])}
    pred = {r[0]: [float(v) for v in r[1:]] for r in pred_rows if is_number(r[1])}
    ids = list(truth)
    bad = 0
    values = {}
    for k, c in enumerate(cats):
        y = np.array([truth[i][k] for i in ids])
        s = np.array([pred[i][k] for i in ids])
        v = dict(rates(y, s))
        v["average_precision"] = average_precision_score(y, s)
        v["area_under_roc"] = roc_auc_score(y, s)
        for t in targets:
            v["spec_at_sens_%d" % round(t * 100)] = spec_at_sens(y, s, t)
        values[c] = v
    for c in cats:
        for m, want in values[c].items():
            bad += check(m if fmt == "2016" else m + "_" + c, names.get(m if fmt == "2016" else m + "_" + c), want)
    if fmt == "2017":
        for m in values["melanoma"]:
            bad += check(m + "_mean", names.get(m + "_mean"), (values["melanoma"][m] + values["seborrheic_keratosis"][m]) / 2)
    return bad


def modern(fmt, truth_rows, pred_rows, out):
    if fmt == "dermtl":
        header = truth_rows[0]
        k = len(header) - 4 if not header[-1].startswith("confidence_") else 2
        classes = {}
        for r in truth_rows[1:]:
            classes[int(r[2])] = r[3]
        cats = [classes[j] for j in range(k)]
        truth, pred = {}, {}
        for r in truth_rows[1:]:
            truth[r[0]] = [1.0 if int(r[2]) == j else 0.0 for j in range(k)]
        for r in pred_rows[1:]:
            c = float(r[-1])
            pred[r[0]] = [1 - c, c] if k == 2 else [float(v) for v in r[4:]]
        weights = None
    else:
        header = truth_rows[0]
        cats = [h for h in header[1:] if h not in ("score_weight", "validation_weight")]
        col = {h: i for i, h in enumerate(header)}
        truth = {r[0]: [float(r[col[c]]) for c in cats] for r in truth_rows[1:]}
        w = {r[0]: float(r[col["score_weight"]]) if "score_weight" in col else 1.0 for r in truth_rows[1:]}
        pcol = {h: i for i, h in enumerate(pred_rows[0])}
        pred = {r[0][:-4] if r[0].lower().endswith(".jpg") else r[0]: [float(r[pcol[c]]) for c in cats]
                for r in pred_rows[1:]}
        weights = np.array([w[i] for i in truth])
    ids = list(truth)
    bad = 0
    aucs = []
    for k, c in enumerate(cats):
        y = np.array([truth[i][k] for i in ids])
        s = np.array([pred[i][k] for i in ids])
        auc = roc_auc_score(y, s, sample_weight=weights)
        aucs.append(auc)
        bad += check("auc/" + c, out["per_category"]["auc"][c], auc)
        bad += check("ap/" + c, out["per_category"]["ap"][c], average_precision_score(y, s, sample_weight=weights))
        for m, want in rates(y, s, weights).items():
            bad += check(m + "/" + c, out["per_category"][m][c], want)
    bad += check("macro auc", out["macro_average"]["auc"], float(np.mean(aucs)))
    # Balanced accuracy: argmax labels, a tied prediction wrong, weighted by score_weight.
    t = np.array([truth[i] for i in ids])
    p = np.array([pred[i] for i in ids])
    w = np.ones(len(ids)) if weights is None else weights
    tl = t.argmax(axis=1)
    tied = (p == p.max(axis=1, keepdims=True)).sum(axis=1) > 1
    pl = np.where(tied, -1, p.argmax(axis=1))
    per = [np.sum(w[(tl == j) & (pl == j)]) / np.sum(w[tl == j]) for j in range(len(cats)) if np.sum(w[tl == j]) > 0]
    bad += check("overall", out["overall"], float(np.mean(per)))
    return bad


def main():
    fmt, truth_path, pred_path, out_path = sys.argv[1:5]
    with open(out_path) as f:
        out = json.load(f)
    truth_rows, pred_rows = rows(truth_path), rows(pred_path)
    bad = legacy(fmt, truth_rows, pred_rows, out) if fmt in ("2016", "2017") else modern(fmt, truth_rows, pred_rows, out)
    if bad:
        sys.exit("%d mismatches" % bad)
    print("ok: %s matches sklearn" % fmt)


if __name__ == "__main__":
    main()
