"""Oracle for the synthetic generators: are the classes learnable but not trivially separable?

Usage: data_separability.py name:images.npy:labels.npy:binary|multiclass [more ...]
images: N x H x W x 3 float (RGB, 0..255); labels: N integers.
Prints one JSON line {name: {"mean_colour": score, "rich": score, "n": N}, ...} where score is the
cross-validated ROC AUC (binary) or accuracy (multiclass) of a logistic regression on
  mean_colour: the image's mean R, G, B only;
  rich: colour statistics and histograms, gradient statistics and a coarse histogram of
        oriented gradients (features a simple learner can use).
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def rich_features(img):
    x = img / 255.0
    h, w, _ = x.shape
    feats = []
    centre = x[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3)
    flat = x.reshape(-1, 3)
    for region in (flat, centre):
        feats += list(region.mean(0)) + list(region.std(0))
        feats += list(np.percentile(region, [5, 25, 50, 75, 95], axis=0).ravel())
    hist, _ = np.histogramdd(flat, bins=(4, 4, 4), range=((0, 1),) * 3)
    feats += list(hist.ravel() / flat.shape[0])
    gray = x.mean(2)
    gy, gx = np.gradient(gray)
    mag = np.hypot(gx, gy)
    ang = np.mod(np.arctan2(gy, gx), np.pi)
    feats += [mag.mean(), mag.std()] + list(np.percentile(mag, [50, 90, 99]))
    cells = 4
    for cy in range(cells):
        for cx in range(cells):
            sl = (slice(cy * h // cells, (cy + 1) * h // cells), slice(cx * w // cells, (cx + 1) * w // cells))
            hist_o, _ = np.histogram(ang[sl], bins=8, range=(0, np.pi), weights=mag[sl])
            feats += list(hist_o / (mag[sl].sum() + 1e-6))
    return np.array(feats)


def score(features, labels, binary):
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=5000))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    if binary:
        p = cross_val_predict(model, features, labels, cv=folds, method="predict_proba")[:, 1]
        return float(roc_auc_score(labels, p))
    return float(accuracy_score(labels, cross_val_predict(model, features, labels, cv=folds)))


def main():
    results = {}
    for spec in sys.argv[1:]:
        name, images_path, labels_path, mode = spec.rsplit(":", 3)
        images = np.load(images_path).astype(np.float64)
        labels = np.load(labels_path).astype(int).ravel()
        binary = mode == "binary"
        mean_colour = images.mean(axis=(1, 2))
        rich = np.stack([rich_features(im) for im in images])
        results[name] = {"mean_colour": score(mean_colour, labels, binary), "rich": score(rich, labels, binary),
                         "n": int(len(labels))}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
