"""The benchmark suite runs end to end (`python -m benchmarks --quick`).

No timing is asserted: only that the suite exits 0, writes a JSON entry for
every workload, and measures everything the reference supports, while
whatever fastharmony does not support yet is skipped with a reason.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKLOADS = [
    "render-tool-call",
    "large-render-auto-drop",
    "large-render-keep-analysis",
    "parse-tool-call",
    "stream-tool-call",
    "parse-large-completion",
    "stream-large-completion",
    "agent-session",
    "agent-last-turn",
    "go-render-tool-call",
    "go-large-render-auto-drop",
    "go-large-render-keep-analysis",
    "go-parse-large-completion",
    "go-stream-large-completion",
    "cold-start",
    "cli",
    "memory",
]
HAVE_REFERENCE = importlib.util.find_spec("openai_harmony") is not None


def run_suite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_quick_run_writes_every_workload(tmp_path):
    out = tmp_path / "results.json"
    done = run_suite("--quick", "--markdown", "--json", str(out))
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())

    assert list(results["workloads"]) == WORKLOADS
    for name, entry in results["workloads"].items():
        statuses = set()
        by_impl = entry["results"]
        if entry["kind"] == "cli":  # command -> package -> result
            assert list(by_impl) == ["stop", "render-convo"]
            by_impl = by_impl["render-convo"]
        for key in ["fastharmony", "openai-harmony"]:
            result = by_impl[key]
            assert result["status"] in {"ok", "skipped"}, (name, key, result)
            if result["status"] == "skipped":
                assert result["reason"], (name, key)
            statuses.add(result["status"])
        if entry["kind"] == "timed" and statuses == {"ok"}:
            assert entry["outputs"] == "identical", name
        if HAVE_REFERENCE:
            assert by_impl["openai-harmony"]["status"] == "ok", (name, entry)
    for name in ["large-render-auto-drop", "large-render-keep-analysis"]:
        if HAVE_REFERENCE:
            assert results["workloads"][name]["results"]["tiktoken-floor"]["status"] == "ok"

    for name in ["agent-session", "agent-last-turn"]:
        cached = results["workloads"][name]["results"]["fastharmony-render-cache"]
        assert cached["status"] in {"ok", "skipped"}, cached
        if cached["status"] == "ok":  # the cache gave the uncached tokens, or the run would have stopped
            assert results["workloads"][name]["cache_speedup"] > 0
    phases = results["workloads"]["cold-start"]["results"]["fastharmony"]["best_cpu_ms"]
    assert set(phases) == {"import", "load", "first parse", "first render"}

    assert "| workload | fastharmony | openai-harmony | speed-up |" in done.stdout
    assert "| render cache | uncached | cached | speed-up |" in done.stdout
    assert "Reproduce: `python -m benchmarks --quick --markdown --json" in done.stdout


def test_unknown_workload_is_a_usage_error():
    done = run_suite("--only", "no-such-workload")
    assert done.returncode == 2
    assert "render-tool-call" in done.stderr
