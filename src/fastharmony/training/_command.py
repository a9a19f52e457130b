# `fastharmony training-render`: a JSONL corpus to a Parquet or JSONL file of
# training examples (the columns of `HarmonyMapper`).
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

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import deque
from typing import Any, BinaryIO, Dict, Iterator, List, Optional, TextIO

import msgspec

from .._errors import HarmonyError
from ._batch import DEFAULT_CHUNK_SIZE, iter_results
from ._mapper import COLUMNS, example_columns
from ._mask import HEADERS, HISTORY_ANALYSIS, TURNS, LossMask

NAME = "training-render"
SUMMARY = "render a JSONL corpus into training examples (Parquet or JSONL) with loss masks"
DESCRIPTION = """\
Render a corpus, one conversation per line, into the exact Harmony tokens of
gpt-oss with a loss mask, written as TRL's pre-tokenized columns: input_ids,
assistant_masks (1 = trained) and labels (-100 where untrained).

Lines hold Harmony conversations as JSON (--source harmony) or OpenAI chat
records {"messages": [...], "tools": [...]} (--source openai, with --date).
"""
_WRITE_BATCH = 512  # examples per Parquet row group and per JSONL write


class CommandError(Exception):
    """A usage problem: exit status 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-i", "--input", required=True, help="the corpus: JSON Lines, one conversation per line ('-': stdin)")
    parser.add_argument("-o", "--output", required=True, help="the examples: a .parquet or .jsonl file")
    parser.add_argument("--source", choices=("harmony", "openai"), default="harmony",
                        help="what a line holds: a Harmony conversation's JSON (default) or an OpenAI chat record")
    parser.add_argument("--date", help="the conversation date of OpenAI records' system message (YYYY-MM-DD); required with --source openai")
    parser.add_argument("--workers", type=int, default=1, help="processes rendering in parallel (default 1)")
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="records per task sent to a worker")
    parser.add_argument("--per-turn", action="store_true", help="one example per assistant turn, each trained in its own context")
    parser.add_argument("--skip-bad", action="store_true", help="report bad records, skip and count them (default: stop at the first)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: when stderr is a terminal)")
    mask = parser.add_argument_group("loss mask (see docs/training.md)")
    mask.add_argument("--roles", default="assistant", help="comma-separated roles to train (default: assistant)")
    mask.add_argument("--channels", default=None, help="comma-separated channels to train (default: all)")
    mask.add_argument("--no-tool-calls", dest="tool_calls", action="store_false", help="do not train tool calls")
    mask.add_argument("--header", choices=HEADERS, default="generated", help="header tokens trained (default: generated)")
    mask.add_argument("--no-stop-token", dest="stop_token", action="store_false", help="do not train <|end|>, <|call|>, <|return|>")
    mask.add_argument("--turns", choices=TURNS, default="all", help="train all turns or the last one")
    mask.add_argument("--history-analysis", choices=HISTORY_ANALYSIS, default="drop",
                      help="reasoning of answered turns: drop (default), keep, or reference")


def run(args: argparse.Namespace, stdin: BinaryIO, stderr: TextIO) -> int:
    """The command; returns the exit status (1: a bad record, reported with
    its line number). Usage errors raise CommandError."""
    from .. import load_harmony_encoding

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
        raise CommandError(str(exc)) from None
    for option, value in (("--workers", args.workers), ("--chunk-size", args.chunk_size)):
        if value < 1:
            raise CommandError(f"{option} must be at least 1, got {value}")
    if args.source == "openai" and not args.date:
        raise CommandError("--source openai needs --date: the date written in every system message")
    writer = _writer(args.output)
    source = stdin if args.input == "-" else _open_input(args.input)
    name = "<stdin>" if args.input == "-" else args.input
    size = None if args.input == "-" else os.fstat(source.fileno()).st_size
    lines: deque = deque()  # (line number, length) of the records in flight
    encoding = load_harmony_encoding("HarmonyGptOss")
    totals = {"examples": 0, "tokens": 0, "trained": 0, "bad": 0}
    bar = _progress_bar(args.progress, stderr, size)
    started = time.perf_counter()
    ok = False
    results = None
    try:
        results = iter_results(
            encoding, _records(source, lines), mask=mask, per_turn=args.per_turn,
            workers=args.workers, chunk_size=args.chunk_size, source=args.source,
            start_date=args.date, errors="yield",
        )
        for _, result in results:
            line, length = lines.popleft()
            if isinstance(result, HarmonyError):
                if not args.skip_bad:
                    stderr.write(f"fastharmony: error: {name}:{line}: {result}\n")
                    return 1  # (the output file is discarded below)
                stderr.write(f"{name}:{line}: skipped: {result}\n")
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
        if source is not stdin:
            source.close()
        if not ok:
            writer.discard()
    stderr.write(_summary(totals, time.perf_counter() - started, args.output) + "\n")
    return 0


def _names(text: str) -> List[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _open_input(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def _records(source: BinaryIO, lines: deque) -> Iterator[bytes]:
    for number, line in enumerate(source, 1):
        if line.strip():
            lines.append((number, len(line)))
            yield line
        elif lines:  # a blank line counts towards the progress of the record before it
            number_, length = lines[-1]
            lines[-1] = (number_, length + len(line))


def _progress_bar(wanted: Optional[bool], stderr: TextIO, size: Optional[int]):
    if wanted is None:
        wanted = stderr.isatty()
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


def _writer(path: str):
    if path.endswith(".jsonl"):
        return _JsonLinesWriter(path)
    if path.endswith(".parquet"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise CommandError("writing Parquet needs pyarrow: pip install 'fastharmony[parquet]'") from None
        return _ParquetWriter(path)
    raise CommandError(f"-o {path}: the output is a .parquet or .jsonl file")


class _TemporaryOutput:
    """Written beside the output and renamed over it at the end, so that a
    failed run leaves no partial file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.temporary = f"{path}.{os.getpid()}.tmp"
        self.pending: List[Any] = []

    def add(self, examples) -> None:
        self.pending += examples
        if len(self.pending) >= _WRITE_BATCH:
            self.flush()

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
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        self.encode = msgspec.json.Encoder().encode

    def flush(self) -> None:
        lines = []
        for example in self.pending:
            labels = example.labels()
            lines.append(self.encode(dict(zip(COLUMNS, (example.input_ids, example.loss_mask, labels)))))
        if lines:
            self.file.write(b"\n".join(lines) + b"\n")
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
            raise CommandError(f"cannot write {path}: {exc}") from None

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


# -- standalone entry (until the command table of fastharmony.cli lists it) --------


def main(argv: Optional[List[str]] = None, stdin: Optional[BinaryIO] = None, stderr: Optional[TextIO] = None) -> int:
    """`fastharmony training-render ARGS` in-process; returns the exit status."""
    parser = argparse.ArgumentParser(prog=f"fastharmony {NAME}", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    stdin = stdin if stdin is not None else sys.stdin.buffer
    stderr = stderr if stderr is not None else sys.stderr
    try:
        return run(args, stdin, stderr)
    except CommandError as exc:
        stderr.write(f"fastharmony {NAME}: error: {exc}\n")
        return 2
    except HarmonyError as exc:
        stderr.write(f"fastharmony: error: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
