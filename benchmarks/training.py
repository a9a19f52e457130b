"""Training-data throughput: a synthetic corpus rendered into training examples.

Run it from the repository root (it is not part of `python -m benchmarks`:
one pass over a 20,000-conversation corpus takes minutes, not a calibrated
microsecond loop):

    python -m benchmarks.training                 # 20,000 conversations
    python -m benchmarks.training --conversations 2000 --skip ray
    python -m benchmarks.training --json benchmarks/results/training.json

The corpus is generated (seeded): multi-turn conversations of 200 to 4,000
tokens with a system message, sometimes function tools, reasoning, tool calls
and their results, and final answers. Every row renders the whole corpus once
and reports tokens per second (tokens of the rendered examples):

- reference `render_conversation_for_training` (openai-harmony 0.0.8);
- fastharmony `render_conversation_for_training`, the plain render;
- `render_example`, one process (the mask's cost is its time over the
  plain render's, same analysis policy: "keep" is `auto_drop_analysis=False`,
  "reference" the default; these rows are the best of `--rounds` passes,
  the two interleaved);
- `render_examples` on the corpus as JSON lines, 1 and 2 worker processes;
- `datasets.Dataset.map(HarmonyMapper, batched=True, num_proc=2)`;
- Ray Data `map_batches(HarmonyMapper, compute=ActorPoolStrategy(size=2))` on a local 2-CPU
  cluster, with the cluster's start-up timed apart.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from .implementations import locate_fastharmony, patched_environ, reference_vocabulary

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there been one all we their has would when if so no will more can who out about what up "
    "model token answer weather city question reason tool result function call value number list data check "
    "Paris Tokyo sunny rain 42 3.14 ( ) { } : , . ? ! \n"
).split(" ")
SYSTEM_DATE = "2025-06-28"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).replace(" \n ", "\n")


def conversation_spec(rng: random.Random) -> Dict[str, Any]:
    """One conversation as Harmony message dicts, aiming at 200-4,000 tokens."""
    target = rng.randint(200, 4000)
    with_tools = rng.random() < 0.4
    system = {"type": "system_content", "model_identity": "You are ChatGPT, a large language model trained by OpenAI.",
              "reasoning_effort": "Medium", "conversation_start_date": SYSTEM_DATE, "knowledge_cutoff": "2024-06",
              "channel_config": {"valid_channels": ["analysis", "commentary", "final"], "channel_required": True}}
    messages: List[Dict[str, Any]] = [{"role": "system", "content": [system]}]
    developer: Dict[str, Any] = {"type": "developer_content", "instructions": _text(rng, rng.randint(5, 60))}
    if with_tools:
        developer["tools"] = {"functions": {"name": "functions", "tools": [{
            "name": "get_weather", "description": "Gets the current weather in a city.",
            "parameters": {"type": "object", "properties": {
                "city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"], "default": "c"}},
                "required": ["city"]}}]}}
    messages.append({"role": "developer", "content": [developer]})
    budget = target - 150
    while budget > 0:
        size = max(10, min(budget, rng.randint(40, 900)))
        messages.append(_message("user", _text(rng, size // 4)))
        messages.append(_message("assistant", _text(rng, size // 4), channel="analysis"))
        if with_tools and rng.random() < 0.5:
            messages.append(_message("assistant", json.dumps({"city": rng.choice(["Paris", "Tokyo"])}),
                                     channel="commentary", recipient="functions.get_weather",
                                     content_type="<|constrain|>json"))
            messages.append({**_message("tool", _text(rng, size // 8), channel="commentary",
                                        recipient="assistant"), "name": "functions.get_weather"})
        messages.append(_message("assistant", _text(rng, size // 3), channel="final"))
        budget -= size
    return {"messages": messages}


def _message(role, text, channel=None, recipient=None, content_type=None):
    spec = {"role": role, "content": [{"type": "text", "text": text}]}
    for key, value in (("channel", channel), ("recipient", recipient), ("content_type", content_type)):
        if value is not None:
            spec[key] = value
    return spec


def _timed(op: Callable[[], Any]) -> tuple:
    # A collection first, as the main suite does, so that no pass pays for
    # garbage the one before left; the collector stays on inside: what a
    # corpus held in memory costs it is part of the measurement.
    gc.collect()
    start = time.perf_counter()
    result = op()
    return result, time.perf_counter() - start


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.training", description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many passes for the one-process rows")
    parser.add_argument("--skip", action="append", default=[], choices=["reference", "datasets", "ray"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    locate_fastharmony()
    import fastharmony
    from fastharmony.training import HarmonyMapper, LossMask, render_example, render_examples

    enc = fastharmony.load_harmony_encoding("HarmonyGptOss")
    rng = random.Random(20250628)
    keep = fastharmony.RenderConversationConfig(auto_drop_analysis=False)
    specs, ours, sizes = [], [], []
    while len(ours) < args.conversations:  # drawn until 200 to 4,000 tokens
        spec = conversation_spec(rng)
        convo = fastharmony.Conversation(messages=[fastharmony.Message.from_dict(m) for m in spec["messages"]])
        size = len(enc.render_conversation_for_training(convo, keep))
        if 200 <= size <= 4000:
            specs.append(spec)
            ours.append(convo)
            sizes.append(size)
    lines = [c.to_json() for c in ours]
    print(f"corpus: {len(ours):,} conversations, {sum(sizes):,} tokens, {min(sizes):,} to {max(sizes):,} each "
          f"(fastharmony {fastharmony.__file__})", flush=True)
    rows: List[Dict[str, Any]] = []

    def row(name: str, tokens: int, seconds: float, **extra) -> None:
        rows.append({"name": name, "tokens": tokens, "seconds": seconds, "tokens_per_s": tokens / seconds, **extra})
        note = "".join(f", {k} {v:.2f} s" if isinstance(v, float) else f", {k} {v}" for k, v in extra.items())
        print(f"{name:58s} {tokens / seconds / 1e6:7.2f} M tokens/s  ({seconds:6.2f} s{note})", flush=True)

    if "reference" not in args.skip:
        with reference_vocabulary() as ref_env, patched_environ(ref_env):
            import openai_harmony

            ref = openai_harmony.load_harmony_encoding("HarmonyGptOss")
            theirs = [openai_harmony.Conversation(messages=[openai_harmony.Message.from_dict(m) for m in s["messages"]])
                      for s in specs]
            ref_keep = openai_harmony.RenderConversationConfig(auto_drop_analysis=False)
            out, seconds = _timed(lambda: [ref.render_conversation_for_training(c, ref_keep) for c in theirs])
            assert [len(t) for t in out] == sizes
            row("reference render_conversation_for_training (keep)", sum(sizes), seconds)
            del theirs, out

    # The mask's cost: plain render and render_example interleaved, best of
    # --rounds each, so that a busy machine slows both alike. Each pass keeps
    # its results until it ends (as a pipeline holding a corpus does) and
    # frees them before the next: no pass runs beside another's 1.6 GB.
    for policy, config in (("keep", keep), ("reference", None)):
        mask = LossMask(history_analysis=policy)
        plain = [enc.render_conversation_for_training(c, config) for c in ours]
        assert [render_example(enc, c, mask=mask).input_ids for c in ours] == plain
        tokens = sum(map(len, plain))
        del plain
        plain_best = mask_best = float("inf")
        for _ in range(args.rounds):
            plain_best = min(plain_best, _timed(lambda: [enc.render_conversation_for_training(c, config) for c in ours])[1])
            mask_best = min(mask_best, _timed(lambda: [render_example(enc, c, mask=mask) for c in ours])[1])
        row(f"fastharmony render_conversation_for_training ({policy})", tokens, plain_best)
        row(f"render_example, 1 process ({policy})", tokens, mask_best, mask_cost=f"{mask_best / plain_best - 1:+.1%}")

    examples, seconds = _timed(lambda: render_examples(enc, ours))
    row("render_example, 1 process (default mask: drop)", sum(len(e.input_ids) for e in examples), seconds)
    total = sum(len(e.input_ids) for e in examples)
    for workers in (1, 2):
        out, seconds = _timed(lambda: render_examples(enc, lines, workers=workers, chunk_size=64))
        assert len(out) == len(examples)
        row(f"render_examples from JSON lines, {workers} worker{'s' * (workers > 1)}", total, seconds)
        del out

    if "datasets" not in args.skip:
        import datasets

        datasets.disable_progress_bars()
        dataset = datasets.Dataset.from_dict({"conversation": lines})
        with tempfile.TemporaryDirectory() as folder:
            mapped, seconds = _timed(lambda: dataset.map(
                HarmonyMapper(column="conversation"), batched=True, batch_size=256, num_proc=2,
                remove_columns=["conversation"], cache_file_name=os.path.join(folder, "mapped.arrow")))
            assert len(mapped) == len(examples)
            row("datasets.map(HarmonyMapper, num_proc=2)", total, seconds)
            del mapped

    if "ray" not in args.skip:
        import ray
        import ray.data

        _, startup = _timed(lambda: ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                                             configure_logging=False))
        ray.data.DataContext.get_current().enable_progress_bars = False
        try:
            source = ray.data.from_items([{"conversation": line} for line in lines])
            count, seconds = _timed(lambda: source.map_batches(
                HarmonyMapper, fn_constructor_kwargs={"column": "conversation"},
                batch_size=256, compute=ray.data.ActorPoolStrategy(size=2)).materialize().count())
            assert count == len(examples)
            row("Ray Data map_batches(HarmonyMapper, compute=ActorPoolStrategy(size=2))", total, seconds, startup=startup)
        finally:
            ray.shutdown()

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"conversations": len(ours), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
