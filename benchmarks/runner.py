# `python -m benchmarks`: fastharmony against openai-harmony, interleaved.
#
# Theory of operation: both packages are loaded into this one process (the
# reference with its vocabulary offline, see implementations.py). For each
# in-process workload, each package builds its inputs and runs the operation
# once; the two must agree on inputs and outputs, or the run stops with the
# difference. Then the operations are timed in interleaved rounds (timing.py),
# the large renders together with their tiktoken floor. Cold start and memory
# run in child processes (fresh_process.py). The results dict is printed as a
# table (report.py) and written as JSON.
#
# A workload that a package does not support yet is skipped with a note, so the
# suite works while fastharmony is being written; anything else that fails is
# an error.

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import shlex
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from . import fresh_process, report, timing
from .implementations import (
    CACHED,
    FLOOR,
    OURS,
    REFERENCE,
    REFERENCE_MODULE,
    Implementation,
    floor_encoding,
    load_implementation,
    locate_fastharmony,
    reference_vocabulary,
)
from .workloads import (
    TIMED_WORKLOADS,
    OutputMismatch,
    cached_variant,
    tool_call_conversation,
    Unsupported,
    first_difference,
    floor_case,
    prepare,
)

COLD_START = "cold-start"
CLI = "cli"
MEMORY = "memory"
WORKLOAD_NAMES = [workload.name for workload in TIMED_WORKLOADS] + [COLD_START, CLI, MEMORY]
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"

FULL = {"rounds": 7, "target_round_s": 0.2, "memory_runs": 3, "warmup_children": True, "agent_turns": 50}
# (--quick: an agent session of 5 turns, not 50: the reference takes seconds per session.)
QUICK = {"rounds": 2, "target_round_s": 0.005, "memory_runs": 1, "warmup_children": False, "agent_turns": 5}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Time fastharmony against openai-harmony (when installed) on the same inputs, "
            "interleaved in one process, best of several rounds."
        ),
    )
    parser.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help=f"timed rounds per workload, and cold-start runs (default {FULL['rounds']}; "
        f"{QUICK['rounds']} with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: tiny rounds, one child per measurement"
    )
    parser.add_argument(
        "--json",
        metavar="PATH",
        type=Path,
        default=DEFAULT_JSON,
        help="where to write the results (default: benchmarks/results/latest.json)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the tables for the README, with the command and the machine",
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        help="run only this workload (repeatable, or comma-separated): " + ", ".join(WORKLOAD_NAMES),
    )
    parser.add_argument(
        "--ours",
        metavar="MODULE",
        default="fastharmony",
        help="the module measured in fastharmony's column (default fastharmony); "
        "'openai_harmony' runs the reference against itself, to develop the suite",
    )
    return parser


def _selected(parser: argparse.ArgumentParser, only: Optional[List[str]]) -> List[str]:
    if not only:
        return list(WORKLOAD_NAMES)
    names = [name.strip() for item in only for name in item.split(",") if name.strip()]
    unknown = [name for name in names if name not in WORKLOAD_NAMES]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOAD_NAMES)}")
    return [name for name in WORKLOAD_NAMES if name in names]


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _skipped(reason: str) -> Dict[str, Any]:
    return {"status": "skipped", "reason": reason}


