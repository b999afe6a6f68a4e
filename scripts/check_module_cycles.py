"""Prints the `use crate::<module>` graph between the top-level modules of a crate and
fails if it has a cycle. Usage: python scripts/check_module_cycles.py crates/cocoprep-coco/src
"""

import collections
import re
import sys
from pathlib import Path


def graph(src):
    edges = collections.defaultdict(set)
    for path in src.rglob("*.rs"):
        top = path.relative_to(src).parts[0].removesuffix(".rs")
        if top in ("lib", "main"):
            continue
        text = re.sub(r"//[^\n]*", "", path.read_text())  # doc links are not imports
        edges[top].update(m for m in re.findall(r"crate::([a-z_0-9]+)", text) if m != top)
    return edges


def cycles(edges):
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                found.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    return found


if __name__ == "__main__":
    edges = graph(Path(sys.argv[1]))
    for node in sorted(edges):
        print(f"{node} -> {', '.join(sorted(edges[node]))}")
    found = cycles(edges)
    for cycle in found:
        print("cycle:", " -> ".join(cycle))
    sys.exit(1 if found else 0)
