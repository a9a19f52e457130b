"""Batch parsing's fast path: the common shape of a completion (headers seen
before, each content ended by a stop token and valid UTF-8) is read without
the state machine; anything else is left to it. One test per rule of when the
fast path takes a completion and when it leaves it.

Every completion here is parsed twice, cold (no header memoised: the state
machine) and warm (the fast path, where the shape allows), and both results
must be the reference's. Which path the warm parse takes is checked too (an
internal look, on purpose): a rule that stopped sending a completion to the
state machine would otherwise go unseen while the memo is cold.
"""

from __future__ import annotations

from array import array

import numpy
import openai_harmony
import pytest

import fastharmony
from _parser_trace import batch_parse, same_outcome
from fastharmony import HarmonyError, Role, _parser, load_harmony_encoding
from fastharmony._vocab import tokenizer_of
from fastharmony._model import role_argument

enc = load_harmony_encoding("HarmonyGptOss")
enc_0_0_11 = load_harmony_encoding("HarmonyGptOss", dialect="0.0.11")

START, MESSAGE, END, CALL = 200006, 200008, 200007, 200012
BYTE = {enc.decode_bytes([t])[0]: t for t in range(256)}  # ids 0..255 are the single bytes


def tokens(text: str) -> list:
    return enc.encode(text, allowed_special="all")


TOOL_CALL = tokens(
    '<|start|>assistant<|channel|>commentary to=functions.get_weather<|constrain|>json<|message|>{"latitude":48.8566}<|call|>'
)
FINAL = tokens("<|start|>assistant<|channel|>final<|message|>Hi there<|return|>")
USER_START = tokens("<|start|>user<|message|>")


def fast_path(encoding, stream: list, role=None):
    """What the fast path makes of `stream`: messages, or None (left to the state machine)."""
    memo = _parser._parsed_headers if encoding.dialect == "0.0.8" else _parser._parsed_headers_0_0_11
    words = array("I", stream).tobytes()
    return _parser._well_formed_messages(
        tokenizer_of(encoding), memo, stream, words, None if role is None else role_argument(role)
    )


@pytest.fixture
def parse_twice(ref):
    """parse_twice(stream, role=None, strict=True, encoding=enc) -> whether the warm
    parse took the fast path; both parses must be the reference's."""

    def parse_twice(stream, role=None, strict=True, encoding=enc, reference=None):
        reference = reference or (openai_harmony, ref)
        expected = batch_parse(*reference, stream, role, strict)
        _parser._parsed_headers.clear()
        _parser._parsed_headers_0_0_11.clear()
        for _ in ("cold", "warm"):
            assert same_outcome(batch_parse(fastharmony, encoding, stream, role, strict), expected)
        return fast_path(encoding, stream, role) is not None

    return parse_twice


# -- what the fast path takes ----------------------------------------------------------


@pytest.mark.parametrize("strict", [True, False])
def test_a_tool_call_whose_header_was_seen_is_taken(parse_twice, strict):
    assert parse_twice(TOOL_CALL, strict=strict)


def test_messages_one_after_another_are_taken(parse_twice):
    assert parse_twice(TOOL_CALL + FINAL + TOOL_CALL)


def test_a_given_role_starts_the_first_header_and_is_taken(parse_twice):
    assert parse_twice(tokens("<|channel|>final<|message|>Hi<|end|>") + FINAL, role="assistant")


def test_a_content_ended_by_eos_is_taken(parse_twice):
    assert parse_twice(FINAL + USER_START + tokens("no stop token"))


@pytest.mark.parametrize("text", ["", "<|end|>", "<|start|>"])
def test_empty_contents_are_taken(parse_twice, text):
    # An empty content at EOS, one ended right away, and (in the last case)
    # <|start|> as the content of a message at EOS.
    assert parse_twice(FINAL + USER_START + tokens(text))


@pytest.mark.parametrize("special", ["<|channel|>", "<|start|>", "<|message|>", "<|constrain|>"])
def test_formatting_tokens_inside_content_are_text_and_taken(parse_twice, special):
    assert parse_twice(USER_START + tokens(f"a{special}b<|end|>") + FINAL)