def _run_timed(workload, impls: List[Implementation], settings, floor_enc) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"title": workload.title, "kind": "timed", "results": {}, "info": {}}
    cases = {}
    contenders = list(impls)
    if workload.agent and impls[0].encoding is not None:
        try:
            contenders.append(cached_variant(impls[0]))
        except Unsupported as exc:
            entry["results"][CACHED] = _skipped(str(exc))
    for impl in contenders:
        try:
            cases[impl.key] = prepare(workload, impl, settings["agent_turns"])
            entry["info"][impl.key] = cases[impl.key].info
        except Unsupported as exc:
            entry["results"][impl.key] = _skipped(str(exc))
    if CACHED in cases:
        difference = first_difference(cases[CACHED].output, cases[OURS].output)
        if difference:
            raise OutputMismatch(f"{workload.title}: the render cache changes the output at {difference}")
    if OURS in cases and REFERENCE in cases:
        difference = first_difference(cases[OURS].output, cases[REFERENCE].output)
        if difference:
            raise OutputMismatch(
                f"{workload.title}: fastharmony and openai-harmony disagree at {difference}"
            )
        entry["outputs"] = "identical"
    else:
        entry["outputs"] = "not compared: only one implementation ran" if cases else "nothing ran"
    contestants = {key: case.op for key, case in cases.items()}
    if workload.with_floor and cases:
        rendered = cases[REFERENCE if REFERENCE in cases else OURS].output["tokens"]
        floor = floor_case(rendered, floor_enc())
        contestants[FLOOR] = floor.op
        entry["info"][FLOOR] = floor.info
    if contestants:
        entry["results"].update(
            {
                key: {"status": "ok", **timed}
                for key, timed in timing.interleaved(
                    contestants, settings["rounds"], settings["target_round_s"]
                ).items()
            }
        )
    order = [impl.key for impl in impls] + [CACHED, FLOOR]
    entry["results"] = {key: entry["results"][key] for key in order if key in entry["results"]}
    entry["speedup"] = report.speedup(entry["results"], "best_us")
    if CACHED in cases:
        entry["cache_speedup"] = entry["results"][OURS]["best_us"] / entry["results"][CACHED]["best_us"]
    if FLOOR in entry["results"]:
        floor_us = entry["results"][FLOOR]["best_us"]
        entry["floor_ratio"] = {
            key: entry["results"][key]["best_us"] / floor_us for key in cases
        }
    return entry


def _notes(results: Dict[str, Any]) -> List[str]:
    notes = [timing.GC_NOTE]
    skipped: Dict[str, List[str]] = {}
    for entry in results["workloads"].values():
        per_impl = entry["results"]
        if entry["kind"] == "cli":  # one level more: command -> package -> result
            per_impl = {key: r for by_impl in per_impl.values() for key, r in by_impl.items()}
        for key, result in per_impl.items():
            if result["status"] == "skipped":
                skipped.setdefault(result["reason"], []).append(entry["title"])
    for reason, titles in skipped.items():
        notes.append(f"skipped: {reason} ({', '.join(titles)})")
    workloads = results["workloads"]
    for name, entry in workloads.items():
        counts = {info["tokens"] for key, info in entry.get("info", {}).items() if key != FLOOR}
        if len(counts) == 1 and not name.startswith("agent-"):  # (the agent loop has a note of its own)
            (count,) = counts
            line = f"{entry['title']}: {count:,} tokens"
            if name.endswith("-tool-call") and "render" not in name:
                line += (
                    ", encoded from the completion text with special tokens allowed "
                    "(rendering the same Message puts the recipient before the channel)"
                )
            notes.append(line)
        floor_info = entry.get("info", {}).get(FLOOR)
        if floor_info:
            notes.append(
                f"{entry['title']}: the floor encodes the {floor_info['texts']} message bodies of "
                f"the render ({floor_info['floor_tokens']:,} tokens) with tiktoken.Encoding."
                "encode_ordinary, one call each; headers are left out"
            )
    if any(name.startswith("go-") for name in workloads):
        notes.append(
            "harmony-go input rows: the inputs of harmony-go's benchmarks/go, rebuilt with each "
            "package's classes; its completions are parsed with no role given (see workloads.py)"
        )
    agent = workloads.get("agent-session", {}).get("info", {})
    if agent:
        info = next(iter(agent.values()))
        notes.append(
            f"agent loop: {info['turns']} turns of 5 messages (a tool output of ~3 KB each); "
            f"the last turn renders {info['messages']} messages to {info['tokens']:,} tokens"
        )
    if CLI in workloads:
        notes.append(
            "process rows: `python -m fastharmony.cli COMMAND` against a `python -c` script doing "
            "the same through openai-harmony's API (it has no command line); both print the same tokens"
        )
    memory = workloads.get(MEMORY, {}).get("results", {}).get("bare-interpreter")
    if memory:
        notes.append(
            f"memory: a bare interpreter has {memory['rss_mb']:.1f} MB resident "
            f"(from {memory['source']})"
        )
    return notes


