#!/usr/bin/env python3
"""tests/structure/check_serve_layers.py SRCDIR BUILDDIR: sim/serve/'s files
call one another one way only, down the file list of sim/serve/serve.h.

serve.h's opening comment lists the module's files from the top (the
command line, the server, the router) to the leaves (the reply helpers,
multipart.c, utf8.c).  From the objects meson built (nm, through
check_structure.py's object_units(), for sim/serve/ and sim/cli/ only),
this fails when a file uses a symbol defined by a file at or above it in
that list (a page calling back into the router was such a cycle), when a
file of sim/serve/ is missing from the list, or when the list names a file
that does not exist.  Prints one line per
breach and exits 1; 0 when the layering holds.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_structure  # noqa: E402


def listed_order(root):
    """The units of serve.h's file list, top first ("sim/serve/serve_pages")."""
    text = open(os.path.join(root, "sim", "serve", "serve.h"), encoding="utf-8").read()
    comment = check_structure.opening_comment(text)
    order = []
    for line in comment.splitlines():
        m = re.match(r"\s*\*\s+((?:[a-z0-9_]+\.c,?\s*)+)(?:\(sim/cli/\))?", line)
        if not m:
            continue
        for name in re.findall(r"([a-z0-9_]+)\.c", m.group(1)):
            folder = "sim/cli" if "(sim/cli/)" in line else "sim/serve"
            order.append(f"{folder}/{name}")
    return order


def main():
    root, builddir = sys.argv[1], sys.argv[2]
    order = listed_order(root)
    bad = []
    for unit in order:
        if not os.path.exists(os.path.join(root, unit + ".c")):
            bad.append(f"serve.h lists {unit}.c, which does not exist")
    sources = {os.path.join("sim/serve", f[:-2]) for f in os.listdir(os.path.join(root, "sim", "serve"))
               if f.endswith(".c")}
    for unit in sorted(sources - set(order)):
        bad.append(f"{unit}.c is not in serve.h's file list")
    graph = check_structure.call_graph(check_structure.object_units(builddir, root, ["sim/serve", "sim/cli"]))
    for unit in order:
        if unit not in graph:
            bad.append(f"{unit}: no object built for it under {builddir}")
    rank = {u: i for i, u in enumerate(order)}
    for unit in order:
        for used in sorted(graph.get(unit, ())):
            if used in rank and rank[used] <= rank[unit]:
                bad.append(f"{unit} calls {used}, which serve.h lists above it (calls go down the list only)")
    for b in bad:
        print(b)
    print(f"check_serve_layers: {len(order)} files in order, {len(bad)} breaches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
