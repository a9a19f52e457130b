# `fastharmony training-render`: a JSONL corpus to a Parquet or JSONL file of
# training examples (the columns of `HarmonyMapper`), or JSON Lines on stdout.
#
# Rules of this file:
# - Records are read as raw lines and parsed by the workers, so JSON decoding
#   runs on every core too; results come back in input order and are written
#   as they come (bounded memory for a corpus of any size).
# - A bad record is reported as `FILE:LINE: problem`. By default the run stops
#   there, exit status 1, and no output file is left behind (the output is
#   written to a temporary file renamed at the end); `--skip-bad` reports each
#   one, skips it and counts it in the summary.
# - The progress bar is tqdm's (the `training` extra), on stderr, only when
#   stderr is a terminal; without tqdm there is no bar. The summary line is
#   always printed: examples, tokens, trained tokens, tokens per second.
# - Parquet needs pyarrow (the `parquet` extra); the error says so.
# - The API is fastharmony.training's, with the internal helpers its opening
#   comment documents (`iter_results`: results in order, bad items as values).

from __future__ import annotations

import os
import sys
import time
from collections import deque
from typing import Any, Dict, Iterator, List, Optional, Tuple

import msgspec

from fastharmony import HarmonyError, load_harmony_encoding
from fastharmony.training import (
    COLUMNS,
    DEFAULT_CHUNK_SIZE,
    HEADERS,
    HISTORY_ANALYSIS,
    TURNS,
    LossMask,
    example_columns,
    iter_results,
)

from .._io import BadInput, UsageError, say
from .._options import arg, command

_WRITE_BATCH = 512  # examples per Parquet row group and per JSONL write