def run(args: argparse.Namespace, selected: List[str], command: str) -> Dict[str, Any]:
    settings = dict(QUICK if args.quick else FULL)
    if args.rounds is not None:
        settings["rounds"] = args.rounds
    with contextlib.ExitStack() as stack:
        fastharmony_env = locate_fastharmony()  # its vocabulary serves the reference and the floor
        vocab_env: Dict[str, str] = {}
        if args.ours != "fastharmony" or importlib.util.find_spec(REFERENCE_MODULE):
            vocab_env = stack.enter_context(reference_vocabulary())
        ours_env = fastharmony_env if args.ours == "fastharmony" else vocab_env
        ours = load_implementation(OURS, args.ours, ours_env)
        ref = load_implementation(REFERENCE, REFERENCE_MODULE, vocab_env)
        impls = [ours, ref]
        for impl in impls:
            if impl.unavailable:
                _progress(f"note: {impl.unavailable}; its workloads are skipped")

        floor_cache: List[Any] = []

        def floor_enc():
            if not floor_cache:
                floor_cache.append(floor_encoding())
            return floor_cache[0]

        results: Dict[str, Any] = {
            "schema": 1,
            "command": command,
            "settings": {**settings, "quick": args.quick, "gc": timing.GC_NOTE},
            "implementations": {
                impl.key: {
                    "label": impl.label,
                    "module": impl.module_name,
                    "version": impl.version,
                    "unavailable": impl.unavailable,
                }
                for impl in impls
            },
            "workloads": {},
        }
        results["machine"] = report.machine_info(results["implementations"])
        for workload in TIMED_WORKLOADS:
            if workload.name in selected:
                _progress(f"{workload.title} ...")
                results["workloads"][workload.name] = _run_timed(
                    workload, impls, settings, floor_enc
                )
        if COLD_START in selected:
            _progress("cold start ...")
            results["workloads"][COLD_START] = {
                "title": "cold start",
                "kind": "cold-start",
                "results": fresh_process.cold_start(
                    impls, settings["rounds"], settings["warmup_children"]
                ),
            }
        if CLI in selected:
            _progress("command-line processes ...")
            source = ref if ref.module is not None else ours
            results["workloads"][CLI] = {
                "title": "command-line process",
                "kind": "cli",
                "results": fresh_process.cli_process(
                    impls,
                    settings["rounds"],
                    settings["warmup_children"],
                    tool_call_conversation(source.module).to_json(),
                ),
            }
        if MEMORY in selected:
            _progress("memory ...")
            results["workloads"][MEMORY] = {
                "title": "memory",
                "kind": "memory",
                "results": fresh_process.memory(impls, settings["memory_runs"]),
            }
    results["notes"] = _notes(results)
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the suite; returns the exit status (0, or 1 when the packages disagree)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        selected = _selected(parser, args.only)
    except SystemExit as exc:  # --help, or a usage error already printed
        return int(exc.code or 0)
    if args.rounds is not None and args.rounds < 1:
        print("error: --rounds must be at least 1", file=sys.stderr)
        return 2
    command = " ".join(["python -m benchmarks", *map(shlex.quote, argv)])
    try:
        results = run(args, selected, command)
    except OutputMismatch as exc:
        print(f"error: the outputs differ, so nothing is compared: {exc}", file=sys.stderr)
        return 1
    print(report.render_text(results, markdown=args.markdown))
    report.write_json(results, args.json)
    _progress(f"wrote {args.json}")
    return 0
