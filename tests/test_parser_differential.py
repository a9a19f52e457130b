"""Differential tests: fastharmony's parser against openai-harmony 0.0.8, and
in the 0.0.11 dialect against oss-harmony 0.0.11 (the `dialect` fixture).

Token streams come from three sources, each optionally mutated (tokens dropped,
inserted, duplicated, replaced, the stream truncated), and are parsed in strict
and non-strict mode, with no role or with any role:

- conversations rendered by the reference of the dialect (random roles, tool
  authors, recipients, channels, content types, hostile Unicode; in 0.0.11 the
  recipient follows the `commentary` channel and content types get
  `<|constrain|>`), with or without the leading `<|start|>` and role, with
  any or no final stop token;
- free-form headers assembled from header words, markers and whitespace
  (repeated `<|channel|>` markers among them: 0.0.11 strips the extra ones);
- content made of raw byte tokens: partial and invalid UTF-8.

After every token the two parsers must show the same content, role, channel,
recipient, content type, delta, state, state data (without `content_tokens`)
and message count, and raise the same errors; feeding goes on after an error.
At EOS the messages must be equal. `process_tokens`, over any split of the
stream into chunks, must end each chunk (or stop at a failing token) in the
state that `process` one by one reaches at the same point.

Token ids stay in 0..201088: outside it fastharmony deliberately differs.
"""

from __future__ import annotations

import re
from typing import Any, List, NamedTuple, Optional

import openai_harmony
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import fastharmony
from _parser_trace import EOS, assert_same_run, batch_parse, plain, same_outcome, view
from fastharmony import HarmonyError, StreamableParser, _parser, load_harmony_encoding

enc = load_harmony_encoding("HarmonyGptOss")
enc_0_0_11 = load_harmony_encoding("HarmonyGptOss", dialect="0.0.11")

SPECIAL = {name: enc.encode(name, allowed_special="all")[0] for name in enc.special_tokens_set}
START, MESSAGE = SPECIAL["<|start|>"], SPECIAL["<|message|>"]
STOPS = [SPECIAL["<|end|>"], SPECIAL["<|call|>"], SPECIAL["<|return|>"]]
FORMATTING = [
    SPECIAL[f"<|{name}|>"] for name in ("start", "message", "channel", "constrain", "end", "call", "return")
]
FIRST_SPECIAL, LAST_TOKEN = 199_998, 201_088
ROLES = [role.value for role in fastharmony.Role]


def _broken_utf8_tokens() -> List[int]:
    """Ordinary tokens whose bytes are not UTF-8 on their own: single bytes
    0x80-0xff, pieces of multibyte characters, stray continuation bytes."""
    broken = []
    for token in range(FIRST_SPECIAL):
        try:
            enc.decode_bytes([token]).decode()
        except UnicodeDecodeError:
            broken.append(token)
    return broken


BROKEN_UTF8 = _broken_utf8_tokens()
HIGH_BYTES = [t for t in range(256) if enc.decode_bytes([t])[0] >= 0x80]

# -- text ---------------------------------------------------------------------------------

HOSTILE = [
    "🤔", "👨\u200d👩\u200d👧", "日本語", "한국어", "مرحبا", "e\u0301", "\u0301", "𝔘",
    "\U0010ffff", "\ufeff", "\u200d", "\u0378", "ß", "ﬁ", "Ω", "\x00", "\r\n", "\n", "\t", " ",
    "   ", "\u3000", "\xa0",
    "\x0b", "\x1c", "\\", '"', "<", "|", "=", "to=", "json", "assistant", "functions.get_weather",
    "<|start|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|end|>", "<|call|>", "<|return|>",
    "<|reserved_200100|>", "<|endoftext|>",
]  # fmt: skip


# Code points unassigned in Python's Unicode database are left out of random
# text: some are assigned in the reference's newer Unicode, and the two then
# quote them differently in error messages (a known difference). U+0378 stays
# unassigned everywhere.
ANY_CHARACTER = st.characters(exclude_categories=("Cs", "Cn"))


def hostile_text(max_pieces: int = 8):
    piece = st.one_of(st.sampled_from(HOSTILE), st.text(ANY_CHARACTER, max_size=4))
    return st.lists(piece, max_size=max_pieces).map("".join)


