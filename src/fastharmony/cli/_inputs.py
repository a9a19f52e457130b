# What commands read: JSON values, token ids, messages and conversations, in
# the forms the CLI accepts, with errors that say where.
#
# Rules of this file:
# - Every command that reads token ids reads them here, so they all accept the
#   same forms: a JSON list, or integers separated by white space (`1 2 3`);
#   `stream` also takes them as they arrive (`TokenLexer`), holding no more
#   than an unfinished number between chunks.
# - Messages and conversations go through _shapes (unknown keys refused,
#   harmony-go's shapes accepted) before the API reads them.
# - Every error is a `BadInput` whose text starts with where: `tokens[3]: ...`,
#   `line 2: ...`, `messages[0].role: ...`.

from __future__ import annotations

import re
from typing import Iterable, Iterator, List, Tuple

import msgspec

from .._errors import explain_msgspec
from . import _shapes as shapes
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
        if isinstance(data, list) or (isinstance(data, bytes) and first_char(data) == b"["):
            raise BadInput(str(explain_msgspec(exc, "token list", within=where))) from None
        whole = data
        if isinstance(data, bytes):
            try:
                whole = msgspec.json.decode(data)
            except msgspec.DecodeError as exc:
                raise BadInput(f"{where}: {json_problem(exc)}") from None
        got = _JSON_TYPES.get(type(whole), type(whole).__name__)
        raise BadInput(f"{where}: expected a JSON list of token ids, got `{got}`") from None
    except msgspec.DecodeError as exc:
        raise BadInput(f"{where}: {json_problem(exc)}") from None
    except RecursionError:
        raise BadInput(f"{where}: malformed JSON: it nests too deep") from None


# msgspec's names of JSON types, for a document that is not a list of token ids.
_JSON_TYPES = {dict: "object", str: "str", int: "int", float: "float", bool: "bool", type(None): "null"}


def read_tokens(io: IO) -> List[int]:
    """All the token ids of the input: a JSON list, or integers separated by
    white space (as `stream` reads them). No input at all is no tokens."""
    data = io.read("a JSON list of token ids")
    if is_token_words(data):
        return read_token_words(data)
    return token_list(data, "tokens")


def is_token_words(data: bytes) -> bool:
    """Whether the input is written as integers (not as JSON)."""
    return first_char(data) in (b"-", *[bytes([digit]) for digit in b"0123456789"])


def read_token_words(data: bytes) -> List[int]:
    """Token ids written as integers separated by white space."""
    return [token_id(word, f"tokens[{index}]") for index, word in enumerate(data.split())]


# A token id has at most this many digits (the last id is 201087); longer
# numbers are refused before int() (which refuses over 4300 digits anyway).
_MAX_DIGITS = 10
_INTEGER = re.compile(rb"-?[0-9]+")


def token_id(word: bytes, where: str) -> int:
    """One token id written as a decimal integer."""
    if not _INTEGER.fullmatch(word):
        shown = word.decode("utf-8", "replace")
        raise BadInput(f"{where}: {shown[:40]!r} is not a token id")
    digits = len(word.lstrip(b"-"))
    if digits > _MAX_DIGITS:
        raise BadInput(f"{where}: invalid token for decoding: {word[:12].decode()}... (an integer of {digits} digits)")
    return int(word)


_SEPARATORS = b" \t\r\n\f\v,[]"
_LEXEME = re.compile(rb"[^\s,\[\]]+|[,\[\]]")
_LONGEST_WORD = 64  # more characters without a separator cannot be a token id

Batch = Tuple[int, List[int]]  # (line number, token ids)


