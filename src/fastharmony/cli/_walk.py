# Parsing and rendering for the CLI, with errors that say where: the token
# index a parse failed at, the message a rendering failed on, the id that
# could not be decoded.
#
# Rules of this file:
# - The public API, and <|start|>'s id from _tokens (its one home).
# - The fast batch calls run first; only when they fail does a slower walk
#   (token by token, message by message) find where.
# - Errors are `BadInput` beginning with the place: `tokens[3]: ...`,
#   `end of tokens: ...`, `messages[1]: ...`; special tokens in them are
#   named by their text, with advice where we know what to do (`explained`).
# - Walking is linear in the tokens: after each message a fresh parser takes
#   over, in the same state as the old one between messages (the old one
#   would keep every message and copy them all on each look).

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator, List, NamedTuple, Optional, Sequence

import fastharmony
from fastharmony import HarmonyError, Message, Role
from fastharmony._tokens import START

from ._io import BadInput, sentence


class Parsed(NamedTuple):
    message: Message
    tokens: List[int]  # the tokens the message was parsed from


def starting_role(first_token: Optional[int], role_name: Optional[str]) -> Optional[Role]:
    """The role a parse starts in. Tokens that begin with <|start|> carry their
    own header (role None, whatever --role says: the reference would read the
    <|start|> as header text). Tokens that begin anywhere else begin inside a
    header: --role's, or by default the assistant's, as a model's output does
    after a prompt from render-completion (harmony-go's `parse` default)."""
    if first_token is None or first_token == START:
        return None
    return Role.ASSISTANT if role_name is None else Role(role_name)


_NUMBER = re.compile(r"(?<![\w<|])(\d{6})(?![\w|])")


def explained(encoding, exc: Exception) -> str:
    """An API error for the CLI's one line: special tokens named by their text
    (`<|channel|> (200005)`, not `200005`), and what to do where we know it."""
    text = sentence(exc)

    def name(match: "re.Match[str]") -> str:
        token = int(match.group())
        if encoding.is_special_token(token):
            return f"{encoding.decode([token])} ({token})"
        return match.group()

    text = _NUMBER.sub(name, text)
    for situation, advice in _ADVICE:
        if situation in text:
            return f"{text} ({advice})"
    return text


_ADVICE = [
    ("while expecting start token", "after a message's stop token, the next message must begin with <|start|>"),
    ("waiting for message header to complete",
     "the tokens end inside a header, as a prompt from render-completion does; `fastharmony show` displays a prompt"),
    ("Unknown role", "a header's first word is its role, or a tool's name followed by its recipient"),
]


def walk(encoding, tokens: List[int], role, strict: bool, keep_open_header: bool = False):
    """Parse token by token with the streaming parser: each message with its
    tokens, and the tokens of a header still open at the end (left open when
    `keep_open_header`, e.g. a prompt rendered for completion; otherwise the
    end of input is processed, as batch parsing does). Errors name the token.

    Linear in the tokens: after each message a fresh parser takes over (the
    same state as the old one between messages, which would keep every
    message and token, and copies its message list on each look)."""
    parser = fastharmony.StreamableParser(encoding, role, strict=strict)
    parsed: List[Parsed] = []
    start = 0
    expect_start = fastharmony.StreamState.EXPECT_START
    for index, token in enumerate(tokens):
        try:
            parser.process(token)
        except HarmonyError as exc:
            raise BadInput(f"tokens[{index}]: {explained(encoding, exc)}") from None
        if parser.state is expect_start:
            messages = parser.messages
            if messages:
                _collect(parsed, messages, tokens[start : index + 1])
                start = index + 1
                parser = fastharmony.StreamableParser(encoding, None, strict=strict)
    if keep_open_header and parser.state == fastharmony.StreamState.HEADER:
        return parsed, tokens[start:]
    try:
        parser.process_eos()
    except HarmonyError as exc:
        raise BadInput(f"end of tokens: {explained(encoding, exc)}") from None
    _collect(parsed, parser.messages, tokens[start:])
    return parsed, []


def _collect(parsed: List[Parsed], messages: List[Message], tokens: List[int]) -> None:
    for message in messages:
        parsed.append(Parsed(message, tokens))
        tokens = []  # two messages completed by one token: the tokens go to the first


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
                raise BadInput(f"tokens[{index}]: {explained(encoding, exc)}") from None
        raise


def encoding() -> fastharmony.HarmonyEncoding:
    return fastharmony.load_harmony_encoding(fastharmony.HarmonyEncodingName.HARMONY_GPT_OSS)
