"""Oracle for dermtl/svm: decision values of scikit-learn's LinearSVC on the same data and C.

usage: sklearn_linear_svc.py <cases.json> <answers.json>
cases: [{"X": [[...]] (float32 values), "y": [...], "n_classes": K, "C": c, "tol": t}, ...]
Two classes: LinearSVC(C, loss='squared_hinge', dual=True, class_weight='balanced', tol,
intercept_scaling=1, max_iter=100000).decision_function(X). K > 2: OneVsRestClassifier over the
same LinearSVC (each binary problem balanced on its own, as the paper's reference code did with
SVC). Also returns coef/intercept and the number of iterations for diagnosis.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC


def answer(case):
    X = np.asarray(case["X"], dtype=np.float32)
    y = np.asarray(case["y"], dtype=np.int64)
    svc = LinearSVC(C=case["C"], loss="squared_hinge", dual=True, penalty="l2", class_weight="balanced",
                    tol=case["tol"], intercept_scaling=1.0, fit_intercept=True, max_iter=100000, random_state=0)
    if case["n_classes"] == 2:
        model = svc.fit(X, y)
    else:
        model = OneVsRestClassifier(svc).fit(X, y)
    d = model.decision_function(X)
    return {"decision": np.asarray(d, dtype=np.float64).reshape(len(y), -1).tolist()}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = [answer(c) for c in cases]
    with open(sys.argv[2], "w") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main()