class TokenLexer:
    """Token ids from text as it arrives: integers separated by white space,
    or JSON arrays of integers (one a line, or several), in any mix. Fed
    chunk by chunk, it returns each id as soon as the separator after it has
    arrived, and keeps only an unfinished number between chunks, so memory
    does not grow with the length of a line. Errors name the line."""

    def __init__(self) -> None:
        self.line = 1
        self.pending = b""
        self.in_array = False
        self.expect_value = False  # in an array: after "[" or ","
        self.after_comma = False

    def feed(self, chunk: bytes) -> Iterator[Batch]:
        """The ids of this chunk, a batch per line (lazily: a bad word raises
        only after the lines before it were taken)."""
        data = self.pending + chunk
        cut = max(data.rfind(bytes([byte])) for byte in _SEPARATORS) + 1
        if cut == 0:
            if len(data) > _LONGEST_WORD:
                token_id(data, f"line {self.line}")  # refuses it
            self.pending = data
            return
        self.pending = data[cut:]
        yield from self._text(data[:cut])

    def close(self) -> Iterator[Batch]:
        """The ids left at the end of input; an array left open is an error."""
        text, self.pending = self.pending, b""
        yield from self._text(text)
        if self.in_array:
            self._malformed("input data was truncated (the array is not closed)")

    def _text(self, text: bytes) -> Iterator[Batch]:
        for number, piece in enumerate(text.split(b"\n")):
            if number:
                if self.in_array:
                    self._malformed("input data was truncated (the array is not closed at the end of the line)")
                self.line += 1
            if piece.strip():
                tokens = self._words(piece)
                if tokens:
                    yield self.line, tokens

    def _words(self, piece: bytes) -> List[int]:
        where = f"line {self.line}"
        if not self.in_array and not any(mark in piece for mark in (b"[", b",", b"]")):
            return [token_id(word, where) for word in piece.split()]  # the common case
        tokens = []
        for lexeme in _LEXEME.findall(piece):
            if lexeme == b"[":
                if self.in_array:
                    self._malformed("unexpected '[' (token ids are a flat list)")
                self.in_array, self.expect_value, self.after_comma = True, True, False
            elif lexeme == b"]":
                if not self.in_array or self.after_comma:
                    self._malformed("unexpected ']'")
                self.in_array = False
            elif lexeme == b",":
                if not self.in_array or self.expect_value:
                    self._malformed("unexpected ','")
                self.expect_value, self.after_comma = True, True
            else:
                if self.in_array and not self.expect_value:
                    self._malformed("expected ',' or ']'")
                tokens.append(token_id(lexeme, where))
                self.expect_value = self.after_comma = False
        return tokens

    def _malformed(self, what: str) -> None:
        raise BadInput(f"line {self.line}: malformed JSON: {what}")


def token_batches(chunks: Iterable[bytes]) -> Iterator[Batch]:
    """(line number, token ids) as soon as the ids are complete: at each
    separator (space, newline, comma) that has arrived, so that a writer
    sending "1 2 3 " without a newline is not kept waiting."""
    lexer = TokenLexer()
    for chunk in chunks:
        yield from lexer.feed(chunk)
    yield from lexer.close()


# -- messages and conversations ----------------------------------------------------


def _json_or_api_error(data: bytes, api_reader):
    """The decoded JSON value; malformed JSON is reported as the API reports
    it (`api_reader` raises its error)."""
    try:
        return decode_json(data)
    except BadInput:
        api_reader(data)
        raise


def read_message(io: IO):
    """One message in the reference's (or harmony-go's) JSON shape; unknown keys refused."""
    from fastharmony import Message

    data = io.read("a message as JSON")
    value = _json_or_api_error(data, Message.from_json)
    if not isinstance(value, dict):
        return Message.from_json(data)
    return Message.from_dict(shapes.message(value))


def read_conversation(io: IO):
    """`{"messages": [...]}`, or a bare list of messages as `parse` writes it;
    unknown keys refused."""
    from fastharmony import Conversation

    data = io.read('a conversation as JSON, {"messages": [...]}')
    value = _json_or_api_error(data, Conversation.from_json)
    return conversation_from(value)


def conversation_from(value):
    """A Conversation from decoded JSON: {"messages": [...]} or a list of messages."""
    from fastharmony import Conversation

    if isinstance(value, list):
        return Conversation.from_dict({"messages": shapes.messages_(value)})
    return Conversation.from_dict(shapes.conversation(value))
