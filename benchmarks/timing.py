# Calibrated, interleaved, best-of-N timing of several contestants.
#
# Theory of operation: each contestant's iteration count is calibrated alone so
# that one round takes about `target_s`; then the rounds alternate between the
# contestants (A B, then B A, ...), so whatever the machine does meanwhile
# (frequency changes, other processes) hits all of them alike. The best round
# is the figure reported, as `timeit` recommends: noise only ever adds time.
#
# The garbage collector is disabled inside each timed loop, as `timeit` does,
# after a `gc.collect()`, and re-enabled right after it. This keeps a collection
# triggered by one contestant's garbage from being billed to the next. The
# runner prints this choice with the results.

from __future__ import annotations

import gc
import itertools
import statistics
import time
from typing import Any, Callable, Dict, List

GC_NOTE = (
    "GC: gc.collect() before each timed loop, GC disabled inside it (as timeit does) "
    "and re-enabled right after."
)


def time_loop(op: Callable[[], Any], iterations: int) -> int:
    """Nanoseconds for `iterations` calls of `op`, with the GC paused meanwhile."""
    loop = itertools.repeat(None, iterations)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in loop:
            op()
        elapsed = time.perf_counter_ns() - start
    finally:
        if was_enabled:
            gc.enable()
    return elapsed


def calibrate(op: Callable[[], Any], target_s: float) -> int:
    """Iterations of `op` that take about `target_s` seconds."""
    op()  # warm caches (including any lazily built tables) outside the measurement
    iterations = 1
    while True:
        elapsed = time_loop(op, iterations) / 1e9
        if elapsed >= target_s / 4 or iterations >= 1 << 30:
            return max(1, round(iterations * target_s / max(elapsed, 1e-9)))
        iterations *= 2 if elapsed >= target_s / 40 else 10


def interleaved(
    contestants: Dict[str, Callable[[], Any]], rounds: int, target_s: float
) -> Dict[str, Dict[str, Any]]:
    """Per contestant: iterations per round, µs/op of each round, best and median."""
    iterations = {key: calibrate(op, target_s) for key, op in contestants.items()}
    per_op_us: Dict[str, List[float]] = {key: [] for key in contestants}
    order = list(contestants)
    for round_index in range(rounds):
        for key in order if round_index % 2 == 0 else reversed(order):
            elapsed = time_loop(contestants[key], iterations[key])
            per_op_us[key].append(elapsed / iterations[key] / 1e3)
    return {
        key: {
            "iterations": iterations[key],
            "rounds_us": per_op_us[key],
            "best_us": min(per_op_us[key]),
            "median_us": statistics.median(per_op_us[key]),
        }
        for key in contestants
    }
