"""Oracle for dermtl/svm/platt_scaling.hpp.

usage: sklearn_platt.py <cases.json> <answers.json>
cases: [{"f": [decision values], "y": [0/1 labels]}, ...]
answers: sklearn's _sigmoid_calibration (a, b) (BFGS, gtol 1e-5) and the same objective minimized
to gtol 1e-11 by scipy's BFGS started there, then finished by Newton steps ("tight").
"""
import json
import sys
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, xlogy
from sklearn.calibration import _sigmoid_calibration


def answer(case):
    f = np.asarray(case["f"], dtype=np.float64)
    y = np.asarray(case["y"], dtype=np.float64)
    a, b = _sigmoid_calibration(f, y)
    prior1 = y.sum()
    prior0 = len(y) - prior1
    t = np.where(y > 0, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))

    def objective(ab):
        p = expit(-(ab[0] * f + ab[1]))
        return -(xlogy(t, p) + xlogy(1 - t, 1 - p)).sum()

    def grad(ab):
        p = expit(-(ab[0] * f + ab[1]))
        return np.array([np.dot(t - p, f), np.sum(t - p)])

    ab = minimize(objective, np.array([a, b]), jac=grad, method="BFGS", options={"gtol": 1e-11, "maxiter": 10000}).x
    for _ in range(20):  # finish with Newton steps on the same objective (analytic Hessian)
        p = expit(-(ab[0] * f + ab[1]))
        w = p * (1 - p)
        h = np.array([[np.dot(w, f * f), np.dot(w, f)], [np.dot(w, f), w.sum()]])
        step = np.linalg.solve(h, -grad(ab))
        ab = ab + step
        if np.abs(step).sum() < 1e-15 * (1 + np.abs(ab).sum()):
            break
    return {"a": float(a), "b": float(b), "tight_a": float(ab[0]), "tight_b": float(ab[1])}


def main():
    with open(sys.argv[1]) as fh:
        cases = json.load(fh)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = [answer(c) for c in cases]
    with open(sys.argv[2], "w") as fh:
        json.dump(answers, fh)


if __name__ == "__main__":
    main()
