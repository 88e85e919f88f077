"""Oracle for dermtl/metrics/significance.hpp: 5x2cv t and F statistics from their definitions
(numpy), p-values from scipy.stats.

usage: scipy_significance.py <cases.json> <answers.json>
cases: [{"a": [10 per-fold values], "b": [10 values]}, ...]
"""
import json
import sys

import numpy as np
from scipy import stats


def answer(case):
    p = (np.asarray(case["a"], dtype=np.float64) - np.asarray(case["b"], dtype=np.float64)).reshape(5, 2)
    s2 = ((p - p.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    t = p[0, 0] / np.sqrt(s2.mean())
    f = (p ** 2).sum() / (2 * s2.sum())
    return {"t": t, "t_p": 2 * stats.t.sf(abs(t), 5), "f": f, "f_p": stats.f.sf(f, 10, 5)}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([answer(c) for c in cases], f)


if __name__ == "__main__":
    main()
