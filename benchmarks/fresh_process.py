# Cold start and memory, each measured in a fresh interpreter.
#
# Theory of operation: `sys.executable -c CODE` runs a child that imports the
# package, loads the encoding and does one first operation, then prints one
# JSON line. For the cold start the child times each phase (import, load,
# first parse or first render) with the CPU clock, and the parent times the
# whole subprocess (interpreter start-up included, the same for both). The
# command-line rows time whole processes: fastharmony's CLI against a
# `python -c` script doing the same through the reference's API. Runs
# alternate between the packages; the best run counts. For memory the child
# reports its resident set after the load (settled, after a gc.collect()) and
# its peak (VmHWM) from /proc/self, then both again after a first render;
# where there is no /proc, the peak from `resource` stands in. A child that
# imports nothing gives the bare interpreter's figure for scale.
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

# The child times each phase with the CPU clock (time.process_time: what the
# phase costs, whatever else the machine runs) and the wall clock. `{first}`
# is "render" or "parse": a process that only parses may skip work a render
# needs (fastharmony builds its BPE on the first encode), so each first
# operation runs in a process of its own, right after the load.
_COLD_START = """\
import time
cpu, wall = time.process_time, time.perf_counter
marks = [(cpu(), wall())]
import {module} as h
marks.append((cpu(), wall()))
{load}
marks.append((cpu(), wall()))
if unsupported is None:
    if {first!r} == "render":
        convo = h.Conversation.from_messages(
            [h.Message.from_role_and_content(h.Role.USER, "What is the weather in Tokyo?")]
        )
        encoding.render_conversation_for_completion(convo, h.Role.ASSISTANT)
    else:
        encoding.parse_messages_from_completion_tokens({parse_tokens!r}, None)
marks.append((cpu(), wall()))
import json
phases = ["import", "load", "first " + {first!r}]
print(json.dumps({{
    "cpu_ms": {{p: (b[0] - a[0]) * 1e3 for p, a, b in zip(phases, marks, marks[1:])}},
    "wall_ms": {{p: (b[1] - a[1]) * 1e3 for p, a, b in zip(phases, marks, marks[1:])}},
    "unsupported": unsupported,
}}))
"""

# `<|start|>assistant<|channel|>final<|message|>Hi world<|end|>`, as ids: the
# parse child must not encode.
FIRST_PARSE_TOKENS = [200006, 173781, 200005, 17196, 200008, 12194, 2375, 200007]

# The reference has no command line: its column runs the same work through
# its Python API in a `python -c` process, as a script using it would.
_REFERENCE_CLI = {
    "stop": (
        "import json, {module} as h\n"
        "e = h.load_harmony_encoding({name!r})\n"
        "print(json.dumps(sorted(e.stop_tokens()), separators=(',', ':')))\n"
    ),
    "render-convo": (
        "import json, sys, {module} as h\n"
        "e = h.load_harmony_encoding({name!r})\n"
        "c = h.Conversation.from_json(sys.stdin.read())\n"
        "print(json.dumps(e.render_conversation(c), separators=(',', ':')))\n"
    ),
}
CLI_COMMANDS = list(_REFERENCE_CLI)

# Memory: the resident set after import + load (settled: after a
# gc.collect()), the peak so far (VmHWM), then both again after a first
# render, which makes whatever encoding needs.
_MEMORY = """\
unsupported = None
{imports}
import gc, json, os, sys


def resident():
    rss = peak = None
    source = "/proc/self/statm"
    try:
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) * 1024
    except OSError:
        # No /proc: the peak from resource, which is all there is (on Linux it
        # would carry the parent's peak over from before the exec, hence the
        # last resort).
        import resource
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss *= 1 if sys.platform == "darwin" else 1024
        source = "resource.getrusage (peak)"
    return rss, peak, source


gc.collect()
rss, peak, source = resident()
report = {{"rss": rss, "peak": peak, "rss_source": source, "unsupported": unsupported}}
if unsupported is None and {render}:
    convo = h.Conversation.from_messages(
        [h.Message.from_role_and_content(h.Role.USER, "What is the weather in Tokyo?")]
    )
    encoding.render_conversation_for_completion(convo, h.Role.ASSISTANT)
    gc.collect()
    report["rss_after_render"], report["peak_after_render"], _ = resident()
print(json.dumps(report))
"""


def _child_code(template: str, module: Optional[str], **fields: Any) -> str:
    if module is None:
        return template.format(imports="", render=False)
    load = _LOAD.format(module=module, name=ENCODING_NAME)
    if template is _MEMORY:
        return template.format(imports=f"import {module} as h\n{load}", render=True)
    return template.format(module=module, load=load, **fields)


def _run_child(
    code: Optional[str], extra_env: Dict[str, str], argv: Optional[List[str]] = None, stdin: str = ""
) -> tuple[Optional[Dict[str, Any]], float]:
    """The child's JSON report (None for `argv`) and the subprocess's wall time in seconds.

    The child is `python -c code`, or `python *argv` (a command line).
    """
    # Children may write bytecode, as an installed package has it (pip compiles
    # on install): PYTHONDONTWRITEBYTECODE would make every cold start of a
    # source checkout compile its modules again, which no installation does.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra_env)
    command = [sys.executable, *argv] if argv else [sys.executable, "-c", code]
    start = time.perf_counter_ns()
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, check=False)
    wall = (time.perf_counter_ns() - start) / 1e9
    if done.returncode != 0:
        raise RuntimeError(
            f"benchmark child exited with {done.returncode}:\n{done.stderr.strip()}\n"
            f"--- command ---\n{command[1:] if argv else code}"
        )
    if argv:
        return {"stdout": done.stdout}, wall
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def _measurable(impls: List[Implementation]) -> tuple[List[Implementation], Dict[str, Any]]:
    skipped = {
        impl.key: {"status": "skipped", "reason": impl.unavailable}
        for impl in impls
        if impl.module is None
    }
    return [impl for impl in impls if impl.module is not None], skipped


