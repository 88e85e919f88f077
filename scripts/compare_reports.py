#!/usr/bin/python3
"""Two dermtl reports side by side, cell by cell: e.g. the demo in float32 and in TF32 on a GPU.

usage: compare_reports.py A/report.json B/report.json [--names float32 tf32]
Prints, for every table cell both reports hold, the mean of each and the difference (B - A) in
percentage points, then the largest absolute difference. Reads report.json (report/json.hpp).
"""
import argparse
import json


def cells(path):
    out = {}
    for t in json.load(open(path))["tables"]:
        for r in t["rows"]:
            for c, cell in zip(t["columns"], r["cells"]):
                if cell.get("value"):
                    out[(t["id"], r["name"], c["label"])] = cell["value"]["mean"]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--names", nargs=2, default=["A", "B"])
    args = p.parse_args()
    a, b = cells(args.a), cells(args.b)
    common = [k for k in a if k in b]
    if not common:
        raise SystemExit("compare_reports: the two reports share no table cell")
    na, nb = args.names
    print("| table | row | column | %s | %s | %s - %s (points) |" % (na, nb, nb, na))
    print("|---|---|---|---:|---:|---:|")
    worst = 0.0
    for k in common:
        d = 100 * (b[k] - a[k])
        worst = max(worst, abs(d))
        print("| %s | %s | %s | %.1f | %.1f | %+.2f |" % (k[0], k[1], k[2], 100 * a[k], 100 * b[k], d))
    print("\n%d cells; largest absolute difference %.2f AUC points" % (len(common), worst))


if __name__ == "__main__":
    main()
