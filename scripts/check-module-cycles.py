#!/usr/bin/env python3
"""Reports import cycles between the modules of each crate; exits 1 on any cycle.

A cycle is a file A that uses B while B (directly, or through other files) uses A. Cycles
make a crate hard to split, to test piece by piece and to read from the bottom up, so the
workspace keeps its module graph acyclic.

The graph is built at file granularity, per crate (`crates/*/src`): `foo.rs` and
`foo/mod.rs` are the module `foo`; an inline `mod x { ... }` belongs to its file. An edge
A -> B is recorded for every path in A that resolves into B:

* `use` declarations (brace trees expanded) and paths in code that start with `crate::`,
  `super::`, `self::` or the name of a child module declared in the same scope;
* a path to an item re-exported with `pub use` is followed to the module that defines it
  (so `crate::Error`, re-exported by lib.rs from error.rs, is an edge to error.rs).

Not edges: `mod x;` declarations and `pub use` re-exports themselves (a module's public
face, not a use of it), and `#[cfg(test)]` modules (tests may use anything).

A module and its own submodules using each other (mod.rs defines shared types that its
children use through `super::`, and calls into them) is the common Rust layout; such
cycles are listed, and fail the check only with `--strict`. Every other cycle (between
siblings, or across folders) fails it.

Usage: scripts/check-module-cycles.py [--strict] [REPOSITORY_ROOT]
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

# Cycles allowed on purpose: (crate, folders under src/ that the cycle's files all lie in,
# why). A cycle matching an entry is printed but does not fail the check. Empty: keep it so.
ALLOWED: list[tuple[str, tuple[str, ...], str]] = []

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments_and_strings(text: str) -> str:
    """Blanks out comments, string and char literals, keeping newlines (for line numbers)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:i + 300])) and (i == 0 or not re.match(r"[A-Za-z0-9_]", text[i - 1])):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'":
            # A char literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:i + 12])
            if m:
                out.append(" " * m.end())
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_tree(tree: str) -> list[tuple[list[str], str | None]]:
    """`a::{b, c::{d as e, *}}` -> [(['a','b'], None), (['a','c','d'], 'e'), (['a','c','*'], None)]."""
    tree = re.sub(r"\s+", " ", tree).strip()

    def parse(s: str, prefix: list[str]) -> list[tuple[list[str], str | None]]:
        results = []
        for part in split_top(s):
            part = part.strip()
            if not part:
                continue
            brace = part.find("{")
            if brace >= 0:
                head = [p.strip() for p in part[:brace].split("::") if p.strip()]
                results += parse(part[brace + 1:part.rindex("}")], prefix + head)
                continue
            alias = None
            if " as " in part:
                part, alias = (piece.strip() for piece in part.rsplit(" as ", 1))
            segments = [p.strip() for p in part.split("::") if p.strip()]
            if segments == ["self"]:
                results.append((prefix, alias))
            else:
                results.append((prefix + segments, alias))
        return results

    return parse(tree, [])


