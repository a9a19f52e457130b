# A corpus to training examples, in input order, on one core or several.
#
# Rules of this file:
# - Workers are processes: rendering is CPU-bound Python and BPE, so threads
#   would share one core (measured: 2 threads were no faster than 1). A
#   worker gets the encoding by pickle (by name and dialect: it loads the
#   vocabulary once per process), a chunk of raw items, and sends back its
#   examples as msgpack, which msgspec encodes and decodes at C speed.
# - At most a few chunks per worker are in flight, so a corpus of any size
#   streams through in bounded memory; results come back in input order.
# - A bad item is a HarmonyError naming its index (`items[12]: ...`). The
#   batch API raises the first; the command line asks for them as results
#   (`errors="yield"`) to report their line numbers and go on.

from __future__ import annotations

import datetime
import itertools
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterable, Iterator, List, Optional, Tuple, Union

import msgspec

from .._errors import HarmonyError, HarmonyValueError
from ._example import DEFAULT_MASK, TrainingExample, message_list, render_messages, turn_examples
from ._inputs import check_source, to_conversation
from ._mask import LossMask

DEFAULT_CHUNK_SIZE = 64
_IN_FLIGHT_PER_WORKER = 3

# What a worker sends back per item: its examples, or the text of its error.
_Result = Union[List[TrainingExample], str]
_encode_results = msgspec.msgpack.Encoder().encode
_decode_results = msgspec.msgpack.Decoder(List[_Result]).decode


class Options(msgspec.Struct, frozen=True):
    """How every item of a corpus is rendered (sent to the workers once per chunk)."""

    mask: LossMask = DEFAULT_MASK
    per_turn: bool = False
    source: str = "harmony"
    start_date: Optional[str] = None


def render_examples(
    encoding,
    conversations: Iterable[Any],
    *,
    mask: LossMask = DEFAULT_MASK,
    per_turn: bool = False,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    source: str = "harmony",
    start_date: Union[str, datetime.date, None] = None,
) -> List[TrainingExample]:
    """Render a corpus: one example per conversation (per trained turn with
    `per_turn=True`), in input order.

    Items are `Conversation`s or their JSON (`source="harmony"`), or OpenAI
    chat records (`source="openai"`, with a fixed `start_date`).
    `workers`: processes rendering chunks of `chunk_size` items.

    >>> from fastharmony.training import render_examples
    >>> records = [{"messages": [{"role": "user", "content": "2+2?"},
    ...     {"role": "assistant", "reasoning_content": "Easy.", "content": "4"}]}]
    >>> [example] = render_examples(enc, records, source="openai", start_date="2025-06-28")
    >>> enc.decode([t for t, m in zip(example.input_ids, example.loss_mask) if m])
    '<|channel|>analysis<|message|>Easy.<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>'
    """
    out: List[TrainingExample] = []
    for _, examples in iter_results(
        encoding, conversations, mask=mask, per_turn=per_turn, workers=workers,
        chunk_size=chunk_size, source=source, start_date=start_date,
    ):
        out += examples
    return out


def iter_results(
    encoding,
    items: Iterable[Any],
    *,
    mask: LossMask = DEFAULT_MASK,
    per_turn: bool = False,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    source: str = "harmony",
    start_date: Union[str, datetime.date, None] = None,
    errors: str = "raise",
) -> Iterator[Tuple[int, Union[List[TrainingExample], HarmonyError]]]:
    """`(index, examples)` for each item, in input order. With
    `errors="yield"` a bad item gives `(index, HarmonyError)` instead of
    raising, its message without the index. (The command line's helper;
    `render_examples` is the API.)"""
    if not isinstance(mask, LossMask):
        raise HarmonyValueError(f"mask must be a LossMask, got {type(mask).__name__}")
    check_source(source, start_date)
    for name, value in (("workers", workers), ("chunk_size", chunk_size)):
        if type(value) is not int or value < 1:
            raise HarmonyValueError(f"{name}: expected a positive int, got {value!r:.40}")
    if errors not in ("raise", "yield"):
        raise HarmonyValueError(f"errors: expected 'raise' or 'yield', got {errors!r:.40}")
    if isinstance(start_date, datetime.date):
        start_date = start_date.isoformat()
    options = Options(mask, per_turn, source, start_date)
    chunks = _chunks(items, chunk_size)
    if workers == 1:
        results = (render_chunk(encoding, chunk, options) for chunk in chunks)
        yield from _indexed(results, errors)
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        try:
            yield from _indexed(_in_order(pool, encoding, chunks, options, workers), errors)
        finally:
            # On an error (or a consumer that stops early) nothing more is rendered.
            pool.shutdown(wait=True, cancel_futures=True)


def render_chunk(encoding, items: List[Any], options: Options) -> List[_Result]:
    """Each item's examples, or the text of the HarmonyError it raised."""
    results: List[_Result] = []
    for item in items:
        try:
            results.append(render_item(encoding, item, options))
        except HarmonyError as exc:
            results.append(str(exc) or type(exc).__name__)
    return results


def render_item(encoding, item: Any, options: Options) -> List[TrainingExample]:
    conversation = to_conversation(item, options.source, options.start_date)
    if options.per_turn:
        return turn_examples(encoding, conversation, options.mask)
    return [render_messages(encoding, message_list(conversation), options.mask, None)]


def _worker_chunk(encoding, items: List[Any], options: Options) -> bytes:
    return _encode_results(render_chunk(encoding, items, options))


def _chunks(items: Iterable[Any], size: int) -> Iterator[List[Any]]:
    iterator = iter(items)
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


def _in_order(pool, encoding, chunks: Iterator[List[Any]], options: Options, workers: int):
    pending: deque = deque()
    limit = workers * _IN_FLIGHT_PER_WORKER
    for chunk in chunks:
        pending.append(pool.submit(_worker_chunk, encoding, chunk, options))
        if len(pending) >= limit:
            yield _decode_results(pending.popleft().result())
    while pending:
        yield _decode_results(pending.popleft().result())


def _indexed(results: Iterator[List[_Result]], errors: str):
    index = 0
    for chunk in results:
        for result in chunk:
            if type(result) is str:
                if errors == "raise":
                    raise HarmonyValueError(f"items[{index}]: {result}")
                yield index, HarmonyValueError(result)  # the caller says where
            else:
                yield index, result
            index += 1
