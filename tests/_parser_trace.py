"""Drive a streaming parser over a token stream and record everything it shows.

The parser tests compare fastharmony with openai-harmony by running both the
same way: one token at a time, recording after every token what a caller can
observe; an error is recorded and feeding goes on (the reference lets a caller
continue after an error), and the stream ends with EOS. `EOS` (None) in a
token stream calls `process_eos` there, and feeding goes on after it too.

Two deliberate differences are allowed for: `content_tokens` is left out of
`state_data` (the reference re-encodes the decoded content, fastharmony keeps
the tokens as received), and an error quoting more than 200 characters of
header text may quote only the first 200 (the reference quotes any length).
Both are tested on their own.
"""

from __future__ import annotations

import enum
import re
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

import openai_harmony

import fastharmony


EOS = None
Tokens = Sequence[Optional[int]]  # token ids, and EOS marks


class Step(NamedTuple):
    token: Optional[int]  # EOS for a `process_eos` call
    error: Optional[str]
    view: tuple


class Run(NamedTuple):
    steps: List[Step]
    eos_error: Optional[str]
    messages: List[dict]
    tokens: List[int]


def plain(value: Any) -> Any:
    """A message dict with enum members replaced by their values (the two
    libraries have distinct but equal-valued enums)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def state_data_without_content_tokens(parser) -> dict:
    data = dict(parser.state_data)
    data.pop("content_tokens", None)
    return data


def view(parser) -> tuple:
    """What a caller can read from a parser between tokens."""
    role = parser.current_role
    return (
        parser.current_content,
        None if role is None else role.value,
        parser.current_channel,
        parser.current_recipient,
        parser.current_content_type,
        parser.last_content_delta,
        parser.state.value,
        len(parser.messages),
        state_data_without_content_tokens(parser),
    )


def new_parser(module, encoding, role: Optional[str], strict: bool):
    """A StreamableParser of `module` (openai_harmony or fastharmony)."""
    return module.StreamableParser(encoding, None if role is None else module.Role(role), strict=strict)


def _error_types(module) -> Tuple[type, ...]:
    # fastharmony must raise its HarmonyError; anything else escapes and fails the test.
    return (fastharmony.HarmonyError,) if module is fastharmony else (Exception,)


def run(module, encoding, tokens: Tokens, role: Optional[str], strict: bool) -> Run:
    """Feed `tokens` one by one, then EOS, recording a view after every token."""
    parser = new_parser(module, encoding, role, strict)
    errors = _error_types(module)
    steps = []
    for token in tokens:
        try:
            if token is EOS:
                parser.process_eos()
            else:
                parser.process(token)
            error = None
        except errors as exc:
            error = str(exc)
        steps.append(Step(token, error, view(parser)))
    try:
        parser.process_eos()
        eos_error = None
    except errors as exc:
        eos_error = str(exc)
    return Run(steps, eos_error, [plain(m.to_dict()) for m in parser.messages], list(parser.tokens))


_CLIPPED = re.compile(r"(?P<head>.*)\.\.\. \((?P<length>\d+) characters in all\)", re.S)


def same_error(ours: Optional[str], reference: Optional[str]) -> bool:
    """Equal, or ours quotes the start of the header text the reference quotes whole."""
    if ours == reference:
        return True
    clipped = _CLIPPED.fullmatch(ours or "")
    if clipped is None or reference is None:
        return False
    head = clipped["head"]
    if head.endswith('")'):  # Some("...") in Rust's Debug form
        head = head[:-2]
    return reference.startswith(head) and len(reference) > len(clipped["head"])


def _allowing_clipped_errors(expected: Run, actual: Run) -> Run:
    steps = [
        want._replace(error=got.error) if same_error(got.error, want.error) else want
        for want, got in zip(expected.steps, actual.steps)
    ]
    return expected._replace(steps=steps + expected.steps[len(steps) :])


def first_difference(expected: Run, actual: Run) -> str:
    """A readable account of where two runs part."""
    for index, (want, got) in enumerate(zip(expected.steps, actual.steps)):
        if want != got:
            return f"after token #{index} ({want.token}):\n  reference: {want}\n  ours:      {got}"
    if expected.eos_error != actual.eos_error:
        return f"at EOS:\n  reference: {expected.eos_error!r}\n  ours:      {actual.eos_error!r}"
    if expected.messages != actual.messages:
        return f"messages:\n  reference: {expected.messages}\n  ours:      {actual.messages}"
    return f"tokens:\n  reference: {expected.tokens}\n  ours:      {actual.tokens}"


def assert_same_run(
    ref_encoding, our_encoding, tokens: Tokens, role: Optional[str], strict: bool, reference=openai_harmony
) -> Run:
    """Run both parsers over `tokens` and assert they agree at every step; returns our run.

    `reference` is the reference's module: openai-harmony 0.0.8, or oss-harmony
    0.0.11's for an encoding of that dialect.
    """
    actual = run(fastharmony, our_encoding, tokens, role, strict)
    expected = _allowing_clipped_errors(run(reference, ref_encoding, tokens, role, strict), actual)
    assert actual == expected, (
        f"dialect={our_encoding.dialect} role={role!r} strict={strict} tokens={list(tokens)}\n"
        + first_difference(expected, actual)
    )
    return actual


def same_outcome(ours: tuple, reference: tuple) -> bool:
    """Two `batch_parse` results agree (see `same_error`)."""
    if ours[0] == reference[0] == "error":
        return same_error(ours[1], reference[1])
    return ours == reference


def batch_parse(module, encoding, tokens: Tokens, role: Optional[str], strict: bool) -> tuple:
    """`parse_messages_from_completion_tokens` (of the tokens without EOS marks)
    as ("ok", messages) or ("error", message)."""
    errors = _error_types(module)
    tokens = [token for token in tokens if token is not EOS]
    try:
        messages = encoding.parse_messages_from_completion_tokens(
            tokens, None if role is None else module.Role(role), strict=strict
        )
    except errors as exc:
        return ("error", str(exc))
    return ("ok", [plain(m.to_dict()) for m in messages])
