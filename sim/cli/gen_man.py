#!/usr/bin/env python3
"""sim/cli/gen_man.py: writes the manual page rxsim(1) from the rxsim just
built, so that it cannot drift from --help: the version is `rxsim
--version`'s (meson's project version), the command list `rxsim --help`'s,
and each command's section is its `rxsim help CMD` text (for run and live,
the lines sim/options/run_options.c's table prints), turned into roff:

  "usage: ..." lines         the command's synopsis (bold, no fill)
  "heading:" at column 0     a bold sub-heading
  "  -x, --opt ARG   text"   an option paragraph (.TP), continuation lines
                             (deeper indent, no leading dash) joined to it
  other indented lines       kept as they are (lists, examples: no fill)
  anything else              running text

usage: gen_man.py RXSIM OUTPUT
"""
import os
import re
import subprocess
import sys
import time

OPT = re.compile(r"^ {1,4}(-{1,2}[^ ].*?)(?: {2,}(.*))?$")


def run(exe, *args):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")  # a sanitizer build makes the page too
    p = subprocess.run([exe, *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"gen_man.py: {' '.join(['rxsim', *args])} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def esc(text):
    """roff-escapes running text: backslashes, dashes, a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = re.sub(r",(?=\S)", r",\\:", text)    # a long a,b,c list may break after a comma
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def option_head(spec):
    """'-r, --read FILE' -> bold option names, italic metavariables."""
    out = []
    for part in re.split(r"(, | \| | )", spec):
        if part in (", ", " | ", " "):
            out.append(part)
        elif part.startswith("-"):
            m = re.match(r"^(-{1,2}[A-Za-z0-9-]+)(.*)$", part)
            name, rest = (m.group(1), m.group(2)) if m else (part, "")
            out.append("\\fB" + esc(name) + "\\fR" + (("\\fI" + esc(rest) + "\\fR") if rest else ""))
        elif part:
            out.append("\\fI" + esc(part) + "\\fR")
    return "".join(out)


def section(text):
    """One --help text as roff lines."""
    out, para, nofill = [], [], False

    def flush():
        nonlocal para
        if para:
            out.append(".PP")
            out.extend(esc(line) for line in para)
            para = []

    def fill(on):
        nonlocal nofill
        if on and nofill:
            out.append(".fi")
        elif not on and not nofill:
            out.append(".nf")
        nofill = not on

    lines = text.rstrip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line:
            flush()
            fill(True)
            i += 1
            continue
        if line.startswith("usage:") or (out == [] and not para and line.startswith(" ")):
            flush()
            out.append(".PP")
            fill(False)
            out.append("\\fB" + esc(line) + "\\fR")
            i += 1
            continue
        m = OPT.match(line)
        if m:
            flush()
            fill(True)
            col = len(line) - len(m.group(2)) if m.group(2) else None
            out.append(".TP")
            out.append(option_head(m.group(1).strip()))
            body = [m.group(2)] if m.group(2) else []
            i += 1
            while i < len(lines) and lines[i].startswith(" ") and lines[i].strip() and \
                    not OPT.match(lines[i]) and (col is None or lines[i].startswith(" " * min(col, 6))):
                body.append(lines[i].strip())
                i += 1
            out.extend(esc(b) for b in body)
            continue
        if not line.startswith(" ") and line.endswith(":"):
            flush()
            fill(True)
            out.append(".PP")
            out.append("\\fB" + esc(line) + "\\fR")
            i += 1
            continue
        if line.startswith(" "):
            flush()
            if not nofill:
                out.append(".PP")
            fill(False)
            out.append(esc(line))
            i += 1
            continue
        fill(True)
        para.append(line)
        i += 1
    flush()
    fill(True)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_man.py RXSIM OUTPUT")
    exe, output = sys.argv[1], sys.argv[2]
    version = run(exe, "--version").split()[-1]
    top = run(exe, "--help")
    commands = []
    incmds = False
    for line in top.split("\n"):
        if line == "commands:":
            incmds = True
        elif incmds and line.startswith("  "):
            name, what = line.split(None, 1)
            commands.append((name, what))
        elif incmds:
            break
    if not commands:
        sys.exit("gen_man.py: no commands in rxsim --help")
    exits = top[top.index("exit status:"):] if "exit status:" in top else ""
    date = time.strftime("%Y-%m-%d", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or None))
    out = [
        '.\\" rxsim(1): generated by sim/cli/gen_man.py from rxsim --help and each',
        '.\\" command\'s help text; edit those, not this file.',
        f'.TH RXSIM 1 "{date}" "rxsim {version}" "User Commands"',
        ".nh",                                  # no hyphenation: option names stay whole
        ".ad l",                                # ragged right: long a,b,c lists cannot be spread
        ".SH NAME",
        "rxsim \\- simulate a host's TCP/IP receive path from captured traces",
        ".SH SYNOPSIS",
        ".nf",
    ]
    out += [f"\\fBrxsim {name}\\fR [\\fIOPTIONS\\fR] ..." for name, _ in commands]
    out += ["\\fBrxsim help\\fR \\fICOMMAND\\fR", "\\fBrxsim \\-\\-version\\fR | \\fB\\-\\-help\\fR", ".fi",
            ".SH DESCRIPTION",
            "rxsim replays captured pcap/pcapng traces through a model of a host's receive path "
            "(NIC, CPUs with caches, interrupts, softirq, sockets, a reading application) and "
            "measures what each byte costs.",
            "\\fBrxsim help\\fR \\fICOMMAND\\fR prints a command's text, as below; "
            "\\fBrxsim \\-\\-version\\fR its version.",
            ".SH COMMANDS"]
    for name, what in commands:
        out.append(f'.SS "rxsim {name}: {esc(what)}"')
        out += section(run(exe, "help", name))
    out.append(".SH EXIT STATUS")
    out += section("\n".join(l.strip() for l in exits.split("\n")))
    out += [".SH SEE ALSO",
            "The guides in the source tree: docs/user-guide.md (every command and option), "
            "docs/compare.md, docs/serve.md, docs/model.md, docs/labs/."]
    with open(output, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