def header_value():
    """A recipient, channel or content type: usually plausible, sometimes hostile."""
    plausible = st.sampled_from(
        ["functions.get_weather", "browser.search", "python", "assistant", "user", "analysis",
         "commentary", "final", "json", "<|constrain|>json", "<|constrain|>text", ""]
    )  # fmt: skip
    return st.one_of(plausible, plausible, plausible, hostile_text(3))


# -- streams ----------------------------------------------------------------------------------


class Stream(NamedTuple):
    tokens: List[Optional[int]]  # EOS marks a `process_eos` call
    role: Optional[str]  # the role the parser is created with


@st.composite
def reference_message(draw):
    """A message built and rendered by the reference: (its tokens, its role, the
    first word of its header)."""
    role = draw(st.sampled_from(ROLES))
    name = None
    if role == "tool":
        tool_names = st.sampled_from(["functions.get_weather", "browser.open", "python"])
        name = draw(st.one_of(tool_names, hostile_text(2)))
    elif draw(st.integers(0, 9)) == 0:
        name = draw(hostile_text(2))
    h = _REFERENCE.module
    message = h.Message.from_author_and_content(h.Author(role=h.Role(role), name=name), draw(hostile_text()))
    if draw(st.booleans()):
        channels = st.sampled_from(["analysis", "commentary", "final"])
        message = message.with_channel(draw(st.one_of(channels, header_value())))
    if draw(st.booleans()):
        message = message.with_recipient(draw(header_value()))
    if draw(st.booleans()):
        message = message.with_content_type(draw(header_value()))
    return _REFERENCE.ref.render(message), role, name if role == "tool" else role


@st.composite
def rendered_conversations(draw) -> Stream:
    """Rendered messages; the leading `<|start|>role` may be cut (parsed with that role)
    and each message's stop token replaced by another or, at the end, dropped."""
    tokens: List[int] = []
    messages = draw(st.lists(reference_message(), min_size=1, max_size=3))
    for rendered, _, _ in messages:
        if rendered[-1] in STOPS:
            rendered = rendered[:-1] + [draw(st.sampled_from(STOPS))]
        tokens += rendered
    if draw(st.booleans()):
        tokens.pop()  # the final stop token
    role = None
    cut = draw(st.sampled_from(["keep", "cut", "cut", "other role"]))
    if cut == "cut":
        _, role, first_word = messages[0]
        word_tokens = enc.encode(first_word or "", disallowed_special=())
        del tokens[0]
        if tokens[: len(word_tokens)] == word_tokens and draw(st.booleans()):
            del tokens[: len(word_tokens)]
    elif cut == "other role":
        role = draw(st.sampled_from(ROLES))
    return Stream(tokens, role)


ROLE_WORDS = [*ROLES, "functions.f", "robot", "to=functions.f", "Assistant", ""]
HEADER_WORDS = [
    *ROLE_WORDS, "to=", "to", "=", "json", "<|constrain|>json", "<|constrain|>", "<|channel|>",
    "<|channel|>analysis", "<|channel|>final", "<|channel|>commentary", "analysis", "final",
    "\u3000", "\x0b", "\x1c", "<", '"', "\\", "<|start|>", "<|end|>", "<|return|>", "<|call|>",
    "<|reserved_200100|>", "é", "e\u0301", "🤔",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "", "", "  ", "\t", "\n", "\r\n", "\u3000"]


@st.composite
def free_form_headers(draw) -> Stream:
    """Header text from header words, closed by <|message|> or a stop token, then content."""
    role = draw(st.sampled_from([None, None, *ROLES]))
    messages = []
    for _ in range(draw(st.integers(1, 2))):
        words = draw(st.lists(st.sampled_from(HEADER_WORDS), max_size=6))
        header = draw(st.sampled_from(ROLE_WORDS)) if role is None or messages else ""
        for word in words:
            header += draw(st.sampled_from(SEPARATORS)) + word
        closing = draw(st.sampled_from(["<|message|>", "<|message|>", "<|end|>", "<|return|>"]))
        content = draw(hostile_text(4)) + draw(st.sampled_from(["", "<|end|>", "<|call|>", "<|return|>"]))
        messages.append(header + closing + (content if closing == "<|message|>" else ""))
    text = "".join(("" if role is not None and i == 0 else "<|start|>") + m for i, m in enumerate(messages))
    return Stream(enc.encode(text, allowed_special="all"), role)


