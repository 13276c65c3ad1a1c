#!/usr/bin/env python3
"""Writes N synthetic entries as JSONL for `cnake-charmer-client import`.

    bench/gen_entries.py N OUT.jsonl [SOURCE.pyx]

Every entry carries the same Cython module (default samples/cython/math/gcd.pyx)
with one unique comment line, so the entries differ but cost the server the
same to translate; ids are e0000000, e0000001, ... (sorted = insertion order).
"""
import json
import pathlib
import sys


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    n = int(sys.argv[1])
    root = pathlib.Path(__file__).resolve().parent.parent
    source = pathlib.Path(sys.argv[3]) if len(sys.argv) == 4 else root / "samples/cython/math/gcd.pyx"
    code = source.read_text()
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for i in range(n):
            entry = {"id": f"e{i:07d}", "code": f"# bench entry {i}\n{code}",
                     "description": "benchmark entry", "tags": ["bench"]}
            out.write(json.dumps(entry, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