def split_top(s: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


@dataclass
class Reference:
    module: list[str]  # the (inline) module the reference is written in
    path: list[str]  # as written
    line: int


@dataclass
class ModuleFile:
    path: Path
    module: list[str]
    children: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    inline: set[tuple[str, ...]] = field(default_factory=set)
    references: list[Reference] = field(default_factory=list)
    # file modules declared `#[cfg(test)] mod x;`
    test_children: set[tuple[str, ...]] = field(default_factory=set)
    # (module, name) -> the path a `use` (re-export or import) binds to that name
    reexports: dict[tuple[tuple[str, ...], str], tuple[list[str], list[str]]] = field(default_factory=dict)


def parse_file(path: Path, module: list[str]) -> ModuleFile:
    source = strip_comments_and_strings(path.read_text())
    info = ModuleFile(path, module)
    line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def line_of(offset: int) -> int:
        lo, hi = 0, len(line_starts)
        while lo + 1 < hi:
            mid = (lo + hi) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid
        return lo + 1

    # Inline modules: (start, end, names, is_test) by brace matching.
    scopes: list[tuple[int, int, list[str], bool]] = []
    stack: list[tuple[str, int, bool] | None] = []
    token = re.compile(
        rf"(?P<attr>#\[cfg\(test\)\])|(?P<mod>\bmod\s+(?P<name>{IDENT})\s*(?P<end>[;{{]))"
        r"|(?P<open>\{)|(?P<close>\})"
    )
    test_attr_end = None
    for m in token.finditer(source):
        if m.group("attr"):
            test_attr_end = m.end()
        elif m.group("mod"):
            # `#[cfg(test)]`, then only other attributes and a visibility before `mod`.
            is_test = test_attr_end is not None and re.fullmatch(
                r"\s*(#\[[^\]]*\]\s*)*(pub(\s*\([^)]*\))?\s+)?", source[test_attr_end:m.start()]
            ) is not None
            open_names = [t[0] for t in stack if t is not None]
            if m.group("end") == ";":
                scope = tuple(module + open_names)
                info.children[scope].add(m.group("name"))
                if is_test:
                    info.test_children.add(scope + (m.group("name"),))
            else:
                stack.append((m.group("name"), m.end(), is_test))
        elif m.group("open"):
            stack.append(None)
        elif m.group("close"):
            if stack:
                top = stack.pop()
                if top is not None:
                    names = [t[0] for t in stack if t is not None] + [top[0]]
                    tested = top[2] or any(t[2] for t in stack if t is not None)
                    scopes.append((top[1], m.start(), names, tested))

    def scope_at(offset: int) -> tuple[list[str], bool]:
        best: tuple[int, list[str], bool] = (-1, [], False)
        for start, end, names, tested in scopes:
            if start <= offset < end and len(names) > best[0]:
                best = (len(names), names, tested)
        return best[1], best[2]

    for start, end, names, _ in scopes:
        info.inline.add(tuple(module + names))
        parent = tuple(module + names[:-1])
        info.children[parent].add(names[-1])

    use_re = re.compile(r"(?P<vis>\bpub(\s*\([^)]*\))?\s+)?\buse\s+(?P<tree>[^;]+);")
    use_spans = []
    for m in use_re.finditer(source):
        use_spans.append((m.start(), m.end()))
        inner, tested = scope_at(m.start())
        if tested:
            continue
        scope = module + inner
        for segments, alias in expand_use_tree(m.group("tree")):
            if not segments or segments[0] == "":
                continue
            # Any import makes the name a path of the module (private ones for its
            # children's `super::name`), to be followed to where the item is defined.
            name = alias or segments[-1]
            if name not in ("*", "self"):
                info.reexports[(tuple(scope), name)] = (scope, segments)
            if not m.group("vis"):
                info.references.append(Reference(scope, segments, line_of(m.start())))

    path_re = re.compile(rf"(?<![A-Za-z0-9_:]){IDENT}(?:\s*::\s*{IDENT})+")
    for m in path_re.finditer(source):
        if any(s <= m.start() < e for s, e in use_spans):
            continue
        inner, tested = scope_at(m.start())
        if tested:
            continue
        segments = re.split(r"\s*::\s*", m.group(0))
        info.references.append(Reference(module + inner, segments, line_of(m.start())))
    return info


class Crate:
    def __init__(self, root: Path):
        self.name = root.name
        self.src = root / "src"
        self.files: dict[tuple[str, ...], ModuleFile] = {}
        for path in sorted(self.src.rglob("*.rs")):
            relative = path.relative_to(self.src)
            parts = list(relative.with_suffix("").parts)
            if parts in (["lib"], ["main"]):
                module: list[str] = []
            elif parts[0] == "bin":
                continue  # other crate roots
            elif parts[-1] == "mod":
                module = parts[:-1]
            else:
                module = parts
            self.files[tuple(module)] = parse_file(path, module)
        self.module_file: dict[tuple[str, ...], tuple[str, ...]] = {m: m for m in self.files}
        self.children: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.reexports: dict[tuple[tuple[str, ...], str], tuple[list[str], list[str]]] = {}
        for key, info in self.files.items():
            for inline in info.inline:
                self.module_file[inline] = key
            for parent, names in info.children.items():
                self.children[parent] |= names
            self.reexports.update(info.reexports)

    def absolute(self, scope: list[str], segments: list[str]) -> list[str] | None:
        """The path from the crate root, or None for another crate's path."""
        head = segments[0]
        if head == "crate":
            return segments[1:]
        if head in ("self", "super"):
            current = list(scope)
            rest = list(segments)
            while rest and rest[0] in ("self", "super"):
                if rest.pop(0) == "super":
                    if not current:
                        return None
                    current.pop()
            return current + rest
        if head in self.children.get(tuple(scope), ()):
            return list(scope) + segments
        return None

    def resolve(self, path: list[str], depth: int = 0) -> tuple[str, ...] | None:
        """The file key holding what `path` (from the crate root) names."""
        for cut in range(len(path), -1, -1):
            prefix = tuple(path[:cut])
            if prefix in self.module_file:
                rest = path[cut:]
                if rest and depth < 8:
                    alias = self.reexports.get((prefix, rest[0]))
                    if alias is not None:
                        scope, segments = alias
                        target = self.absolute(scope, segments)
                        if target is not None:
                            return self.resolve(target + rest[1:], depth + 1)
                return self.module_file[prefix]
        return None

    def graph(self):
        edges: dict[tuple[str, ...], dict[tuple[str, ...], tuple[int, str]]] = defaultdict(dict)
        tests = set().union(*(info.test_children for info in self.files.values()))
        for key, info in self.files.items():
            if any(key[:len(test)] == test for test in tests):
                continue
            for reference in info.references:
                target_path = self.absolute(reference.module, reference.path)
                if target_path is None:
                    continue
                target = self.resolve(target_path)
                if target is None or target == key:
                    continue
                edges[key].setdefault(target, (reference.line, "::".join(reference.path)))
        return edges

    def display(self, key: tuple[str, ...]) -> str:
        return str(self.files[key].path.relative_to(self.src))


def strongly_connected(nodes, edges):
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            result.append(component)

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return result


def shortest_cycle(start, component, edges):
    members = set(component)
    previous = {start: None}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for w in edges.get(v, {}):
            if w not in members:
                continue
            if w == start:
                cycle = [v]
                while previous[cycle[-1]] is not None:
                    cycle.append(previous[cycle[-1]])
                return list(reversed(cycle)) + [start]
            if w not in previous:
                previous[w] = v
                queue.append(w)
    return [start]


def main() -> int:
    arguments = sys.argv[1:]
    strict = "--strict" in arguments
    arguments = [a for a in arguments if a != "--strict"]
    root = Path(arguments[0]) if arguments else Path(__file__).resolve().parent.parent
    failures = 0
    notes = 0
    allowed_seen = 0
    files = 0
    for crate_root in sorted((root / "crates").iterdir()):
        if not (crate_root / "src").is_dir():
            continue
        crate = Crate(crate_root)
        files += len(crate.files)
        edges = crate.graph()
        for component in strongly_connected(sorted(crate.files), edges):
            if len(component) < 2:
                continue
            # Without the edges from a file to its own parent module (`super::` into the
            # folder's mod.rs), does a cycle remain? If not, this is a module and its own
            # submodules using each other: reported, but an error only with --strict.
            members = set(component)
            reduced = {
                a: {b: e for b, e in edges.get(a, {}).items() if b in members and b != a[:-1]}
                for a in component
            }
            remaining = [c for c in strongly_connected(sorted(component), reduced) if len(c) > 1]
            if remaining:
                cycles = [(c, reduced) for c in remaining]
                kind = "cycle"
            else:
                cycles = [(component, edges)]
                kind = "parent/child cycle"
            for cycle_component, graph in cycles:
                names = sorted(crate.display(key) for key in cycle_component)
                allowed = next(
                    (
                        reason
                        for name, folders, reason in ALLOWED
                        if name == crate.name and all(n.startswith(folders) for n in names)
                    ),
                    None,
                )
                fails = not allowed and (kind == "cycle" or strict)
                label = f"{kind}, allowed ({allowed})" if allowed else kind
                print(f"{crate.name}: {label} between {len(names)} files: {', '.join(names)}")
                cycle = shortest_cycle(min(cycle_component), cycle_component, graph)
                for a, b in zip(cycle, cycle[1:]):
                    line, path = graph[a][b]
                    print(f"    {crate.display(a)}:{line} uses {crate.display(b)} (`{path}`)")
                if allowed:
                    allowed_seen += 1
                elif fails:
                    failures += 1
                else:
                    notes += 1
    summary = f"module cycles: {failures} found in {files} files"
    if allowed_seen:
        summary += f", {allowed_seen} allowed"
    if notes:
        summary += f", {notes} between a module and its own submodules (errors with --strict)"
    print(summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