CONTENT_TOKEN = st.one_of(
    st.sampled_from(HIGH_BYTES),
    st.sampled_from(BROKEN_UTF8),
    st.sampled_from(enc.encode("🤔日本語 é a\r\n")),
    st.integers(0, FIRST_SPECIAL - 1),
)


@st.composite
def raw_content(draw) -> Stream:
    """A message whose content is raw tokens, mostly broken UTF-8."""
    messages = []
    for _ in range(draw(st.integers(1, 2))):
        body = draw(st.lists(CONTENT_TOKEN, max_size=12))
        messages.append([START, *enc.encode("assistant"), MESSAGE, *body, draw(st.sampled_from(STOPS))])
    tokens = [token for message in messages for token in message]
    if draw(st.booleans()):
        tokens.pop()
    return Stream(tokens, None)


def any_token():
    """A token to insert: formatting tokens first, then anything in range."""
    return st.one_of(
        st.sampled_from(FORMATTING),
        st.integers(FIRST_SPECIAL, LAST_TOKEN),
        st.sampled_from(HIGH_BYTES),
        st.sampled_from(BROKEN_UTF8),
        st.sampled_from(enc.encode(" to= json assistant user functions.f\n\u3000")),
        st.integers(0, FIRST_SPECIAL - 1),
    )


@st.composite
def mutated(draw, streams) -> Stream:
    """A stream with up to four edits: drop, insert, duplicate a run, replace,
    truncate, or an EOS in mid-stream."""
    tokens, role = draw(streams)
    tokens = list(tokens)
    edits = st.tuples(
        st.sampled_from(["drop", "insert", "duplicate", "replace", "truncate", "eos"]), st.integers(0, 10**6)
    )
    for kind, where in draw(st.lists(edits, max_size=4)):
        at = where % (len(tokens) + 1)
        if kind == "drop" and at < len(tokens):
            del tokens[at]
        elif kind == "insert":
            tokens.insert(at, draw(any_token()))
        elif kind == "duplicate":
            tokens[at:at] = tokens[at : at + draw(st.integers(1, 4))]
        elif kind == "replace" and at < len(tokens):
            tokens[at] = draw(any_token())
        elif kind == "truncate":
            del tokens[at:]
        elif kind == "eos":
            tokens.insert(at, EOS)
    return Stream(tokens, role)


ANY_STREAM = mutated(st.one_of(rendered_conversations(), free_form_headers(), raw_content()))

class Dialect(NamedTuple):
    name: str
    module: Any  # the reference's `openai_harmony` module
    ref: Any  # its HarmonyEncoding
    ours: fastharmony.HarmonyEncoding


@pytest.fixture(scope="module", params=["0.0.8", "0.0.11"])
def dialect(request) -> Dialect:
    """Both dialects: ours against openai-harmony 0.0.8, and against oss-harmony 0.0.11."""
    if request.param == "0.0.8":
        return Dialect("0.0.8", openai_harmony, request.getfixturevalue("ref"), enc)
    return Dialect(
        "0.0.11", request.getfixturevalue("oss_harmony"), request.getfixturevalue("oss_ref"), enc_0_0_11
    )


# The reference for `reference_message`, which draws inside the tests, after
# this fixture has run: the test's dialect, or 0.0.8.
_REFERENCE: Optional[Dialect] = None


@pytest.fixture(autouse=True)
def _reference_for_strategies(request, ref):
    global _REFERENCE
    if "dialect" in request.fixturenames:
        _REFERENCE = request.getfixturevalue("dialect")
    else:
        _REFERENCE = Dialect("0.0.8", openai_harmony, ref, enc)


# -- comparison with the reference ------------------------------------------------------------------


