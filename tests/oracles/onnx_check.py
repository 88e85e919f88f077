"""The ONNX checker (python3-onnx, Debian's ONNX 1.12) on a graph written by `dermtl export-onnx`.

    python3 onnx_check.py MODEL.onnx CLASSES

Fails (exit 1) unless onnx.checker.check_model accepts the model, its opset is 13 to 17, it has
the input 'image' [N, 3, H, W] with a symbolic batch dimension, and ONNX's shape inference gives
the outputs 'probabilities' [N, CLASSES] and 'decision_values' [N, 1 or CLASSES].
Prints the node kinds and the LRN and MaxPool attributes (what the conventions turned into).
"""
import collections
import sys

import onnx
from onnx import helper, shape_inference


def dims(value):
    return [d.dim_param if d.dim_param else d.dim_value for d in value.type.tensor_type.shape.dim]


def main():
    path, classes = sys.argv[1], int(sys.argv[2])
    model = onnx.load(path)
    onnx.checker.check_model(model)
    errors = []
    opsets = {o.domain: o.version for o in model.opset_import}
    if not 13 <= opsets.get("", 0) <= 17:
        errors.append(f"opset {opsets} is not 13-17")
    inputs = {i.name: dims(i) for i in model.graph.input}
    if list(inputs) != ["image"] or len(inputs["image"]) != 4 or not isinstance(inputs["image"][0], str):
        errors.append(f"expected the one input 'image' [N, 3, H, W] with a symbolic batch, found {inputs}")
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    outputs = {o.name: dims(o) for o in inferred.graph.output}
    rows = 1 if classes == 2 else classes
    want = {"probabilities": classes, "decision_values": rows}
    for name, width in want.items():
        d = outputs.get(name)
        if d is None or len(d) != 2 or not isinstance(d[0], str) or d[1] != width:
            errors.append(f"output '{name}': expected [N, {width}], found {d}")
    kinds = collections.Counter(n.op_type for n in model.graph.node)
    print(f"{path}: checker OK, opset {opsets['']}, input {inputs}, outputs {outputs}")
    print("  nodes: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for n in model.graph.node:
        if n.op_type in ("LRN", "MaxPool"):
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            print(f"  {n.op_type} {n.name}: {attrs}")
    if errors:
        for e in errors:
            print("FAIL " + e)
        sys.exit(1)


if __name__ == "__main__":
    main()
