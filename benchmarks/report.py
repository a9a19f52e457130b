# Presenting results: the plain table, the Markdown table for the README, the
# machine description and the JSON file.
#
# Everything here reads the results dict the runner builds (the same dict that
# is written as JSON), so the printed tables and the file cannot disagree.
# Speed-ups are reference/ours (above 1: fastharmony is faster); the memory
# ratio is ours/reference (below 1: fastharmony is smaller).

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from .implementations import CACHED, FLOOR, OURS, REFERENCE, package_version

EXTRA_PACKAGES = ["tiktoken", "msgspec", "pydantic"]


def machine_info(implementations: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    cpu = None
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    packages = {key: info["version"] for key, info in implementations.items()}
    packages.update({name: package_version(name) for name in EXTRA_PACKAGES})
    return {
        "cpu": cpu or platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "packages": packages,
    }


# -- cells ----------------------------------------------------------------------


def _us(value: float) -> str:
    if value < 10:
        return f"{value:.2f} µs"
    if value < 1000:
        return f"{value:.1f} µs"
    return f"{value:,.0f} µs"


def _ratio(value: Optional[float]) -> str:
    if value is None:
        return "—"
    return f"{value:.2g}×" if value < 0.1 else f"{value:.2f}×"  # 0.0048×, not 0.00×


def _cell(result: Optional[Dict[str, Any]], field: str, fmt) -> str:
    if result is None:
        return "—"
    if result["status"] != "ok":
        return "skipped"
    return fmt(result[field])


def speedup(results: Dict[str, Any], field: str) -> Optional[float]:
    """reference/ours for one field, when both ran."""
    ours, ref = results.get(OURS), results.get(REFERENCE)
    if not ours or not ref or ours["status"] != "ok" or ref["status"] != "ok":
        return None
    return ref[field] / ours[field]


def table_rows(results: Dict[str, Any]) -> List[List[str]]:
    rows = []
    for name, entry in results["workloads"].items():
        by_impl = entry["results"]
        if entry["kind"] == "timed":
            rows.append(
                [
                    entry["title"],
                    _cell(by_impl.get(OURS), "best_us", _us),
                    _cell(by_impl.get(REFERENCE), "best_us", _us),
                    _ratio(entry.get("speedup")),
                ]
            )
        elif entry["kind"] == "cold-start":
            ms = lambda value: f"{value:,.1f} ms"  # noqa: E731
            for phase in ["import", "load", "first parse", "first render"]:
                cpu = {
                    key: {"status": "ok", "ms": result["best_cpu_ms"][phase]}
                    if result["status"] == "ok"
                    else result
                    for key, result in by_impl.items()
                }
                rows.append(
                    [
                        f"cold start: {phase} (CPU)",
                        _cell(cpu.get(OURS), "ms", ms),
                        _cell(cpu.get(REFERENCE), "ms", ms),
                        _ratio(speedup(cpu, "ms")),
                    ]
                )
            for field, label in [
                ("best_import_load_cpu_ms", "cold start: import + load (CPU)"),
                ("best_import_load_render_cpu_ms", "cold start: import + load + first render (CPU)"),
                ("best_wall_ms", "cold start: process that loads and parses (wall)"),
            ]:
                rows.append(
                    [
                        label,
                        _cell(by_impl.get(OURS), field, ms),
                        _cell(by_impl.get(REFERENCE), field, ms),
                        _ratio(speedup(by_impl, field)),
                    ]
                )
        elif entry["kind"] == "cli":
            ms = lambda value: f"{value:,.1f} ms"  # noqa: E731
            for command, per_impl in by_impl.items():
                rows.append(
                    [
                        f"process: `fastharmony {command}` (wall)",
                        _cell(per_impl.get(OURS), "best_wall_ms", ms),
                        _cell(per_impl.get(REFERENCE), "best_wall_ms", ms),
                        _ratio(speedup(per_impl, "best_wall_ms")),
                    ]
                )
        elif entry["kind"] == "memory":
            ours, ref = by_impl.get(OURS), by_impl.get(REFERENCE)
            mb = lambda value: "—" if value is None else f"{value:,.1f} MB"  # noqa: E731
            for field, label in [
                ("peak_mb", "memory: peak during import + load"),
                ("rss_mb", "memory: settled after load"),
                ("peak_after_render_mb", "memory: peak after a first render"),
                ("rss_after_render_mb", "memory: settled after a first render"),
            ]:
                ratio = None
                if ours and ref and ours["status"] == ref["status"] == "ok" and ours[field] and ref[field]:
                    ratio = ours[field] / ref[field]
                rows.append(
                    [
                        label,
                        _cell(ours, field, mb),
                        _cell(ref, field, mb),
                        "—" if ratio is None else f"{ratio:.2f}× the memory",
                    ]
                )
    return rows


def floor_rows(results: Dict[str, Any]) -> List[List[str]]:
    rows = []
    for entry in results["workloads"].values():
        floor = entry["results"].get(FLOOR)
        if entry["kind"] != "timed" or not floor:
            continue
        ratios = entry["floor_ratio"]
        rows.append(
            [
                entry["title"],
                _us(floor["best_us"]),
                _ratio(ratios.get(OURS)),
                _ratio(ratios.get(REFERENCE)),
            ]
        )
    return rows


def cache_rows(results: Dict[str, Any]) -> List[List[str]]:
    rows = []
    for entry in results["workloads"].values():
        cached = entry["results"].get(CACHED)
        if entry["kind"] != "timed" or not cached:
            continue
        rows.append(
            [
                entry["title"],
                _cell(entry["results"].get(OURS), "best_us", _us),
                _cell(cached, "best_us", _us),
                _ratio(entry.get("cache_speedup")),
            ]
        )
    return rows


def cache_headers(results: Dict[str, Any]) -> List[str]:
    return ["render cache", "uncached", "cached", "speed-up"]


def headers(results: Dict[str, Any]) -> List[str]:
    labels = results["implementations"]
    return ["workload", labels[OURS]["label"], labels[REFERENCE]["label"], "speed-up"]


def floor_headers(results: Dict[str, Any]) -> List[str]:
    labels = results["implementations"]
    return [
        "tiktoken floor of",
        "floor",
        f"{labels[OURS]['label']}/floor",
        f"{labels[REFERENCE]['label']}/floor",
    ]


# -- tables ---------------------------------------------------------------------


def plain_table(head: Sequence[str], rows: List[List[str]]) -> str:
    widths = [max(len(row[i]) for row in [list(head)] + rows) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:])]
        return "  ".join([first] + rest).rstrip()

    return "\n".join([line(head), line(["-" * width for width in widths])] + [line(r) for r in rows])


