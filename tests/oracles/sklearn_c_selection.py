"""Oracle for dermtl/svm/c_selection.hpp: the validation AUC of every C on given splits.

usage: sklearn_c_selection.py <cases.json> <answers.json>
cases: [{"X": [[...]], "y": [...], "n_classes": K, "C": [grid], "tol": t,
         "splits": [[train indices], [validation indices]], ...}, ...]
Two classes: GridSearchCV(LinearSVC(squared hinge, dual, balanced), cv=splits,
scoring='roc_auc', refit=True) -> mean_test_score per C, best C, and the refit model's
decision values on X. Three classes: OneVsRestClassifier(LinearSVC) decision values on each
validation split, scored with sklearn's one-vs-one (Hand & Till) average.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.metrics._base import _average_multiclass_ovo_score
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC


def svc(tol, c=1.0):
    return LinearSVC(C=c, loss="squared_hinge", dual=True, class_weight="balanced", tol=tol, max_iter=100000,
                     random_state=0)


def answer(case):
    X = np.asarray(case["X"], dtype=np.float32)
    y = np.asarray(case["y"], dtype=np.int64)
    splits = [(np.asarray(tr), np.asarray(va)) for tr, va in case["splits"]]
    if case["n_classes"] == 2:
        gs = GridSearchCV(svc(case["tol"]), {"C": case["C"]}, scoring="roc_auc", cv=splits, refit=True)
        gs.fit(X, y)
        return {"mean_auc": gs.cv_results_["mean_test_score"].tolist(), "best_c": gs.best_params_["C"],
                "decision": gs.best_estimator_.decision_function(X).tolist()}
    means = []
    for c in case["C"]:
        aucs = []
        for tr, va in splits:
            model = OneVsRestClassifier(svc(case["tol"], c)).fit(X[tr], y[tr])
            aucs.append(_average_multiclass_ovo_score(roc_auc_score, y[va], model.decision_function(X[va])))
        means.append(float(np.mean(aucs)))
    return {"mean_auc": means, "best_c": case["C"][int(np.argmax(means))]}


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
