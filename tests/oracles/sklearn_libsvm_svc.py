"""Oracle for dermtl/svm/libsvm_svc.hpp and libsvm_c_selection.hpp: scikit-learn's SVC (its own
copy of libsvm) on the same data, and sklearn's multi-class AUCs.

usage: sklearn_libsvm_svc.py <cases.json> <answers.json>
cases: a list of objects, each with "kind":
  "decision": {"X", "y", "n_classes", "C", "tol"} -> SVC(kernel='linear', C, class_weight='balanced',
      probability=False, tol) decision_function(X) and predict(X); K > 2: OneVsRestClassifier(SVC)
      fitted on the class labels, and "predict_reference": the reference code's three-class decision
      (OneVsRestClassifier fitted on label_binarize(y), LabelBinarizer.inverse_transform of predict).
  "grid": {"X", "y", "n_classes", "C": [grid], "tol", "splits": [[train], [validation]], ...} ->
      GridSearchCV(..., scoring='roc_auc', cv=splits, refit=True) as the reference code ran it:
      two classes SVC on y; three OneVsRestClassifier(SVC) with param estimator__C on
      label_binarize(y). Returns mean_test_score per C, the best C and the refit decision values.
  "auc": {"y", "scores": [[...]]} -> roc_auc_score(label_binarize(y), P, average='macro') and,
      with the rows normalized to sum 1, roc_auc_score(y, P, multi_class='ovr', average='macro').
"""
import json
import sys
import warnings

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import LabelBinarizer, label_binarize
from sklearn.svm import SVC


def svc(c, tol):
    return SVC(kernel="linear", C=c, class_weight="balanced", probability=False, tol=tol, max_iter=-1)


def decision(case):
    X = np.asarray(case["X"], dtype=np.float32)
    y = np.asarray(case["y"], dtype=np.int64)
    model = svc(case["C"], case["tol"])
    if case["n_classes"] > 2:
        model = OneVsRestClassifier(model)
    model.fit(X, y)
    d = np.asarray(model.decision_function(X), dtype=np.float64).reshape(len(y), -1)
    out = {"decision": d.tolist(), "predict": model.predict(X).tolist()}
    if case["n_classes"] > 2:
        # The reference's own rule (src/blend.py): OneVsRestClassifier fitted on label_binarize(y)
        # (multilabel), its indicator predictions turned back into classes by LabelBinarizer.
        classes = list(range(case["n_classes"]))
        lb = LabelBinarizer().fit(classes)
        ref = OneVsRestClassifier(svc(case["C"], case["tol"])).fit(X, label_binarize(y, classes=classes))
        out["predict_reference"] = lb.inverse_transform(ref.predict(X)).tolist()
    return out


def grid(case):
    X = np.asarray(case["X"], dtype=np.float32)
    y = np.asarray(case["y"], dtype=np.int64)
    k = case["n_classes"]
    splits = [(np.asarray(tr), np.asarray(va)) for tr, va in case["splits"]]
    if k == 2:
        gs = GridSearchCV(svc(1.0, case["tol"]), {"C": case["C"]}, scoring="roc_auc", cv=splits, refit=True)
        target = y
    else:
        gs = GridSearchCV(OneVsRestClassifier(svc(1.0, case["tol"])), {"estimator__C": case["C"]},
                          scoring="roc_auc", cv=splits, refit=True)
        target = label_binarize(y, classes=list(range(k)))
    gs.fit(X, target)
    best = gs.best_params_["C" if k == 2 else "estimator__C"]
    d = np.asarray(gs.best_estimator_.decision_function(X), dtype=np.float64).reshape(len(y), -1)
    return {"mean_auc": gs.cv_results_["mean_test_score"].tolist(), "best_c": best, "decision": d.tolist()}


def auc(case):
    y = np.asarray(case["y"], dtype=np.int64)
    P = np.asarray(case["scores"], dtype=np.float64)
    k = P.shape[1]
    binarized = roc_auc_score(label_binarize(y, classes=list(range(k))), P, average="macro")
    normalized = P / P.sum(axis=1, keepdims=True)
    ovr = roc_auc_score(y, normalized, multi_class="ovr", average="macro", labels=list(range(k)))
    return {"binarized": float(binarized), "ovr_normalized": float(ovr)}


def main():
    with open(sys.argv[1]) as fh:
        cases = json.load(fh)
    kinds = {"decision": decision, "grid": grid, "auc": auc}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = [kinds[c["kind"]](c) for c in cases]
    with open(sys.argv[2], "w") as fh:
        json.dump(answers, fh)


if __name__ == "__main__":
    main()
