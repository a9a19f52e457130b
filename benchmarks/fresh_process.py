# Cold start and memory, each measured in a fresh interpreter.
#
# Theory of operation: `sys.executable -c CODE` runs a child that imports the
# package and loads the encoding, then prints one JSON line. For the cold
# start the child times itself with `time.perf_counter` from before the import
# to after the load (only `time` is imported first), and the parent times the
# whole subprocess (interpreter start-up included, the same for both). Runs
# alternate between the packages; the best run counts. For memory the child
# reports its resident set after the load, from /proc/self/statm, and its peak
# (VmHWM); where there is no /proc, the peak from `resource` stands in. A child
# that imports nothing gives the bare interpreter's figure for scale.
#
# A package without `load_harmony_encoding` (or whose load raises
# NotImplementedError) is reported as unsupported; any other failure of a
# child is an error, with the child's stderr.

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

from .implementations import ENCODING_NAME, Implementation

_LOAD = """\
load = getattr(h, "load_harmony_encoding", None)
unsupported = None
if load is None:
    unsupported = "{module} has no load_harmony_encoding yet"
else:
    try:
        encoding = load({name!r})
    except NotImplementedError as exc:
        unsupported = "{module}: load_harmony_encoding is not implemented (%s)" % exc
"""

_COLD_START = """\
import time
start = time.perf_counter()
import {module} as h
{load}
end = time.perf_counter()
import json
print(json.dumps({{"seconds": end - start, "unsupported": unsupported}}))
"""

_MEMORY = """\
unsupported = None
{imports}
import json, os, sys
rss = peak = None
rss_source = "/proc/self/statm"
try:
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
except OSError:
    # No /proc: the peak from resource, which is all there is (on Linux it would
    # carry the parent's peak over from before the exec, hence the last resort).
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss *= 1 if sys.platform == "darwin" else 1024
    rss_source = "resource.getrusage (peak)"
print(json.dumps({{"rss": rss, "rss_source": rss_source, "peak": peak, "unsupported": unsupported}}))
"""


def _child_code(template: str, module: Optional[str]) -> str:
    if module is None:
        return template.format(imports="")
    load = _LOAD.format(module=module, name=ENCODING_NAME)
    if template is _MEMORY:
        return template.format(imports=f"import {module} as h\n{load}")
    return template.format(module=module, load=load)


def _run_child(code: str, extra_env: Dict[str, str]) -> tuple[Dict[str, Any], float]:
    """The child's JSON report and the subprocess's wall time in seconds."""
    # Children may write bytecode, as an installed package has it (pip compiles
    # on install): PYTHONDONTWRITEBYTECODE would make every cold start of a
    # source checkout compile its modules again, which no installation does.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra_env)
    start = time.perf_counter_ns()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    wall = (time.perf_counter_ns() - start) / 1e9
    if done.returncode != 0:
        raise RuntimeError(
            f"benchmark child exited with {done.returncode}:\n{done.stderr.strip()}\n--- code ---\n{code}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def _measurable(impls: List[Implementation]) -> tuple[List[Implementation], Dict[str, Any]]:
    skipped = {
        impl.key: {"status": "skipped", "reason": impl.unavailable}
        for impl in impls
        if impl.module is None
    }
    return [impl for impl in impls if impl.module is not None], skipped


def cold_start(impls: List[Implementation], runs: int, warmup: bool) -> Dict[str, Any]:
    """Per package: the best import + load time inside the child and the best wall time."""
    measurable, results = _measurable(impls)
    codes = {impl.key: _child_code(_COLD_START, impl.module_name) for impl in measurable}
    in_child: Dict[str, List[float]] = {impl.key: [] for impl in measurable}
    wall: Dict[str, List[float]] = {impl.key: [] for impl in measurable}
    unsupported: Dict[str, str] = {}
    if warmup:  # byte-compile and page in the files, so that run 1 is like the others
        for impl in measurable:
            _run_child(codes[impl.key], impl.child_env)
    for run in range(runs):
        for impl in measurable if run % 2 == 0 else reversed(measurable):
            if impl.key in unsupported:
                continue
            report, seconds = _run_child(codes[impl.key], impl.child_env)
            if report["unsupported"]:
                unsupported[impl.key] = report["unsupported"]
                continue
            in_child[impl.key].append(report["seconds"] * 1e3)
            wall[impl.key].append(seconds * 1e3)
    for impl in measurable:
        if impl.key in unsupported:
            results[impl.key] = {"status": "skipped", "reason": unsupported[impl.key]}
        else:
            results[impl.key] = {
                "status": "ok",
                "best_in_child_ms": min(in_child[impl.key]),
                "best_wall_ms": min(wall[impl.key]),
                "runs_in_child_ms": in_child[impl.key],
                "runs_wall_ms": wall[impl.key],
            }
    return results


def memory(impls: List[Implementation], runs: int) -> Dict[str, Any]:
    """Per package: resident set after import + load (the smallest of `runs` children)."""
    measurable, results = _measurable(impls)
    bare, _ = _run_child(_child_code(_MEMORY, None), {})
    for impl in measurable:
        code = _child_code(_MEMORY, impl.module_name)
        reports = [_run_child(code, impl.child_env)[0] for _ in range(runs)]
        if reports[0]["unsupported"]:
            results[impl.key] = {"status": "skipped", "reason": reports[0]["unsupported"]}
            continue
        best = min(reports, key=lambda report: report["rss"])
        results[impl.key] = {
            "status": "ok",
            "rss_mb": best["rss"] / 2**20,
            "peak_mb": None if best["peak"] is None else best["peak"] / 2**20,
            "source": best["rss_source"],
        }
    results["bare-interpreter"] = {
        "status": "ok",
        "rss_mb": bare["rss"] / 2**20,
        "peak_mb": None if bare["peak"] is None else bare["peak"] / 2**20,
        "source": bare["rss_source"],
    }
    return results