def assert_parses_like_the_reference(dialect: Dialect, stream: Stream, strict: bool) -> None:
    # Batch parsing cold (no header memoised: the state machine throughout)
    # and warm (after the stream: its fast path, where the shape allows).
    theirs = batch_parse(dialect.module, dialect.ref, stream.tokens, stream.role, strict)
    _parser._parsed_headers.clear()
    _parser._parsed_headers_0_0_11.clear()
    cold = batch_parse(fastharmony, dialect.ours, stream.tokens, stream.role, strict)
    assert same_outcome(cold, theirs), f"parse_messages_from_completion_tokens (cold), tokens={stream.tokens}"
    run = assert_same_run(dialect.ref, dialect.ours, stream.tokens, stream.role, strict, dialect.module)
    # What the examples exercised (pytest --hypothesis-show-statistics).
    event(f"{len(run.messages)} messages")
    states = ["Header" if stream.role else "ExpectStart"] + [step.view[6] for step in run.steps]
    if not strict and any(
        before == "Header" and step.view[6] == "ExpectStart" and not step.error
        for before, step in zip(states, run.steps)
    ):
        event("non-strict recovery")
    errors = {re.sub(r"\d+", "N", step.error)[:50] for step in run.steps if step.error}
    for error in errors | ({"EOS error"} if run.eos_error else set()):
        event(f"error: {error}")
    warm = batch_parse(fastharmony, dialect.ours, stream.tokens, stream.role, strict)
    assert same_outcome(warm, theirs), f"parse_messages_from_completion_tokens (warm), tokens={stream.tokens}"


@given(stream=rendered_conversations(), strict=st.booleans())
def test_rendered_conversations_parse_like_the_reference(dialect, stream, strict):
    assert_parses_like_the_reference(dialect, stream, strict)


@given(stream=mutated(rendered_conversations()), strict=st.booleans())
def test_mutated_conversations_parse_like_the_reference(dialect, stream, strict):
    assert_parses_like_the_reference(dialect, stream, strict)


@given(stream=mutated(free_form_headers()), strict=st.booleans())
def test_free_form_headers_parse_like_the_reference(dialect, stream, strict):
    assert_parses_like_the_reference(dialect, stream, strict)


ASSISTANT = enc.encode("assistant")[0]
THINKING_FACE = enc.encode("🤔")  # b"\xf0\x9f\xa4", b"\x94"
# Stray continuation bytes b"\x82\xac" (one U+FFFD per token, the rest lags),
# b"\x8app" (invalid then valid in one token), then EOS inside a character.
LAGGING = [START, ASSISTANT, MESSAGE, 2203, 2203, 2203, 78747, *THINKING_FACE, THINKING_FACE[0]]


@given(stream=mutated(raw_content()), strict=st.booleans())
@example(stream=Stream(LAGGING, None), strict=True)
@example(stream=Stream([*LAGGING, STOPS[0], *LAGGING[:-1], EOS, *LAGGING], None), strict=True)
def test_broken_utf8_content_decodes_like_the_reference(dialect, stream, strict):
    assert_parses_like_the_reference(dialect, stream, strict)


