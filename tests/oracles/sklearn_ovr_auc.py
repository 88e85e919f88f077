"""Oracle for the reference protocol's three-class measure: scikit-learn's macro one-vs-rest AUC.

usage: sklearn_ovr_auc.py <cases.json> <answers.json>
cases: [{"labels": [...], "scores": [[...], ...]}, ...]; answers: [auc, ...], one per case,
roc_auc_score(label_binarize(y, classes=range(K)), scores, average='macro') as the reference
code's src/blend.py computes it.
"""
import json
import sys

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import label_binarize

cases = json.load(open(sys.argv[1]))
answers = []
for c in cases:
    s = np.asarray(c["scores"], dtype=np.float64)
    y = label_binarize(np.asarray(c["labels"]), classes=list(range(s.shape[1])))
    answers.append(float(roc_auc_score(y, s, average="macro")))
json.dump(answers, open(sys.argv[2], "w"))