def test_ordinary_ids_that_look_like_formatting_tokens_are_content_and_taken(parse_twice):
    # 196608.. share their third byte (3) with the formatting tokens: the
    # search for a stop token meets them and goes on.
    assert parse_twice(USER_START + [196608, 199990, 199997, END] + FINAL)


@pytest.mark.parametrize("repeat", [1, 200])
def test_a_character_split_across_tokens_is_taken_when_the_whole_is_utf8(parse_twice, repeat):
    # Neither byte is text alone: the content is decoded as a whole (short and
    # long contents alike).
    e_acute = [BYTE[0xC3], BYTE[0xA9]]
    assert parse_twice(USER_START + e_acute * repeat + [END] + FINAL)


def test_ids_that_equal_ints_are_taken_as_those_ints(parse_twice):
    assert parse_twice([True if t == 1 else numpy.int64(t) for t in TOOL_CALL])


def test_the_0_0_11_dialect_has_its_own_memo_and_is_taken(parse_twice, oss_harmony, oss_ref):
    # A second <|channel|> differs between the dialects: each has its memo.
    stream = tokens("<|start|>assistant<|channel|>commentary to=f<|channel|>commentary<|message|>{}<|call|>")
    assert parse_twice(stream)
    assert parse_twice(stream, encoding=enc_0_0_11, reference=(oss_harmony, oss_ref))
    assert batch_parse(fastharmony, enc, stream, None, True) != batch_parse(fastharmony, enc_0_0_11, stream, None, True)


# -- what it leaves to the state machine -----------------------------------------------------


def test_a_header_never_seen_is_left(ref):
    _parser._parsed_headers.clear()
    assert fast_path(enc, TOOL_CALL) is None


def test_a_header_holding_a_stop_token_is_never_memoised(ref):
    # Strict, the stop token is header text (and this header parses); not
    # strict, it ends the header (and with no role given, no message is made).
    # Were the strict parse's header memoised, the non-strict parse after it
    # would take it as ending at <|message|>.
    stream = tokens("<|start|>assistant to=<|end|><|message|>hi<|end|>")
    for strict in (True, False):
        expected = batch_parse(openai_harmony, ref, stream, None, strict)
        assert same_outcome(batch_parse(fastharmony, enc, stream, None, strict), expected)
    assert fast_path(enc, stream) is None


@pytest.mark.parametrize(
    "stream",
    [
        USER_START + [BYTE[0xFF], END],  # invalid UTF-8 becomes U+FFFD, one token at a time
        USER_START + [BYTE[0xC3], END],  # a character cut by the stop token
        USER_START + [BYTE[0xC3]],  # ... or by EOS
    ],
)
def test_a_content_that_is_not_utf8_is_left(parse_twice, stream):
    assert not parse_twice(FINAL + stream)


@pytest.mark.parametrize(
    "stream",
    [
        FINAL + tokens("after"),  # not <|start|> after a stop token
        tokens("<|start|>user<|message|>a<|end|>b<|start|>user<|message|>c<|end|>"),
        FINAL + [START],  # EOS in a header
        FINAL + tokens("<|start|>user"),
        tokens("x") + FINAL,  # not <|start|> first
    ],
)
def test_errors_are_left(parse_twice, stream):
    assert not parse_twice(stream)


def test_a_given_role_with_no_tokens_is_left(parse_twice):
    assert not parse_twice([], role="assistant")  # EOS in the header: an error


@pytest.mark.parametrize("bad", [201089, 1 << 24, (1 << 24) + (3 << 16)])
def test_a_bad_id_in_a_content_is_left_and_raises(bad):
    # Past the last token, with and without the third byte of a formatting
    # token (the reference decodes no such id: ours raise, cold or warm).
    stream = FINAL + USER_START + [bad, END]
    for _ in ("cold", "warm"):
        with pytest.raises(HarmonyError, match=f"^Invalid token for decoding: {bad}$"):
            enc.parse_messages_from_completion_tokens(stream)
    assert fast_path(enc, stream) is None
    assert fast_path(enc, FINAL) is not None


def test_a_stop_token_inside_a_non_strict_header_is_left(parse_twice):
    # Not strict, the stop token ends the header: the given role's metadata
    # is kept, the rest becomes the content.
    stream = tokens("<|channel|>analysis thinking<|end|>") + FINAL
    assert not parse_twice(stream, role="assistant", strict=False)
