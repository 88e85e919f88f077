"""Oracle for dermtl/data/reference_runs.hpp: the runs `ixj` exactly as the reference code
(learningtitans/melanoma-transfer: run_all.sh, src/train_nn.py, transform.py, blend.py) makes them
from a fold YAML, read with PyYAML as the reference reads it:

    for i in 1..5, j in 1..2: fold = "ixj"
    f0, f1 = fold.split('x')
    train_list = folds['Fold_' + f0][int(f1)-1]
    test_list  = folds['Fold_' + f0][0 if f1=='2' else 1]

usage: reference_runs.py <folds.yml> <answers.json>
answers: {"runs": [{"name": "1x1", "train": [ids], "test": [ids]}, ...],
          "same_split": [["1x1", "2x2"], ...]}  (a later run with an earlier run's train and test)
Ids lose their image extension (the reference's files end most ids with .tiff).
"""
import json
import sys

import yaml


def strip(ids):
    return sorted(i[:-5] if i.endswith(".tiff") else i for i in ids)


def main(yml, out):
    with open(yml, encoding="utf-8") as f:
        folds = yaml.safe_load(f)
    runs = []
    for i in range(1, 6):
        for j in range(1, 3):
            fold = "{}x{}".format(i, j)
            f0, f1 = fold.split("x")
            train_list = folds["Fold_" + f0][int(f1) - 1]
            test_list = folds["Fold_" + f0][0 if f1 == "2" else 1]
            runs.append({"name": fold, "train": strip(train_list), "test": strip(test_list)})
    same = []
    for k, r in enumerate(runs):
        for e in runs[:k]:
            if e["train"] == r["train"] and e["test"] == r["test"]:
                same.append([e["name"], r["name"]])
                break
    with open(out, "w") as f:
        json.dump({"runs": runs, "same_split": same}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