@command(
    arg("-o", "--output", default="-", metavar="FILE",
        help="the examples: a .parquet or .jsonl file, or '-' for JSON Lines on stdout (the default)"),
    arg("--source", choices=("harmony", "openai"), default="harmony",
        help="what a line holds: a Harmony conversation's JSON (default) or an OpenAI chat record"),
    arg("--date", metavar="YYYY-MM-DD",
        help="the date in OpenAI records' system message (required with --source openai)"),
    arg("--workers", type=int, default=1, help="processes rendering in parallel (default 1)"),
    arg("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="records per task sent to a worker"),
    arg("--per-turn", action="store_true", help="one example per assistant turn, each trained in its own context"),
    arg("--skip-bad", action="store_true", help="report bad records, skip and count them (default: stop at the first)"),
    arg("--progress", action="store_true", default=None, help="show a progress bar (default: when stderr is a terminal)"),
    arg("--no-progress", dest="progress", action="store_false", help="no progress bar"),
    arg("--roles", default="assistant", help="loss mask: comma-separated roles to train (default: assistant)"),
    arg("--channels", default=None, help="loss mask: comma-separated channels to train (default: all)"),
    arg("--no-tool-calls", dest="tool_calls", action="store_false", help="loss mask: do not train tool calls"),
    arg("--header", choices=HEADERS, default="generated", help="loss mask: header tokens trained (default: generated)"),
    arg("--no-stop-token", dest="stop_token", action="store_false",
        help="loss mask: do not train <|end|>, <|call|>, <|return|>"),
    arg("--turns", choices=TURNS, default="all", help="loss mask: train all turns (default) or the last"),
    arg("--history-analysis", choices=HISTORY_ANALYSIS, default="drop",
        help="loss mask: reasoning of answered turns: drop (default), keep, or reference"),
)
def training_render(args, io):
    """Render a corpus, one conversation per line, into training examples:
    the exact Harmony tokens of gpt-oss with a loss mask, written as TRL's
    pre-tokenized columns input_ids, assistant_masks (1 = trained) and labels
    (-100 where untrained). See docs/training.md for the mask rules.

    Lines hold Harmony conversations as JSON (--source harmony) or OpenAI chat
    records {"messages": [...], "tools": [...]} (--source openai, with --date).
    A summary goes to stderr; a bad record stops the run (exit 1, no output
    file) with its line number, or is skipped and counted with --skip-bad.

      $ echo '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hey"}]}' > chats.jsonl
      $ fastharmony training-render -i chats.jsonl -o train.jsonl --source openai --date 2025-06-28 2>/dev/null; head -c 48 train.jsonl
      {"input_ids":[200006,17360,200008,3575,553,17554
    """
    try:
        mask = LossMask(
            roles=set(_names(args.roles)),
            channels=None if args.channels is None else set(_names(args.channels)),
            tool_calls=args.tool_calls,
            header=args.header,
            stop_token=args.stop_token,
            turns=args.turns,
            history_analysis=args.history_analysis,
        )
    except HarmonyError as exc:
        raise UsageError(str(exc)) from None
    for option, value in (("--workers", args.workers), ("--chunk-size", args.chunk_size)):
        if value < 1:
            raise UsageError(f"{option} must be at least 1, got {value}")
    if args.source == "openai" and not args.date:
        raise UsageError("--source openai needs --date: the date written in every system message")
    writer = _writer(args.output, io)
    size = os.stat(io.path).st_size if io.path is not None and os.path.isfile(io.path) else None
    lines: deque = deque()  # (line number, length) of the records in flight
    totals = {"examples": 0, "tokens": 0, "trained": 0, "bad": 0}
    bar = _progress_bar(args.progress, size)
    started = time.perf_counter()
    ok = False
    results = None
    try:
        results = iter_results(
            load_harmony_encoding("HarmonyGptOss"), _records(io.chunks(), lines), mask=mask,
            per_turn=args.per_turn, workers=args.workers, chunk_size=args.chunk_size,
            source=args.source, start_date=args.date, errors="yield",
        )
        for _, result in results:
            line, length = lines.popleft()
            if isinstance(result, HarmonyError):
                if not args.skip_bad:
                    raise BadInput(f"{io.name}:{line}: {result}")  # (the output file is discarded below)
                say(f"{io.name}:{line}: skipped: {result}")
                totals["bad"] += 1
            else:
                writer.add(result)
                totals["examples"] += len(result)
                for example in result:
                    totals["tokens"] += len(example.input_ids)
                    totals["trained"] += example.num_trained
            if bar is not None:
                bar.update(length)
        writer.close()
        ok = True
    finally:
        if results is not None:
            results.close()  # stops the workers when the run stops early
        if bar is not None:
            bar.close()
        if not ok:
            writer.discard()
    say(_summary(totals, time.perf_counter() - started, "stdout" if args.output == "-" else args.output))


def _names(text: str) -> List[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _records(chunks: Iterator[bytes], lines: deque) -> Iterator[bytes]:
    """The non-blank lines of the input; each one's number and length (with
    the blank lines after it, for the progress bar) is queued in `lines`."""
    number = 0
    pending: List[bytes] = []  # the start of a line longer than a chunk
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                pending.append(chunk[start:])
                break
            line = b"".join(pending) + chunk[start:end] if pending else chunk[start:end]
            pending = []
            start = end + 1
            number += 1
            if line.strip():
                lines.append((number, len(line) + 1))
                yield line
            elif lines:
                previous, length = lines[-1]
                lines[-1] = (previous, length + len(line) + 1)
    rest = b"".join(pending)
    if rest.strip():
        lines.append((number + 1, len(rest)))
        yield rest


def _progress_bar(wanted: Optional[bool], size: Optional[int]):
    stderr = sys.stderr
    if wanted is None:
        try:
            wanted = stderr.isatty()
        except (AttributeError, ValueError):
            wanted = False
    if not wanted:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience: the run goes on without it
        return None
    return tqdm(total=size, unit="B", unit_scale=True, file=stderr, desc="rendering", dynamic_ncols=True)


def _summary(totals: Dict[str, int], seconds: float, output: str) -> str:
    tokens, trained = totals["tokens"], totals["trained"]
    share = f" ({100 * trained / tokens:.1f}%)" if tokens else ""
    rate = tokens / seconds if seconds > 0 else 0.0
    bad = f"; {totals['bad']:,} bad records skipped" if totals["bad"] else ""
    return (
        f"{totals['examples']:,} examples, {tokens:,} tokens, {trained:,} trained{share} "
        f"in {seconds:.2f} s ({rate / 1e6:.2f} M tokens/s) -> {output}{bad}"
    )


# -- output files ----------------------------------------------------------------


def _writer(path: str, io):
    if path == "-":
        return _StdoutWriter(io)
    if path.endswith(".jsonl"):
        return _JsonLinesWriter(path)
    if path.endswith(".parquet"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError("writing Parquet needs pyarrow: pip install 'fastharmony[parquet]'") from None
        return _ParquetWriter(path)
    raise UsageError(f"-o {path}: the output is a .parquet or .jsonl file, or '-' (stdout)")


_encode_json = msgspec.json.Encoder().encode


def _json_lines(examples) -> bytes:
    lines = [
        _encode_json(dict(zip(COLUMNS, (example.input_ids, list(example.loss_mask), example.labels()))))
        for example in examples
    ]
    return b"".join(line + b"\n" for line in lines)


class _BatchedWriter:
    """Examples are kept until there are `_WRITE_BATCH` of them, then `flush`
    writes them at once."""

    def __init__(self) -> None:
        self.pending: List[Any] = []

    def add(self, examples) -> None:
        self.pending += examples
        if len(self.pending) >= _WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        raise NotImplementedError


class _StdoutWriter(_BatchedWriter):
    """JSON Lines on stdout, as they come (through the CLI's IO, which turns
    what the operating system does to stdout into one error line)."""

    def __init__(self, io) -> None:
        super().__init__()
        self.io = io

    def flush(self) -> None:
        if self.pending:
            self.io.write(_json_lines(self.pending))
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.io.flush()  # a failing stdout fails the run before the summary says it went well

    def discard(self) -> None:
        self.pending = []


class _TemporaryOutput(_BatchedWriter):
    """Written beside the output and renamed over it at the end, so that a
    failed run leaves no partial file."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.temporary = f"{path}.{os.getpid()}.tmp"

    def close(self) -> None:
        self.flush()
        self.finish()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        try:
            self.finish()
        finally:
            if os.path.exists(self.temporary):
                os.remove(self.temporary)


class _JsonLinesWriter(_TemporaryOutput):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        try:
            self.file = open(self.temporary, "wb")
        except OSError as exc:
            raise BadInput(f"cannot write {path}: {exc.strerror}") from None

    def flush(self) -> None:
        if self.pending:
            self.file.write(_json_lines(self.pending))
        self.pending = []

    def finish(self) -> None:
        self.file.close()


class _ParquetWriter(_TemporaryOutput):
    def __init__(self, path: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(path)
        self.pa = pa
        self.schema = pa.schema([
            ("input_ids", pa.list_(pa.int32())),
            ("assistant_masks", pa.list_(pa.int8())),
            ("labels", pa.list_(pa.int64())),
        ])
        try:
            self.writer = pq.ParquetWriter(self.temporary, self.schema)
        except OSError as exc:
            raise BadInput(f"cannot write {path}: {exc}") from None

    def flush(self) -> None:
        if not self.pending:
            return
        import numpy

        pa = self.pa
        columns = example_columns(self.pending)
        lengths = numpy.array([len(ids) for ids in columns["input_ids"]], dtype=numpy.int32)
        offsets = pa.array(numpy.concatenate([[0], numpy.cumsum(lengths)]).astype(numpy.int32))
        arrays = [
            pa.ListArray.from_arrays(offsets, pa.array(numpy.concatenate(columns[name]) if len(lengths) else []).cast(field.type.value_type))
            for name, field in zip(COLUMNS, self.schema)
        ]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.pending = []

    def finish(self) -> None:
        self.writer.close()
