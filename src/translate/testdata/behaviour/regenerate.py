#!/usr/bin/python3
"""Regenerates the expected results of the behaviour corpus from real Cython.

Each <class>/<name>.pyx has a sidecar <class>/<name>.json listing calls:
    [{"call": "main(100, 7)", "expect": ...}, ...]
This script compiles every module with Cython (Debian's cython3, 0.29) and
gcc/g++ into a scratch directory, runs each call with the interpreter the
modules were built for, and rewrites the "expect" fields. The translator is
never involved: expectations come from compiled Cython only.

C is compiled with -fwrapv so signed overflow wraps (what the translator
emulates and what gcc does in practice without it).

Usage (needs: apt-get install cython3 python3-dev):
    /usr/bin/python3 src/translate/testdata/behaviour/regenerate.py [-j N] [name-filter]
"""
import concurrent.futures
import json
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def module_name(pyx):
    rel = pyx.relative_to(HERE).with_suffix("")
    return "_".join(rel.parts)


def build(pyx, scratch):
    name = module_name(pyx)
    src = scratch / (name + ".pyx")
    shutil.copy(pyx, src)
    cplus = "language = c++" in pyx.read_text()
    c_file = scratch / (name + (".cpp" if cplus else ".c"))
    cmd = ["cython3", "-3", str(src), "-o", str(c_file)] + (["--cplus"] if cplus else [])
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    so = scratch / (name + sysconfig.get_config_var("EXT_SUFFIX"))
    compiler = "g++" if cplus else "gcc"
    include = sysconfig.get_paths()["include"]
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-fwrapv", "-I", include,
                    str(c_file), "-o", str(so)], check=True, capture_output=True, text=True)
    return name


def plain(value):
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


RUNNER = r"""
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
jobs = json.loads(sys.stdin.read())
out = {}
for name, calls in jobs.items():
    mod = importlib.import_module(name)
    results = []
    for call in calls:
        results.append(eval(call, vars(mod)))
    out[name] = results
def plain(v):
    return [plain(x) for x in v] if isinstance(v, (list, tuple)) else v
print(json.dumps({k: [plain(r) for r in v] for k, v in out.items()}))
"""


def main(argv):
    jobs = 2
    if argv[:1] == ["-j"]:
        jobs, argv = int(argv[1]), argv[2:]
    pattern = argv[0] if argv else ""
    modules = sorted(p for p in HERE.rglob("*.pyx") if pattern in str(p.relative_to(HERE)))
    with tempfile.TemporaryDirectory(prefix="cnake_behaviour_") as tmp:
        scratch = pathlib.Path(tmp)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            futures = {pool.submit(build, p, scratch): p for p in modules}
            failed = False
            for f, p in futures.items():
                try:
                    f.result()
                except subprocess.CalledProcessError as e:
                    failed = True
                    print(f"FAILED to build {p.relative_to(HERE)}:\n{e.stdout}\n{e.stderr}")
            if failed:
                return 1
        calls = {}
        for p in modules:
            spec = json.loads(p.with_suffix(".json").read_text())
            calls[module_name(p)] = [c["call"] for c in spec]
        run = subprocess.run([sys.executable, "-c", RUNNER, str(scratch)],
                             input=json.dumps(calls), capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr)
            return 1
        results = json.loads(run.stdout)
    for p in modules:
        spec = [{"call": c, "expect": r} for c, r in zip(calls[module_name(p)],
                                                          results[module_name(p)])]
        text = "[\n" + ",\n".join("  " + json.dumps(s) for s in spec) + "\n]\n"
        p.with_suffix(".json").write_text(text)
    print(f"{len(modules)} modules regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
