# Runs the official LVIS API (lvis 0.5.3, LVISEval) on each case of a JSON list and saves
# what the LVIS parity test compares. argv[1]: the cases file, a list of {"gt", "results",
# "iou_type", "out"}.
import contextlib
import io
import json
import os
import sys

import numpy as np

# lvis 0.5.3's accumulate() calls `astype(dtype=np.float)`, an alias of the builtin float
# (float64) that NumPy 1.24 removed; restore it so the unmodified package runs.
if not hasattr(np, "float"):
    np.float = float

from lvis import LVIS, LVISEval, LVISResults  # noqa: E402

for case in json.load(open(sys.argv[1])):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = LVIS(case["gt"])
        evaluator = LVISEval(gt, LVISResults(gt, case["results"]), case["iou_type"])
        evaluator.run()
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            evaluator.print_results()
    out = case["out"]
    os.makedirs(out, exist_ok=True)
    results = {name: float(value) for name, value in evaluator.get_results().items()}
    with open(os.path.join(out, "results.json"), "w") as f:
        # Python's repr of each double, so the comparison is exact.
        f.write(json.dumps([[name, repr(value)] for name, value in results.items()]))
    for name in ("precision", "recall"):
        np.save(os.path.join(out, name + ".npy"), evaluator.eval[name].astype(np.float64))
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text.getvalue())