COLD_START_FIRSTS = ["parse", "render"]


def cold_start(impls: List[Implementation], runs: int, warmup: bool) -> Dict[str, Any]:
    """Per package: the best CPU time of each phase of a cold start (import,
    load, first parse, first render), and the best wall time of a whole
    process that loads and parses."""
    measurable, results = _measurable(impls)
    codes = {
        (impl.key, first): _child_code(
            _COLD_START, impl.module_name, first=first, parse_tokens=FIRST_PARSE_TOKENS
        )
        for impl in measurable
        for first in COLD_START_FIRSTS
    }
    cpu: Dict[str, Dict[str, List[float]]] = {impl.key: {} for impl in measurable}
    wall: Dict[str, List[float]] = {impl.key: [] for impl in measurable}
    unsupported: Dict[str, str] = {}
    if warmup:  # byte-compile and page in the files, so that run 1 is like the others
        for impl in measurable:
            _run_child(codes[impl.key, "render"], impl.child_env)
    for run in range(runs):
        for impl in measurable if run % 2 == 0 else reversed(measurable):
            for first in COLD_START_FIRSTS:
                if impl.key in unsupported:
                    continue
                report, seconds = _run_child(codes[impl.key, first], impl.child_env)
                if report["unsupported"]:
                    unsupported[impl.key] = report["unsupported"]
                    continue
                for phase, ms in report["cpu_ms"].items():
                    cpu[impl.key].setdefault(phase, []).append(ms)
                if first == "parse":
                    wall[impl.key].append(seconds * 1e3)
    for impl in measurable:
        if impl.key in unsupported:
            results[impl.key] = {"status": "skipped", "reason": unsupported[impl.key]}
        else:
            best = {phase: min(values) for phase, values in cpu[impl.key].items()}
            results[impl.key] = {
                "status": "ok",
                "best_cpu_ms": best,
                "best_import_load_cpu_ms": best["import"] + best["load"],
                "best_import_load_render_cpu_ms": best["import"] + best["load"] + best["first render"],
                "best_wall_ms": min(wall[impl.key]),
                "runs_cpu_ms": cpu[impl.key],
                "runs_wall_ms": wall[impl.key],
            }
    return results


def cli_process(impls: List[Implementation], runs: int, warmup: bool, cli_input: str) -> Dict[str, Any]:
    """Per command and package: the best wall time of a whole process running it.

    fastharmony runs its command line (`python -m fastharmony.cli COMMAND`);
    the reference, which has none, the same work through its API (see
    _REFERENCE_CLI). Both must print the same tokens.
    """
    measurable, skipped = _measurable(impls)
    results: Dict[str, Any] = {}
    for command in CLI_COMMANDS:
        stdin = cli_input if command == "render-convo" else ""
        per_impl: Dict[str, Any] = dict(skipped)
        outputs = {}
        times: Dict[str, List[float]] = {impl.key: [] for impl in measurable}
        first = 0 if warmup else 1  # run 0 warms the files up, and is not counted
        for run in range(first, runs + 1):
            for impl in measurable if run % 2 == 0 else reversed(measurable):
                if impl.module_name == "fastharmony":
                    report, seconds = _run_child(
                        None, impl.child_env, argv=["-m", "fastharmony.cli", command], stdin=stdin
                    )
                else:
                    code = _REFERENCE_CLI[command].format(module=impl.module_name, name=ENCODING_NAME)
                    report, seconds = _run_child(code, impl.child_env, argv=["-c", code], stdin=stdin)
                outputs[impl.key] = report["stdout"].split()
                if run:
                    times[impl.key].append(seconds * 1e3)
        if len(set(map(tuple, outputs.values()))) > 1:
            raise RuntimeError(f"`{command}` prints different tokens: {outputs}")
        for impl in measurable:
            per_impl[impl.key] = {"status": "ok", "best_wall_ms": min(times[impl.key]), "runs_wall_ms": times[impl.key]}
        results[command] = per_impl
    return results


def memory(impls: List[Implementation], runs: int) -> Dict[str, Any]:
    """Per package: peak and settled resident set after import + load, and
    after a first render (the smallest of `runs` children)."""
    measurable, results = _measurable(impls)
    bare, _ = _run_child(_child_code(_MEMORY, None), {})
    for impl in measurable:
        code = _child_code(_MEMORY, impl.module_name)
        reports = [_run_child(code, impl.child_env)[0] for _ in range(runs)]
        if reports[0]["unsupported"]:
            results[impl.key] = {"status": "skipped", "reason": reports[0]["unsupported"]}
            continue
        best = min(reports, key=lambda report: report["rss"])
        mb = lambda value: None if value is None else value / 2**20  # noqa: E731
        results[impl.key] = {
            "status": "ok",
            "rss_mb": mb(best["rss"]),
            "peak_mb": mb(best["peak"]),
            "rss_after_render_mb": mb(best["rss_after_render"]),
            "peak_after_render_mb": mb(best["peak_after_render"]),
            "source": best["rss_source"],
        }
    results["bare-interpreter"] = {
        "status": "ok",
        "rss_mb": bare["rss"] / 2**20,
        "peak_mb": None if bare["peak"] is None else bare["peak"] / 2**20,
        "source": bare["rss_source"],
    }
    return results