@given(
    pattern=st.lists(CONTENT_TOKEN, min_size=1, max_size=8),
    length=st.integers(1000, 3000),
    reads=st.lists(st.integers(0, 10**6), max_size=4),
)
def test_long_content_reads_like_the_reference_whenever_it_is_read(ref, pattern, length, reads):
    # Content of a few thousand tokens, read only now and then: fastharmony
    # joins its pieces of text in chunks as a message grows.
    body = (pattern * (length // len(pattern) + 1))[:length]
    stream = [START, ASSISTANT, MESSAGE, *body]
    points = sorted({len(stream), *(3 + read % (length + 1) for read in reads)})
    expected = read_at(openai_harmony.StreamableParser(ref, None), stream, points, batched=False)
    assert read_at(StreamableParser(enc, None), stream, points, batched=False) == expected
    assert read_at(StreamableParser(enc, None), stream, points, batched=True) == expected


def read_at(parser, stream, points, *, batched: bool) -> list:
    """The content and delta after the first `point` tokens, for each point; then the messages."""
    seen = []
    done = 0
    for point in points:
        if batched:
            parser.process_tokens(stream[done:point])
        else:
            for token in stream[done:point]:
                parser.process(token)
        done = point
        seen.append((parser.current_content, parser.last_content_delta))
    parser.process_eos()
    return seen + [plain(m.to_dict()) for m in parser.messages]


# -- process_tokens against process ----------------------------------------------------------------


def everything(parser) -> tuple:
    return view(parser), parser.state_data, parser.tokens, [plain(m.to_dict()) for m in parser.messages]


@pytest.mark.parametrize("ours", [enc, enc_0_0_11], ids=["0.0.8", "0.0.11"])
@given(stream=ANY_STREAM, strict=st.booleans(), cuts=st.lists(st.integers(0, 10**6), max_size=6))
@example(stream=Stream([*LAGGING, *enc.encode("abc")], None), strict=True, cuts=[])
@example(stream=Stream([*LAGGING, *enc.encode("abc")], None), strict=True, cuts=[4, 6])
def test_process_tokens_in_any_chunks_is_process_one_by_one(ours, stream, strict, cuts):
    tokens, role = stream
    role = None if role is None else fastharmony.Role(role)

    # One by one: the state and the error after every token.
    single = StreamableParser(ours, role, strict=strict)
    after = [everything(single)]
    errors = [None]
    for token in tokens:
        errors.append(eos(single) if token is EOS else process(single, token))
        after.append(everything(single))

    # In chunks: each chunk ends where one by one was at that point; an error
    # stops a chunk right after the failing token, and feeding resumes after it.
    bounds = sorted({0, len(tokens), *(cut % (len(tokens) + 1) for cut in cuts)})
    batched = StreamableParser(ours, role, strict=strict)
    for start, end in zip(bounds, bounds[1:]):
        done = start
        while done < end:
            if tokens[done] is EOS:
                reached, error = done + 1, eos(batched)
            else:
                stop = tokens.index(EOS, done, end) if EOS in tokens[done:end] else end
                fed = len(batched.tokens)
                try:
                    batched.process_tokens(tokens[done:stop])
                    reached, error = stop, None
                except HarmonyError as exc:
                    reached, error = done + len(batched.tokens) - fed, str(exc)
            unreported = [error for error in errors[done + 1 : reached] if error]
            assert not unreported, f"a token failed in tokens[{done}:{reached}] without an error"
            assert error == errors[reached], f"error after token #{reached - 1}"
            done = reached
            assert everything(batched) == after[done], f"after token #{done - 1}, chunk {start}:{end}"

    assert eos(batched) == eos(single)
    assert everything(batched) == everything(single)


def process(parser, token) -> Optional[str]:
    try:
        parser.process(token)
    except HarmonyError as exc:
        return str(exc)
    return None


def eos(parser) -> Optional[str]:
    try:
        parser.process_eos()
    except HarmonyError as exc:
        return str(exc)
    return None


# -- token ids outside the vocabulary (fastharmony's own behaviour) ------------------------------------

# Bools: see test_parser_rules.test_a_bool_is_not_a_token_id.
BAD_IDS = [-1, -(2**40), LAST_TOKEN + 1, 2**32 - 1, 2**32, 2**64, 1.0, "7", None]


@given(stream=ANY_STREAM, strict=st.booleans(), at=st.integers(0, 10**6), bad=st.sampled_from(BAD_IDS))
def test_a_bad_id_stops_a_batch_in_the_state_of_the_ids_before_it(stream, strict, at, bad):
    tokens = [token for token in stream.tokens if token is not EOS]
    at %= len(tokens) + 1
    batch = [*tokens[:at], bad, *tokens[at:]]
    role = None if stream.role is None else fastharmony.Role(stream.role)

    # One by one up to the bad id, or up to a token that fails before it.
    single = StreamableParser(enc, role, strict=strict)
    expected = None
    for token in tokens[:at]:
        expected = process(single, token)
        if expected:
            break

    batched = StreamableParser(enc, role, strict=strict)
    with pytest.raises(HarmonyError) as raised:
        batched.process_tokens(batch)
    if expected is None:
        assert isinstance(raised.value, ValueError)
        assert str(raised.value).startswith("Invalid token for decoding: ")
    else:
        assert str(raised.value) == expected
    assert everything(batched) == everything(single)
    with pytest.raises(HarmonyError):
        enc.parse_messages_from_completion_tokens(batch, role, strict=strict)
