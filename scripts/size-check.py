#!/usr/bin/env python3
"""House limits on product code (STYLE.md §8, issue #12): no source file over
400 lines, no function over 70. Prints every offender and exits 1 if any.

Usage: scripts/size-check.py [--max-file N] [--max-fn N] [PATH ...]
With no PATH it checks the product rooms (layers, tracker, node, reflector, ctl,
endpoint, netsim) as git tracks them. A CLI `main` in a `main.cpp` is exempt
(the issue allows long mains where a split would not read better).

Function lengths come from a brace scan over the source with comments and
string literals blanked: a `{` whose head ends in a parameter list (with
const/noexcept/override/-> trailing) opens a function; its length runs from
the head's first line to the closing brace. Lambdas and blocks inside a
function count toward it. Good enough to find offenders, not a parser.
"""
import argparse
import re
import subprocess
import sys

ROOMS = ["layers", "tracker", "node", "reflector", "endpoint", "netsim", "ctl"]
CONTROL = re.compile(r"^(if|for|while|switch|catch|else|do|return|case)\b")
FN_TAIL = re.compile(
    r"\)\s*(?:const\s*|noexcept(?:\([^()]*\))?\s*|override\s*|final\s*|mutable\s*|&\s*|&&\s*)*"
    r"(?:->\s*[\w:<>,\s*&\[\]]+)?\s*$")


def blank_literals(text):
    """Comments and string/char literals replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i-1].isalnum() or text[i-1] == "_")):
            m = re.match(r'R"([^(\s]{0,16})\(', text[i:])
            if not m:
                out.append(c); i += 1; continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i-1].isalnum():  # digit separator 1'000
                out.append(" "); i += 1; continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        else:
            out.append(c); i += 1
    return "".join(out)


def functions(text):
    """(name, first_line, last_line) of each outermost function body."""
    src = blank_literals(text)
    stack, found, head_start = [], [], 0
    line_of = lambda pos: src.count("\n", 0, pos) + 1
    in_fn = lambda: any(kind == "fn" for kind, _, _ in stack)
    for pos, c in enumerate(src):
        if c == "{":
            head = src[head_start:pos].strip()
            kind = "block"
            if not in_fn() and head and FN_TAIL.search(head) and not CONTROL.match(head) \
               and not head.startswith("#") and "=" not in head.split("(")[0]:
                kind = "fn"
            first = head_start + (len(src[head_start:pos]) - len(src[head_start:pos].lstrip()))
            name = re.findall(r"([~\w:]+)\s*\(", head)
            stack.append((kind, first, name[0] if name else "?"))
            head_start = pos + 1
        elif c == "}":
            if stack:
                kind, first, name = stack.pop()
                if kind == "fn":
                    found.append((name, line_of(first), line_of(pos)))
            head_start = pos + 1
        elif c == ";":
            head_start = pos + 1
        elif c == "#" and (pos == 0 or src[pos-1] == "\n"):
            # Skip preprocessor lines.
            j = src.find("\n", pos)
            head_start = (len(src) if j < 0 else j)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-file", type=int, default=400)
    ap.add_argument("--max-fn", type=int, default=70)
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args()
    paths = a.paths or subprocess.run(
        ["git", "ls-files", "--", *[f"{r}/*.cpp" for r in ROOMS], *[f"{r}/*.hpp" for r in ROOMS]],
        capture_output=True, text=True, check=True).stdout.split()
    bad = 0
    for p in paths:
        text = open(p, encoding="utf-8", errors="replace").read()
        lines = text.count("\n")
        if lines > a.max_file:
            print(f"{p}: {lines} lines (limit {a.max_file})"); bad += 1
        for name, first, last in functions(text):
            length = last - first + 1
            if length > a.max_fn and not (name == "main" and p.endswith("main.cpp")):
                print(f"{p}:{first}: {name} is {length} lines (limit {a.max_fn})"); bad += 1
    print(f"size-check: {len(paths)} files, {bad} over the limits")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
