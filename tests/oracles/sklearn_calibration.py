"""Oracle for dermtl/metrics/calibration.hpp: sklearn.calibration.calibration_curve and
sklearn.metrics.brier_score_loss (scikit-learn 1.2).

usage: sklearn_calibration.py <cases.json> <answers.json>
cases: [{"labels": [...], "probabilities": [...], "weights": [...] or null, "n_bins": B}, ...]
answers, per case: brier (unweighted), brier_weighted (when weights are given), and for each
strategy ("uniform", "quantile"): the edges, calibration_curve's prob_true and prob_pred (empty
bins dropped), the count of every bin, counted here beside calibration_curve, which returns no
counts, by comparing each probability with the edges (bin k holds edges[k] < p <= edges[k+1],
the first bin every p <= edges[1]), and the ECE from those.
"""
import json
import sys

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss


def binned(y, p, n_bins, strategy):
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    counts = []
    for k in range(n_bins):
        inside = np.ones_like(p, dtype=bool)
        if k > 0:
            inside &= p > edges[k]
        if k + 1 < n_bins:
            inside &= p <= edges[k + 1]
        counts.append(int(inside.sum()))
    nonzero = np.array([c for c in counts if c > 0], dtype=np.float64)
    assert nonzero.sum() == len(p) and len(nonzero) == len(prob_true)
    gaps = np.abs(prob_true - prob_pred)
    return {"edges": edges.tolist(), "prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist(),
            "counts": counts, "ece": float(np.sum(nonzero / len(p) * gaps)), "mce": float(gaps.max())}


def answer(case):
    y = np.asarray(case["labels"])
    p = np.asarray(case["probabilities"], dtype=np.float64)
    out = {"brier": float(brier_score_loss(y, p))}
    if case.get("weights") is not None:
        out["brier_weighted"] = float(brier_score_loss(y, p, sample_weight=np.asarray(case["weights"])))
    for strategy in ("uniform", "quantile"):
        out[strategy] = binned(y, p, case["n_bins"], strategy)
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([answer(c) for c in cases], f)


if __name__ == "__main__":
    main()
