# What commands read: JSON values, token ids, messages and conversations, in
# the forms the CLI accepts, with errors that say where.
#
# Rules of this file:
# - Every command that reads token ids reads them here, so they all accept the
#   same forms: a JSON list, or integers separated by white space (`1 2 3`).
# - Every error is a `BadInput` whose text starts with where: `tokens[3]: ...`,
#   `line 2: ...`, `messages[0].role: ...`.

from __future__ import annotations

import re
from typing import Iterable, Iterator, List, Tuple

import msgspec

from ._io import IO, BadInput, sentence


def json_problem(exc: msgspec.DecodeError) -> str:
    return "malformed JSON: " + sentence(str(exc).removeprefix("JSON is malformed: "))


def decode_json(data: bytes):
    """Any JSON value; a BadInput saying what is wrong with the text."""
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise BadInput(json_problem(exc)) from None
    except RecursionError:  # msgspec recurses once per level of nesting
        raise BadInput("malformed JSON: it nests too deep") from None
    except UnicodeDecodeError:  # bytes that are not UTF-8 inside a JSON string
        raise BadInput("malformed JSON: a string in it is not valid UTF-8") from None


def first_char(data: bytes) -> bytes:
    return data.lstrip()[:1]


# -- token ids ---------------------------------------------------------------------


def token_list(data, where: str) -> List[int]:
    """Token ids from JSON bytes (or an already decoded JSON value): a list of
    integers, or an error naming the first item that is not one."""
    try:
        if isinstance(data, bytes):
            return msgspec.json.decode(data, type=List[int])
        return msgspec.convert(data, List[int], strict=True)
    except msgspec.ValidationError as exc:
        problem, _, path = str(exc).partition(" - at `$")
        if not path:
            raise BadInput(f"{where}: expected a JSON list of token ids, got {problem.split()[-1]}") from None
        raise BadInput(f"{where}{path.rstrip('`')}: {sentence(problem)}") from None
    except msgspec.DecodeError as exc:
        raise BadInput(f"{where}: {json_problem(exc)}") from None
    except RecursionError:
        raise BadInput(f"{where}: malformed JSON: it nests too deep") from None


def read_tokens(io: IO) -> List[int]:
    return token_list(io.read("a JSON list of token ids"), "tokens")


_INTEGER = re.compile(rb"-?[0-9]+")


def line_tokens(text: bytes, line: int) -> List[int]:
    """One line of `stream` input: a JSON array, or integers separated by spaces."""
    text = text.strip()
    if text.startswith(b"["):
        return token_list(text, f"line {line}")
    tokens = []
    for word in text.split():
        if not _INTEGER.fullmatch(word):
            shown = word.decode("utf-8", "replace")
            raise BadInput(f"line {line}: {shown[:40]!r} is not a token id")
        tokens.append(int(word))
    return tokens


def token_batches(chunks: Iterable[bytes]) -> Iterator[Tuple[int, List[int]]]:
    """(line number, token ids) as soon as the ids are complete: at the end of
    each line, and on an unfinished line of integers at each space, so that a
    writer sending "1 2 3 " without a newline is not kept waiting."""
    pending = b""
    line = 1
    for chunk in chunks:
        *lines, pending = (pending + chunk).split(b"\n")
        for text in lines:
            yield line, line_tokens(text, line)
            line += 1
        if not pending.lstrip().startswith(b"["):
            cut = max(pending.rfind(b" "), pending.rfind(b"\t"), pending.rfind(b"\r"))
            if cut >= 0:
                yield line, line_tokens(pending[:cut], line)
                pending = pending[cut + 1 :]
    if pending.strip():
        yield line, line_tokens(pending, line)


# -- messages and conversations ----------------------------------------------------


def read_message(io: IO):
    from fastharmony import Message

    return Message.from_json(io.read("a message as JSON"))


def read_conversation(io: IO):
    """`{"messages": [...]}`, or a bare list of messages as `parse` writes it."""
    from fastharmony import Conversation

    data = io.read('a conversation as JSON, {"messages": [...]}')
    if first_char(data) == b"[":
        return Conversation.from_dict({"messages": decode_json(data)})
    return Conversation.from_json(data)