def markdown_table(head: Sequence[str], rows: List[List[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([" --- "] + [" ---: "] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine_line(results: Dict[str, Any]) -> str:
    machine = results["machine"]
    packages = ", ".join(
        f"{name} {version}" for name, version in machine["packages"].items() if version
    )
    settings = results["settings"]
    return (
        f"{machine['cpu']} ({machine['cpu_count']} CPUs), {machine['python']}, "
        f"{machine['platform']}; {packages}; best of {settings['rounds']} rounds "
        f"of ~{settings['target_round_s']:g} s per implementation"
    )


def render_text(results: Dict[str, Any], markdown: bool) -> str:
    table = markdown_table if markdown else plain_table
    parts = [table(headers(results), table_rows(results))]
    floors = floor_rows(results)
    if floors:
        parts.append(table(floor_headers(results), floors))
    caches = cache_rows(results)
    if caches:
        parts.append(table(cache_headers(results), caches))
    if markdown:
        parts.append(
            f"Reproduce: `{results['command']}` on {machine_line(results)}. "
            "Speed-up is openai-harmony's time over fastharmony's; the memory ratio is "
            "fastharmony's memory over openai-harmony's; CPU rows are `time.process_time` in the "
            "child, wall rows the whole process, interpreter start-up included."
        )
    else:
        parts.append(f"machine: {machine_line(results)}")
    if results["notes"]:
        bullet = "- " if markdown else "  "
        parts.append("notes:\n" + "\n".join(bullet + note for note in results["notes"]))
    return "\n\n".join(parts)


def write_json(results: Dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
