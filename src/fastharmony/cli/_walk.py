# Parsing and rendering for the CLI, with errors that say where: the token
# index a parse failed at, the message a rendering failed on, the id that
# could not be decoded.
#
# Rules of this file:
# - Only the public API. The fast batch calls run first; only when they fail
#   does a slower walk (token by token, message by message) find where.
# - Errors are `BadInput` beginning with the place: `tokens[3]: ...`,
#   `end of tokens: ...`, `messages[1]: ...`.

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List, NamedTuple, Sequence

import fastharmony
from fastharmony import HarmonyError, Message

from ._io import BadInput, sentence


class Parsed(NamedTuple):
    message: Message
    tokens: List[int]  # the tokens the message was parsed from


def walk(encoding, tokens: List[int], role, strict: bool, keep_open_header: bool = False):
    """Parse token by token with the streaming parser: each message with its
    tokens, and the tokens of a header still open at the end (left open when
    `keep_open_header`, e.g. a prompt rendered for completion; otherwise the
    end of input is processed, as batch parsing does). Errors name the token."""
    parser = fastharmony.StreamableParser(encoding, role, strict=strict)
    parsed: List[Parsed] = []
    start = 0
    expect_start = fastharmony.StreamState.EXPECT_START
    state = parser.state
    for index, token in enumerate(tokens):
        try:
            parser.process(token)
        except HarmonyError as exc:
            raise BadInput(f"tokens[{index}]: {sentence(exc)}") from None
        # A message can only complete as the parser returns to EXPECT_START;
        # `messages` is a copy, so look only then.
        if parser.state is not state:
            state = parser.state
            if state is expect_start and len(parser.messages) > len(parsed):
                start = _collect(parser, parsed, tokens[start : index + 1], index + 1)
    if keep_open_header and parser.state == fastharmony.StreamState.HEADER:
        return parsed, tokens[start:]
    try:
        parser.process_eos()
    except HarmonyError as exc:
        raise BadInput(f"end of tokens: {sentence(exc)}") from None
    _collect(parser, parsed, tokens[start:], len(tokens))
    return parsed, []


def _collect(parser, parsed: List[Parsed], tokens: List[int], end: int) -> int:
    for message in parser.messages[len(parsed) :]:
        parsed.append(Parsed(message, tokens))
        tokens = []  # two messages completed by one token: the tokens go to the first
    return end


def parse(encoding, tokens: List[int], role, strict: bool) -> List[Message]:
    """Batch parsing; on an error, the streaming walk says at which token."""
    try:
        return encoding.parse_messages_from_completion_tokens(tokens, role, strict=strict)
    except HarmonyError:
        walk(encoding, tokens, role, strict)
        raise


@contextmanager
def which_message(encoding, messages: Sequence[Message]) -> Iterator[None]:
    """Names the message a rendering error came from: the renderer's errors say
    what is wrong, and rendering the messages one by one finds where."""
    try:
        yield
    except HarmonyError:
        for index, message in enumerate(messages):
            try:
                encoding.render(message)
            except HarmonyError as located:
                raise BadInput(f"messages[{index}]: {sentence(located)}") from None
        raise


def decoded_bytes(encoding, tokens: List[int]) -> bytes:
    """The bytes of the tokens; an unknown id is named with its index."""
    try:
        return encoding.decode_bytes(tokens)
    except HarmonyError:
        for index, token in enumerate(tokens):
            try:
                encoding.decode_bytes([token])
            except HarmonyError as exc:
                raise BadInput(f"tokens[{index}]: {sentence(exc)}") from None
        raise


def encoding() -> fastharmony.HarmonyEncoding:
    return fastharmony.load_harmony_encoding(fastharmony.HarmonyEncodingName.HARMONY_GPT_OSS)
