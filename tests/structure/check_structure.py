#!/usr/bin/env python3
"""tests/structure/check_structure.py SRCDIR [BUILDDIR]: the shape rules of docs/architecture.md
(a meson test: tests/meson.build).

Fails (exit 1, one line per breach) when, in the C sources outside tests/:
  - a file is over 600 lines and its opening comment does not say why
    (a line of it containing "long because");
  - a function is over 120 lines (universal-ctags gives each function's
    first and last line);
  - project includes form a cycle between units (a unit is X.c with X.h;
    a header without a .c, such as a template, is a leaf), or between
    modules (sim/ <- netstack/ <- drivers/ <- the rest: DESIGN.md's one-way
    dependencies);
  - with BUILDDIR, the objects meson built form a call cycle: unit A uses a
    symbol B defines and B one A defines (a router whose pages call back into
    it), found with nm, so a header shared by many files cannot hide it.
Exit 77 (skipped) when universal-ctags is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 120
SKIP_DIRS = {"tests", "build", ".git"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for d, subdirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        top = rel.split(os.sep)[0]
        if rel != "." and (top in SKIP_DIRS or top.startswith("build") or top.startswith(".")):
            subdirs[:] = []
            continue
        for f in files:
            if f.endswith((".c", ".h")):
                yield os.path.normpath(os.path.join(rel, f))


def opening_comment(text):
    m = re.match(r"\s*/\*.*?\*/", text, re.S)
    return m.group(0) if m else ""


def tangles(graph):
    """The strongly connected components of graph (node -> set of nodes)
    with more than one node: each is a set of nodes that reach each other,
    i.e. one or more cycles.  Tarjan's algorithm."""
    index, low, on, stack, out = {}, {}, set(), [], []

    def visit(n):
        index[n] = low[n] = len(index)
        stack.append(n)
        on.add(n)
        for m in sorted(graph.get(n, ())):
            if m not in index:
                visit(m)
                low[n] = min(low[n], low[m])
            elif m in on:
                low[n] = min(low[n], index[m])
        if low[n] == index[n]:
            comp = []
            while True:
                m = stack.pop()
                on.discard(m)
                comp.append(m)
                if m == n:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for n in sorted(graph):
        if n not in index:
            visit(n)
    return out


def module_of(path):
    """The module of a source: its top folder (netstack/policy/x.c ->
    netstack), except that sim/'s subfolders are modules of their own
    (sim/session/x.c -> sim/session; sim/cache.c -> sim)."""
    parts = path.split(os.sep)
    if parts[0] == "sim" and len(parts) > 2:
        return os.path.join(parts[0], parts[1])
    return parts[0]


def object_units(builddir, root, folders=None):
    """unit -> (defined, undefined) symbols, from the objects meson built
    for the project's own sources (dir/target.p/name.c.o); with folders
    (["sim/serve", ...]), only those of the sources in them."""
    units = {}
    for d, _, files in os.walk(builddir):
        for f in files:
            if not f.endswith(".c.o") or ".p" not in d:
                continue
            rel = os.path.relpath(d, builddir)
            src_dir = os.path.dirname(rel)
            if src_dir.split(os.sep)[0] in SKIP_DIRS | {"bench"} or (folders and src_dir not in folders):
                continue
            src = os.path.normpath(os.path.join(src_dir, f[:-2]))
            if not os.path.exists(os.path.join(root, src)):
                continue
            nm = subprocess.run(["nm", "--defined-only", "-g", os.path.join(d, f)], capture_output=True, text=True).stdout
            und = subprocess.run(["nm", "-u", os.path.join(d, f)], capture_output=True, text=True).stdout
            unit = os.path.splitext(src)[0]
            dfn, ref = units.setdefault(unit, (set(), set()))
            dfn.update(l.split()[-1] for l in nm.splitlines() if l.strip())
            ref.update(l.split()[-1] for l in und.splitlines() if l.strip())
    return units


def call_graph(units):
    """unit -> units whose functions or data it uses."""
    owner = {}
    for u, (dfn, _) in units.items():
        for sym in dfn:
            owner.setdefault(sym, u)
    return {u: {owner[s] for s in ref if s in owner and owner[s] != u} for u, (_, ref) in units.items()}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    builddir = sys.argv[2] if len(sys.argv) > 2 else None
    ctags = shutil.which("ctags-universal") or shutil.which("ctags")
    if not ctags or b"Universal Ctags" not in subprocess.run([ctags, "--version"], capture_output=True).stdout:
        print("check_structure: SKIP: universal-ctags is not installed (apt-get install universal-ctags)")
        return 77
    files = sorted(sources(root))
    bad = []
    units, modules = {}, {}
    known = set(files)
    for f in files:
        text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
        n = text.count("\n")
        if n > MAX_FILE_LINES and "long because" not in opening_comment(text):
            bad.append(f"{f}: {n} lines (over {MAX_FILE_LINES}) and its opening comment does not say why ('long because ...')")
        unit = os.path.splitext(f)[0]
        for inc in INCLUDE.findall(text):
            inc = os.path.normpath(inc)
            if inc not in known:
                continue
            other = os.path.splitext(inc)[0]
            if other != unit:
                units.setdefault(unit, set()).add(other)
            if module_of(inc) != module_of(f):
                modules.setdefault(module_of(f), set()).add(module_of(inc))
    out = subprocess.run([ctags, "--output-format=json", "--kinds-c=f", "--fields=+ne", "-o", "-"] +
                         [os.path.join(root, f) for f in files if f.endswith(".c")],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        tag = json.loads(line)
        if tag.get("kind") != "function" or "end" not in tag:
            continue
        length = tag["end"] - tag["line"] + 1
        if length > MAX_FUNCTION_LINES:
            bad.append(f"{os.path.relpath(tag['path'], root)}:{tag['line']}: {tag['name']}() is {length} lines "
                       f"(over {MAX_FUNCTION_LINES})")
    for t in tangles({u: {o for o in deps if os.path.exists(os.path.join(root, o + ".c"))}
                      for u, deps in units.items()}):
        bad.append("include cycle among units: " + ", ".join(t))
    for t in tangles(modules):
        bad.append("include cycle among modules: " + ", ".join(t))
    if builddir:
        for t in tangles(call_graph(object_units(builddir, root))):
            bad.append("call cycle among units (they use each other's symbols): " + ", ".join(t))
    for b in bad:
        print(b)
    print(f"check_structure: {len(files)} files, {len(bad)} breaches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
