"""Oracle for dermtl/metrics/bootstrap.hpp: scipy.stats.bootstrap (1.10), percentile and BCa, fed
the resamples dermtl drew, with the statistics computed by scikit-learn / numpy.

usage: scipy_bootstrap.py <cases.json> <answers.json>
cases: [{"metric": "auc" | "ap" | "sensitivity" | "specificity" | "ece_uniform" | "ece_quantile" | "ovo_auc",
         "labels": [...], "scores": [...] (or n x K for ovo_auc), "n_bins": B (ECE only),
         "units": [[rows of unit 0], [rows of unit 1], ...],
         "resamples": [[unit indices of resample 1], ...], "confidence": 0.95}, ...]

What is shared with dermtl and what is not. Shared: the resamples (dermtl's seeded, stratified,
clustered draws; scipy's own draws are neither stratified nor clustered, and its generator is
not dermtl's). Independent: the statistic (the Mann-Whitney U for the AUC, sklearn's
roc_auc_score for the one-vs-one AUC, average_precision_score, recall_score, and the ECE in exact
arithmetic, checked against calibration_curve), the replicate distribution recomputed from the
resamples, scipy's BCa (bias correction, jackknife acceleration, adjusted percentiles), scipy's jackknife
over the units (leave one cluster out), and numpy's percentile. scipy.stats.bootstrap is called
through its public API; only its private _bootstrap_resample is replaced, so that it returns the
given resamples instead of drawing its own (a check makes sure scipy really asked for them).
"""
import json
import sys
from fractions import Fraction

import numpy as np
import scipy.stats
import scipy.stats._resampling as resampling
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, recall_score, roc_auc_score


def ece_sklearn(y, p, n_bins, strategy):
    """ECE from calibration_curve, with the bin counts computed beside it (it returns none)."""
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    edges = bin_edges(p, n_bins, strategy)
    counts = []
    for k in range(n_bins):
        inside = np.ones_like(p, dtype=bool)
        if k > 0:
            inside &= p > edges[k]
        if k + 1 < n_bins:
            inside &= p <= edges[k + 1]
        counts.append(int(inside.sum()))
    counts = np.array([c for c in counts if c > 0], dtype=np.float64)
    assert counts.sum() == len(p) and len(counts) == len(prob_true)
    return float(np.sum(counts / len(p) * np.abs(prob_true - prob_pred)))


def bin_edges(p, n_bins, strategy):
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    return np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)


def ece_exact(y, p, n_bins, strategy):
    """The same ECE in exact rational arithmetic, sum_k |positives_k - sum_k p| / n, rounded once:
    a replicate whose ECE equals the estimate's then compares equal to it, as BCa's bias
    correction needs (float sums in another order can leave the same value a bit apart)."""
    bins = np.searchsorted(bin_edges(p, n_bins, strategy)[1:-1], p)
    total = Fraction(0)
    for k in range(n_bins):
        inside = bins == k
        if inside.any():
            total += abs(int(y[inside].sum()) - sum(Fraction(float(v)) for v in p[inside]))
    return float(total / len(p))


def metric_function(case):
    name = case["metric"]
    if name == "auc":
        # The Mann-Whitney U over m n: midranks are exact in binary, so a replicate whose AUC
        # equals the estimate's compares equal to it, as BCa's bias correction needs (sklearn's
        # trapezoids can leave the same rational one bit apart, which scipy would count as below).
        return lambda y, s: scipy.stats.mannwhitneyu(s[y == 1], s[y == 0]).statistic / (
            (y == 1).sum() * (y == 0).sum())
    if name == "ap":
        return average_precision_score
    if name == "sensitivity":
        return lambda y, s: recall_score(y, (s > 0.5).astype(int), pos_label=1)
    if name == "specificity":
        return lambda y, s: recall_score(y, (s > 0.5).astype(int), pos_label=0)
    if name in ("ece_uniform", "ece_quantile"):
        strategy = name.split("_")[1]
        return lambda y, s: ece_exact(y, s, case["n_bins"], strategy)
    if name == "ovo_auc":
        return lambda y, s: roc_auc_score(y, s, multi_class="ovo", average="macro")
    raise ValueError(name)


def answer(case):
    labels = np.asarray(case["labels"])
    scores = np.asarray(case["scores"], dtype=np.float64)
    units = [np.asarray(u, dtype=np.intp) for u in case["units"]]
    resamples = np.asarray(case["resamples"], dtype=np.intp)
    f = metric_function(case)
    if case["metric"].startswith("ece_"):  # the exact ECE is calibration_curve's
        strategy = case["metric"].split("_")[1]
        assert abs(ece_exact(labels, scores, case["n_bins"], strategy) -
                   ece_sklearn(labels, scores, case["n_bins"], strategy)) < 1e-13

    def on_units(unit_indices):
        rows = np.concatenate([units[u] for u in unit_indices])
        return f(labels[rows], scores[rows])

    def statistic(unit_indices, axis=-1):
        # scipy calls it on one sample (1-D) and on batches of samples (2-D, one per row).
        unit_indices = np.asarray(unit_indices)
        if unit_indices.ndim == 1:
            return on_units(unit_indices)
        return np.array([on_units(row) for row in unit_indices.reshape(-1, unit_indices.shape[-1])]).reshape(
            unit_indices.shape[:-1])

    calls = []

    def given_resamples(sample, n_resamples=None, random_state=None):
        calls.append(n_resamples)
        return sample[..., resamples[:n_resamples]]

    original = resampling._bootstrap_resample
    resampling._bootstrap_resample = given_resamples
    try:
        data = (np.arange(len(units)),)
        bca = scipy.stats.bootstrap(data, statistic, vectorized=True, n_resamples=len(resamples), batch=None,
                                    confidence_level=case["confidence"], method="BCa")
    finally:
        resampling._bootstrap_resample = original
    assert calls == [len(resamples)], calls
    # The percentile interval from the same distribution (n_resamples=0: no new draws).
    percentile = scipy.stats.bootstrap(data, statistic, vectorized=True, n_resamples=0,
                                       bootstrap_result=bca, confidence_level=case["confidence"],
                                       method="percentile")
    theta_b = bca.bootstrap_distribution
    alpha = (1 - case["confidence"]) / 2
    _, _, a_hat = resampling._bca_interval(data, statistic, axis=-1, alpha=alpha, theta_hat_b=theta_b, batch=None)
    return {"estimate": float(on_units(np.arange(len(units)))),
            "replicates": theta_b.tolist(),
            "percentile": [float(percentile.confidence_interval.low), float(percentile.confidence_interval.high)],
            "bca": [float(bca.confidence_interval.low), float(bca.confidence_interval.high)],
            "standard_error": float(bca.standard_error),
            "acceleration": float(a_hat)}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([answer(c) for c in cases], f)


if __name__ == "__main__":
    main()
