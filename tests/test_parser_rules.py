"""The Harmony parser's rules, one test each.

Streams are written as text (special tokens spelled out, encoded with every
special token allowed) or as token lists where bytes matter. `feed` runs a
stream through fastharmony's parser one token at a time and also checks that
openai-harmony 0.0.8 shows the same thing after every token and at EOS, so
each rule here is the reference's rule too. The reference is not consulted
where fastharmony deliberately differs (bad token ids, `content_tokens`).
"""

from __future__ import annotations

import enum
import unicodedata

import openai_harmony
import pytest

import fastharmony
from _parser_trace import assert_same_run, batch_parse, plain, same_outcome, view
from fastharmony import (
    Author,
    HarmonyError,
    Message,
    Role,
    StreamableParser,
    StreamState,
    TextContent,
    load_harmony_encoding,
)

enc = load_harmony_encoding("HarmonyGptOss")

START, MESSAGE, END = 200006, 200008, 200007

# Token ids 0..255 are the single bytes.
BYTE = {enc.decode_bytes([t])[0]: t for t in range(256)}


def tokens(stream) -> list:
    if isinstance(stream, str):
        return enc.encode(stream, allowed_special="all")
    return list(stream)


@pytest.fixture
def feed(ref):
    """feed(stream, role=None, strict=True) -> our parser after the stream (no EOS).

    Fails if any token raises, or if the reference differs at any step or at EOS.
    """

    def feed(stream, role=None, strict=True):
        parser, errors = _feed(ref, stream, role, strict)
        assert errors == [], errors
        return parser

    return feed


@pytest.fixture
def feed_with_errors(ref):
    """feed_with_errors(stream, role=None, strict=True) -> (our parser, [(index, error message)])."""

    def feed_with_errors(stream, role=None, strict=True):
        return _feed(ref, stream, role, strict)

    return feed_with_errors


def _feed(ref, stream, role, strict):
    toks = tokens(stream)
    assert_same_run(ref, enc, toks, role and role.value, strict)
    parser = StreamableParser(enc, role, strict=strict)
    errors = []
    for index, token in enumerate(toks):
        try:
            parser.process(token)
        except HarmonyError as exc:
            errors.append((index, str(exc)))
    return parser, errors


def message(role, text, *, name=None, channel=None, recipient=None, content_type=None) -> Message:
    return Message(
        author=Author(role=role, name=name),
        content=[TextContent(text=text)],
        channel=channel,
        recipient=recipient,
        content_type=content_type,
    )


def header_of(parser) -> tuple:
    """(role, channel, recipient, content type) of the message in progress."""
    return parser.current_role, parser.current_channel, parser.current_recipient, parser.current_content_type


def finish(parser) -> list:
    parser.process_eos()
    return parser.messages


# -- the start of a stream ------------------------------------------------------------


def test_without_a_role_the_stream_expects_start():
    parser = StreamableParser(enc, None)
    assert parser.state is StreamState.EXPECT_START
    assert parser.current_role is None
    assert parser.state_data == {"state": "ExpectStart"}


def test_a_token_other_than_start_is_an_error_that_changes_nothing_else(feed_with_errors):
    parser, errors = feed_with_errors("hi<|start|>user<|message|>x")
    assert errors == [(0, "Unexpected token 3686 while expecting start token 200006")]
    assert parser.state is StreamState.CONTENT
    assert parser.tokens[0] == 3686
    assert finish(parser) == [message(Role.USER, "x")]


def test_with_a_role_the_stream_starts_inside_that_roles_header():
    parser = StreamableParser(enc, Role.ASSISTANT)
    assert parser.state is StreamState.HEADER
    assert parser.current_role is Role.ASSISTANT
    assert parser.state_data == {"state": "Header", "header_tokens": []}


def test_start_opens_an_empty_header(feed):
    parser = feed("<|start|>")
    assert parser.state_data == {"state": "Header", "header_tokens": []}


# -- headers ----------------------------------------------------------------------------


def test_the_header_names_the_role(feed):
    parser = feed("<|start|>user<|message|>")
    assert parser.state is StreamState.CONTENT
    assert header_of(parser) == (Role.USER, None, None, None)


def test_the_role_is_unknown_until_the_header_is_complete(feed):
    parser = feed("<|start|>user")
    assert parser.state is StreamState.HEADER
    assert parser.current_role is None
    assert parser.state_data == {"state": "Header", "header_tokens": [1428]}


def test_to_names_the_recipient(feed):
    parser = feed("<|start|>assistant to=functions.get_weather<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, None, "functions.get_weather", None)


def test_the_channel_follows_the_channel_marker(feed):
    parser = feed("<|start|>assistant to=functions.f<|channel|>commentary<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, "commentary", "functions.f", None)


@pytest.mark.parametrize(
    "header, channel",
    [
        ("<|channel|>final<|constrain|>json", "final"),  # '<'
        ("<|channel|>final json", "final"),  # ASCII space
        ("<|channel|>final\u3000json", "final"),  # Unicode whitespace (Rust's char::is_whitespace)
        ("<|channel|>fi\x1cnal", "fi\x1cnal"),  # Python's isspace, not Rust's
    ],
)
def test_the_channel_ends_at_whitespace_or_angle_bracket(feed, header, channel):
    parser = feed(f"{header}<|message|>", role=Role.ASSISTANT)
    assert parser.current_channel == channel


def test_an_empty_channel_is_an_error(feed_with_errors):
    stream = tokens("<|start|>assistant<|channel|> final<|message|>")
    parser, errors = feed_with_errors(stream)
    assert errors == [(len(stream) - 1, "channel marker present but no channel value found in header")]
    assert parser.state is StreamState.EXPECT_START


def test_constrain_content_type_after_a_space(feed):
    parser = feed("<|start|>assistant to=functions.f<|channel|>commentary <|constrain|>json<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, "commentary", "functions.f", "<|constrain|>json")


def test_constrain_content_type_adjacent_to_the_recipient(feed):
    parser = feed("<|start|>assistant<|channel|>commentary to=functions.f<|constrain|>json<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, "commentary", "functions.f", "<|constrain|>json")


@pytest.mark.parametrize("recipient_word", ["to=functions.f", "functions.f"])
def test_the_content_type_is_the_last_word_after_a_recipient(feed, recipient_word):
    parser = feed(f"<|start|>assistant {recipient_word} json<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, None, "functions.f", "json")


@pytest.mark.parametrize("word", ["json", "<|constrain|>json", "functions.f"])
def test_a_lone_word_after_the_role_is_a_recipient(feed, word):
    # openai-harmony 0.0.8 reads even a lone `<|constrain|>json` as the recipient.
    parser = feed(f"<|start|>assistant<|channel|>commentary {word}<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, "commentary", word, None)


def test_an_unknown_role_with_more_words_is_a_tool_named_by_it(feed):
    parser = feed("<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>sunny<|end|>")
    assert finish(parser) == [
        message(Role.TOOL, "sunny", name="functions.get_weather", recipient="assistant", channel="commentary")
    ]


def test_an_unknown_role_that_starts_with_to_is_a_tool(feed):
    parser = feed("<|start|>to=functions.f<|message|>")
    assert parser.state_data["header"]["author"] == {"role": "tool", "name": "to=functions.f"}
    assert parser.current_recipient is None


def test_a_lone_unknown_role_is_an_error(feed_with_errors):
    stream = tokens("<|start|>robot<|message|>")
    parser, errors = feed_with_errors(stream)
    assert errors == [(len(stream) - 1, "Unknown role: robot")]
    assert parser.state is StreamState.EXPECT_START


def test_a_header_without_a_role_is_an_error(feed_with_errors):
    _, errors = feed_with_errors("<|start|><|channel|>final<|message|>")
    assert [message for _, message in errors] == ["message header did not contain a role"]


def test_a_given_role_repeated_in_the_header_is_dropped(feed):
    parser = feed("assistant<|channel|>final<|message|>", role=Role.ASSISTANT)
    assert header_of(parser) == (Role.ASSISTANT, "final", None, None)


def test_a_given_role_makes_another_role_word_a_recipient(feed):
    parser = feed("user<|message|>", role=Role.ASSISTANT)
    assert header_of(parser) == (Role.ASSISTANT, None, "user", None)


def test_a_given_role_never_makes_a_tool_author(feed):
    parser = feed("functions.f json<|message|>", role=Role.TOOL)
    assert parser.state_data["header"]["author"] == {"role": "tool"}
    assert header_of(parser) == (Role.TOOL, None, "functions.f", "json")


@pytest.mark.parametrize(
    "header, rest",
    [
        ("<|start|>assistant a b c<|message|>", '"a"'),
        ("<|start|>assistant a  b\tc d<|message|>", '"a b"'),
        ('<|start|>assistant say\\ "hi" x y<|message|>', '"say\\\\ \\"hi\\""'),
        ("<|start|>assistant \x7f\u200b\x00 x y<|message|>", '"\\u{7f}\\u{200b}\\0"'),
    ],
)
def test_words_left_over_in_the_header_are_an_error(feed_with_errors, header, rest):
    parser, errors = feed_with_errors(header)
    assert [message for _, message in errors] == [
        f"unexpected tokens remaining in message header: Some({rest})"
    ]
    assert parser.state is StreamState.EXPECT_START


def test_left_over_words_are_quoted_as_rust_debug_quotes_them(feed_with_errors):
    # Rust's `{:?}` escapes grapheme extenders (combining marks and a few others)
    # even where Python's str.isprintable() says they print.
    _, errors = feed_with_errors("<|start|>assistant e\u0301\u0cc2\uff9e x y<|message|>")
    assert [message for _, message in errors] == [
        'unexpected tokens remaining in message header: Some("e\\u{301}\\u{cc2}\\u{ff9e}")'
    ]


def test_every_mark_and_format_character_is_quoted_as_the_reference_quotes_it(ref):
    categories = ("Mn", "Me", "Mc", "Lm", "Cf")
    marks = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in categories)
    for start in range(0, len(marks), 60):  # quoted whole: at most 200 characters
        words = " ".join(marks[i : i + 3] for i in range(start, min(start + 60, len(marks)), 3))
        stream = tokens(f"<|start|>assistant {words} x y<|message|>")
        ours = batch_parse(fastharmony, enc, stream, None, True)
        assert ours[1].startswith("unexpected tokens remaining in message header: Some(")
        assert ours == batch_parse(openai_harmony, ref, stream, None, True)


@pytest.mark.parametrize(
    "header, error",
    [
        (f"<|start|>assistant {'w ' * 150}x y<|message|>", "unexpected tokens remaining in message header: "),
        (f"<|start|>{'r' * 300}<|message|>", "Unknown role: "),
    ],
)
def test_header_text_is_quoted_up_to_200_characters(ref, header, error):
    # fastharmony's own: the reference would quote a header of a million tokens whole.
    ours = batch_parse(fastharmony, enc, tokens(header), None, True)
    assert ours[1].startswith(error) and ours[1].endswith(" characters in all)")
    assert len(ours[1]) < len(error) + 200 + 40
    assert same_outcome(ours, batch_parse(openai_harmony, ref, tokens(header), None, True))


def test_header_words_split_on_ascii_whitespace_only(feed_with_errors):
    # U+3000 and \x0b trim the header's ends but do not separate its words.
    _, errors = feed_with_errors("<|start|>\u3000assistant\u3000to=x\x0b<|message|>")
    assert [message for _, message in errors] == ["Unknown role: assistant\u3000to=x"]


def test_a_header_that_fails_to_parse_leaves_the_parser_expecting_start(feed_with_errors):
    parser, errors = feed_with_errors("<|start|>robot<|message|>hi<|start|>user<|message|>x<|end|>")
    assert [message for _, message in errors] == [
        "Unknown role: robot",
        "Unexpected token 3686 while expecting start token 200006",
    ]
    assert parser.messages == [message(Role.USER, "x")]


def test_a_header_that_is_not_utf8_cannot_be_decoded(feed_with_errors):
    parser, errors = feed_with_errors([START, *tokens("assistant "), BYTE[0xFF], MESSAGE])
    assert [message for _, message in errors] == ["could not decode header"]
    assert parser.state is StreamState.EXPECT_START


def test_special_tokens_inside_a_header_are_header_text(feed_with_errors):
    # Strict: a stop token or a second <|start|> before <|message|> is part of the header.
    _, errors = feed_with_errors("<|start|>assistant<|end|><|message|>")
    assert [message for _, message in errors] == ["Unknown role: assistant<|end|>"]
    _, errors = feed_with_errors("<|start|>user<|start|>assistant<|message|>")
    assert [message for _, message in errors] == ["Unknown role: user<|start|>assistant"]


def test_only_the_first_channel_marker_names_the_channel(feed):
    parser = feed("<|start|>assistant<|channel|>analysis <|channel|>final<|message|>")
    assert header_of(parser) == (Role.ASSISTANT, "analysis", "<|channel|>final", None)


# -- content ------------------------------------------------------------------------------


def test_content_accumulates_with_one_delta_per_token(feed):
    parser = feed("<|start|>assistant<|message|>Hello world")
    assert parser.current_content == "Hello world"
    assert parser.last_content_delta == " world"


def test_nothing_is_content_outside_a_message(feed):
    parser = feed("<|start|>assistant to=x<|channel|>c json")
    assert parser.current_content == ""
    assert parser.last_content_delta is None
    assert header_of(parser) == (None, None, None, None)


@pytest.mark.parametrize("stop", ["<|end|>", "<|call|>", "<|return|>"])
def test_a_stop_token_completes_the_message(feed, stop):
    parser = feed(f"<|start|>assistant<|channel|>final<|message|>Hi{stop}")
    assert parser.state is StreamState.EXPECT_START
    assert parser.messages == [message(Role.ASSISTANT, "Hi", channel="final")]
    assert (parser.current_content, parser.last_content_delta) == ("", None)
    assert header_of(parser) == (None, None, None, None)


def test_eos_completes_a_message_in_progress(feed):
    parser = feed("<|start|>assistant<|message|>Hi")
    assert parser.messages == []
    assert finish(parser) == [message(Role.ASSISTANT, "Hi")]
    assert parser.state is StreamState.EXPECT_START


def test_eos_while_expecting_start_is_fine(feed):
    parser = feed("<|start|>user<|message|>x<|end|>")
    assert finish(parser) == [message(Role.USER, "x")]


def test_eos_inside_a_header_is_an_error(feed):
    parser = feed("<|start|>assistant")
    with pytest.raises(HarmonyError, match="^Unexpected EOS while waiting for message header to complete$"):
        parser.process_eos()


def test_special_tokens_inside_content_are_text(feed):
    content = "a<|start|>b<|channel|><|message|><|constrain|><|reserved_200017|>"
    parser = feed(f"<|start|>user<|message|>{content}<|end|>")
    assert parser.messages == [message(Role.USER, content)]


def test_a_message_may_be_empty(feed):
    parser = feed("<|start|>developer<|message|><|end|>")
    assert parser.messages == [message(Role.DEVELOPER, "")]


def test_the_given_role_is_for_the_first_message_only(feed, feed_with_errors):
    parser = feed("<|message|>a<|end|>", role=Role.ASSISTANT)
    assert parser.current_role is None
    _, errors = feed_with_errors("<|message|>a<|end|><|message|>", role=Role.ASSISTANT)
    assert errors == [(3, "Unexpected token 200008 while expecting start token 200006")]


def test_messages_follow_one_another(feed):
    parser = feed(
        "<|start|>assistant<|channel|>analysis<|message|>Think<|end|>"
        "<|start|>assistant to=functions.f<|channel|>commentary json<|message|>{}<|call|>"
        "<|start|>functions.f to=assistant<|channel|>commentary<|message|>42<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Done<|return|>"
    )
    assert parser.messages == [
        message(Role.ASSISTANT, "Think", channel="analysis"),
        message(Role.ASSISTANT, "{}", channel="commentary", recipient="functions.f", content_type="json"),
        message(Role.TOOL, "42", name="functions.f", channel="commentary", recipient="assistant"),
        message(Role.ASSISTANT, "Done", channel="final"),
    ]


# -- non-strict recovery -------------------------------------------------------------------


def test_non_strict_stop_in_header_keeps_the_metadata_and_the_rest_becomes_content(feed):
    parser = feed("<|channel|>analysis I should check<|end|>", role=Role.ASSISTANT, strict=False)
    assert parser.state is StreamState.EXPECT_START
    assert parser.messages == [message(Role.ASSISTANT, "I should check", channel="analysis")]


def test_non_strict_recovery_joins_words_with_single_spaces_and_parses_no_recipient(feed):
    parser = feed("assistant to=functions.f  json\n\nok<|call|>", role=Role.ASSISTANT, strict=False)
    assert parser.messages == [message(Role.ASSISTANT, "to=functions.f json ok")]


def test_non_strict_recovery_needs_the_given_role(feed):
    # After <|start|> the role is not known; the headerless message is dropped.
    parser = feed("<|start|>assistant<|channel|>final hello<|end|><|start|>user<|message|>x", strict=False)
    assert finish(parser) == [message(Role.USER, "x")]


def test_non_strict_recovery_of_an_empty_header_makes_no_message(feed):
    parser = feed("<|end|>", role=Role.ASSISTANT, strict=False)
    assert parser.messages == []
    assert parser.state is StreamState.EXPECT_START


def test_non_strict_recovery_of_a_role_word_alone_makes_an_empty_message(feed):
    parser = feed("assistant<|return|>", role=Role.ASSISTANT, strict=False)
    assert parser.messages == [message(Role.ASSISTANT, "")]


def test_non_strict_recovery_uses_the_role_once(feed):
    parser = feed("hello<|end|><|start|>x y<|end|>", role=Role.USER, strict=False)
    assert parser.messages == [message(Role.USER, "hello")]


def test_non_strict_recovery_of_undecodable_header_is_an_error_and_stays_in_the_header(feed_with_errors):
    parser, errors = feed_with_errors([*tokens("hi "), BYTE[0xA1], END], role=Role.ASSISTANT, strict=False)
    assert [message for _, message in errors] == [
        "Could not decode tokens: Invalid utf-8 sequence: invalid utf-8 sequence of 1 bytes from index 3"
    ]
    assert parser.state is StreamState.HEADER
    assert parser.state_data["header_tokens"] == [*tokens("hi "), BYTE[0xA1]]


def test_a_failed_non_strict_recovery_leaves_its_stop_token_out_of_the_header(feed_with_errors):
    # The header goes on after the error, without the stop token that raised.
    parser, errors = feed_with_errors(
        "<|channel|><|end|>analysis<|message|>hi<|end|>", role=Role.ASSISTANT, strict=False
    )
    assert errors == [(1, "channel marker present but no channel value found in header")]
    assert parser.messages == [message(Role.ASSISTANT, "hi", channel="analysis")]


def test_strict_parsers_keep_stop_tokens_in_the_header(feed):
    parser = feed("<|channel|>analysis hi<|end|>", role=Role.ASSISTANT)
    assert parser.state is StreamState.HEADER
    assert parser.state_data["header_tokens"][-1] == END


# -- UTF-8 ---------------------------------------------------------------------------------------


def test_a_character_split_across_tokens_gives_no_delta_until_complete(feed):
    thinking = tokens("🤔")  # b"\xf0\x9f\xa4", b"\x94"
    parser = feed(tokens("<|start|>assistant<|message|>a") + thinking[:1])
    assert (parser.current_content, parser.last_content_delta) == ("a", None)
    parser.process(thinking[1])
    assert (parser.current_content, parser.last_content_delta) == ("a🤔", "🤔")


def test_an_invalid_byte_becomes_a_replacement_character(feed):
    parser = feed([*tokens("<|start|>user<|message|>a"), BYTE[0xA1], *tokens("b<|end|>")])
    assert parser.messages == [message(Role.USER, "a\ufffdb")]


def test_one_invalid_sequence_per_token_the_bytes_after_it_wait(feed):
    # b"\xe2" then b"abc": U+FFFD for the broken sequence; "abc" waits for the next token.
    parser = feed([*tokens("<|start|>user<|message|>"), BYTE[0xE2], *tokens("abc")])
    assert (parser.current_content, parser.last_content_delta) == ("\ufffd", "\ufffd")
    parser.process(tokens("x")[0])
    assert (parser.current_content, parser.last_content_delta) == ("\ufffdabcx", "abcx")


def test_many_invalid_bytes_in_one_token_lag_one_per_token(feed):
    # Token 2203 is b"\x82\xac", two stray continuation bytes: each token gets
    # one U+FFFD, the other byte waits, and the wait grows.
    parser = feed([*tokens("<|start|>user<|message|>"), 2203, 2203, BYTE[0xA1]])
    assert parser.current_content == "\ufffd" * 3
    assert finish(parser) == [message(Role.USER, "\ufffd" * 5)]


def test_invalid_bytes_then_text_in_one_token(feed):
    # Token 78747 is b"\x8app".
    parser = feed([*tokens("<|start|>user<|message|>"), 78747])
    assert (parser.current_content, parser.last_content_delta) == ("\ufffd", "\ufffd")
    assert finish(parser) == [message(Role.USER, "\ufffdpp")]


def test_bytes_still_waiting_at_the_end_are_decoded_lossily(feed):
    parser = feed([*tokens("<|start|>user<|message|>"), BYTE[0xFF], BYTE[0xFE], BYTE[0xFD], END])
    assert parser.messages == [message(Role.USER, "\ufffd\ufffd\ufffd")]


def test_eos_inside_a_multibyte_character_gives_a_replacement_character(feed):
    parser = feed(tokens("<|start|>user<|message|>a") + tokens("🤔")[:1])
    assert parser.current_content == "a"
    assert finish(parser) == [message(Role.USER, "a\ufffd")]


def test_a_stop_token_inside_a_multibyte_character_gives_a_replacement_character(feed):
    parser = feed(tokens("<|start|>user<|message|>") + tokens("日本")[:1] + [BYTE[0xE8], END])
    assert parser.messages[0].content[0].text.endswith("\ufffd")


# -- process_tokens ----------------------------------------------------------------------------------

CONVERSATION = tokens(
    "<|start|>assistant<|channel|>analysis<|message|>Let me think 🤔 about 日本語<|end|>"
    "<|start|>assistant to=functions.f<|channel|>commentary <|constrain|>json<|message|>{\"a\":1}<|call|>"
)


def one_by_one(stream, role=None, strict=True) -> StreamableParser:
    """`process` on each token, going on after errors."""
    parser = StreamableParser(enc, role, strict=strict)
    for token in stream:
        try:
            parser.process(token)
        except HarmonyError:
            pass
    return parser


def test_process_tokens_is_process_on_each_token():
    for cut in range(len(CONVERSATION) + 1):
        batched = StreamableParser(enc, None)
        batched.process_tokens(CONVERSATION[:cut])
        assert _everything(batched) == _everything(one_by_one(CONVERSATION[:cut])), cut


def test_process_tokens_takes_ids_that_share_bytes_with_formatting_tokens_as_content():
    # Ids near and among the formatting tokens, whose bytes look like theirs:
    # ordinary ids just below 200000, ids with a byte 3 anywhere, formatting
    # and reserved tokens that are no event in content.
    lookalikes = [196_608, 199_997, 3, 3 << 8, 0x0303, 0x20303, 0x30303, 200_005, 200_003, 200_018, 201_088]
    stream = [*tokens("<|start|>assistant<|message|>"), *lookalikes, END, *tokens("<|start|>user<|message|>x")]
    for role, strict in ((None, True), (None, False)):
        for cut in range(len(stream) + 1):
            batched = StreamableParser(enc, role, strict=strict).process_tokens(stream[:cut])
            assert _everything(batched) == _everything(one_by_one(stream[:cut], role, strict)), cut
    [message, _] = enc.parse_messages_from_completion_tokens(stream)
    assert message.content[0].text == enc.decode(lookalikes)


def test_process_tokens_stops_right_after_a_failing_token():
    stream = tokens("<|start|>robot<|message|>hi<|start|>user<|message|>x")
    parser = StreamableParser(enc, None)
    with pytest.raises(HarmonyError, match="^Unknown role: robot$"):
        parser.process_tokens(stream)
    failing = stream.index(MESSAGE)
    assert _everything(parser) == _everything(one_by_one(stream[: failing + 1]))
    with pytest.raises(HarmonyError, match="^Unexpected token 3686 while expecting start token 200006$"):
        parser.process_tokens(stream[failing + 1 :])
    assert parser.tokens == stream[: failing + 2]


def test_process_tokens_accepts_any_iterable_of_ids():
    expected = _everything(one_by_one(CONVERSATION))
    assert _everything(StreamableParser(enc, None).process_tokens(iter(CONVERSATION))) == expected
    assert _everything(StreamableParser(enc, None).process_tokens(tuple(CONVERSATION))) == expected
    untouched = _everything(StreamableParser(enc, None))
    assert _everything(StreamableParser(enc, None).process_tokens([])) == untouched
    with pytest.raises(ValueError):
        StreamableParser(enc, None).process_tokens("<|start|>")


def _everything(parser) -> tuple:
    return view(parser), parser.state_data, parser.tokens, [plain(m.to_dict()) for m in parser.messages]


# -- token ids outside the vocabulary (fastharmony's own behaviour) --------------------------------------

BAD_IDS = [-1, 201_089, 99_999_999, 2**64, 1.0, "1", None]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_a_bad_token_id_is_rejected_by_process_and_changes_nothing(bad):
    parser = StreamableParser(enc, Role.USER).process_tokens(tokens("<|message|>hi"))
    before = _everything(parser)
    with pytest.raises(HarmonyError, match="^Invalid token for decoding: ") as raised:
        parser.process(bad)
    assert isinstance(raised.value, ValueError)
    assert _everything(parser) == before


def test_the_error_names_the_bad_id():
    with pytest.raises(HarmonyError, match="^Invalid token for decoding: 99999999$"):
        StreamableParser(enc, None).process(99_999_999)


@pytest.mark.parametrize("after", ["", " there", "<|end|>"])
@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_process_tokens_processes_the_ids_before_a_bad_one(bad, after):
    before = tokens("<|message|>hi there")
    parser = StreamableParser(enc, Role.USER)
    with pytest.raises(HarmonyError, match="^Invalid token for decoding: ") as raised:
        parser.process_tokens([*before, bad, *tokens(after)])
    assert isinstance(raised.value, ValueError)
    assert _everything(parser) == _everything(one_by_one(before, Role.USER))
    assert parser.last_content_delta == " there"


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_parse_messages_rejects_a_bad_id(bad):
    with pytest.raises(HarmonyError, match="^Invalid token for decoding: ") as raised:
        enc.parse_messages_from_completion_tokens([*tokens("<|start|>user<|message|>hi"), bad])
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("flag", [True, False])
def test_a_bool_is_the_token_id_it_equals(flag):
    # bool is an int in Python, and the reference's PyO3 layer takes it as one;
    # every entry point agrees (numpy integers likewise, see below).
    parser = StreamableParser(enc, Role.USER).process_tokens(tokens("<|message|>hi"))
    parser.process(flag).process_tokens([flag])
    expected = one_by_one([*tokens("<|message|>hi"), int(flag), int(flag)], Role.USER)
    assert _everything(parser) == _everything(expected)
    assert all(type(token) is int for token in parser.tokens)
    assert enc.parse_messages_from_completion_tokens(
        [*tokens("<|start|>user<|message|>hi"), flag]
    ) == enc.parse_messages_from_completion_tokens([*tokens("<|start|>user<|message|>hi"), int(flag)])


def test_int_like_token_ids_are_accepted():
    class Id(enum.IntEnum):
        START = START

    parser = StreamableParser(enc, None)
    parser.process(Id.START)
    parser.process_tokens([Id.START])
    assert parser.tokens == [START, START]
    assert all(type(token) is int for token in parser.tokens)


# -- the read-only views -----------------------------------------------------------------------------------


def test_state_data_in_content(feed):
    parser = feed("<|start|>functions.f to=assistant<|channel|>commentary<|message|>ok")
    assert parser.state_data == {
        "state": "Content",
        "header": {
            "author": {"role": "tool", "name": "functions.f"},
            "recipient": "assistant",
            "channel": "commentary",
            "content_type": None,
        },
        "content_tokens": [525],
    }


def test_state_data_content_tokens_are_the_tokens_as_received(ref):
    # The reference re-encodes the decoded text: "Hello" + " world" would come back as
    # the same ids, but these byte tokens come back as one token for "é".
    received = [BYTE[0xC3], BYTE[0xA9], *tokens("Hello"), *tokens(" world")]
    parser = StreamableParser(enc, Role.USER).process_tokens([MESSAGE, *received])
    assert parser.state_data["content_tokens"] == received
    assert enc.decode(parser.state_data["content_tokens"]) == parser.current_content == "éHello world"


def test_messages_are_new_objects_at_every_read_as_in_the_reference(ref):
    # Changing what `messages` returned changes nothing in the parser.
    for module, encoding in ((fastharmony, enc), (openai_harmony, ref)):
        parser = module.StreamableParser(encoding, None)
        for token in CONVERSATION:
            parser.process(token)
        first, second = parser.messages, parser.messages
        assert first == second and first is not second
        assert not any(a is b for a, b in zip(first, second))
        assert not any(a.author is b.author or a.content is b.content for a, b in zip(first, second))
        first[0].content[0].text = "changed"
        first[0].author.name = "changed"
        first[0].channel = "changed"
        first[0].content.append(module.TextContent(text="more"))
        first.clear()
        assert parser.messages == second
        assert [plain(m.to_dict()) for m in second] == [
            plain(m.to_dict()) for m in enc.parse_messages_from_completion_tokens(CONVERSATION)
        ]


def test_tokens_lists_every_token_fed_even_one_that_failed(feed_with_errors):
    parser, errors = feed_with_errors("x<|start|>")
    assert errors and parser.tokens == tokens("x<|start|>")
    assert parser.tokens is not parser.tokens


def test_process_and_process_eos_return_the_parser():
    parser = StreamableParser(enc, None)
    assert parser.process(START) is parser
    assert parser.process_tokens(tokens("user<|message|>")) is parser
    assert parser.process_eos() is parser


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    "stream, role",
    [
        (CONVERSATION, None),
        (tokens("<|channel|>final<|message|>Hi<|return|>"), Role.ASSISTANT),
        (tokens("<|channel|>analysis thinking<|end|>"), Role.ASSISTANT),
        (tokens("<|start|>robot<|message|>"), None),
        (tokens("<|start|>user"), None),
    ],
)
def test_parse_messages_from_completion_tokens_is_the_stream_parsed_to_eos(ref, stream, role, strict):
    ours = batch_parse(fastharmony, enc, stream, role and role.value, strict)
    assert ours == batch_parse(openai_harmony, ref, stream, role and role.value, strict)


def test_process_tokens_takes_an_iterator_as_it_takes_a_list():
    # An iterator is read once: a bad id in it raises after the ids before it.
    good = tokens("<|start|>user<|message|>hello world")
    parser = StreamableParser(enc, None)
    with pytest.raises(HarmonyError, match="^Invalid token for decoding: -1"):
        parser.process_tokens(token for token in [*good, -1])
    assert parser.tokens == good
    assert parser.current_content == "hello world"
    assert StreamableParser(enc, None).process_tokens(iter(good)).tokens == good


@pytest.mark.parametrize("strict", [True, False, None, 1, 0, 2.0, "yes", [], numpy_bool := __import__("numpy").bool_(True)])
def test_strict_takes_a_bool_or_none_and_refuses_other_types_as_the_reference(ref, strict):
    # The reference's core takes `strict` as Option<bool>: None means strict,
    # and PyO3 refuses every other type (ints and numpy bools included) with a
    # TypeError. Ours is that TypeError, with the same words, and a HarmonyError.
    tokens = enc.encode("<|start|>user<|message|>Hi<|end|>", allowed_special="all")
    calls = {
        "parse": lambda h, e: e.parse_messages_from_completion_tokens(tokens, None, strict=strict),
        "StreamableParser": lambda h, e: h.StreamableParser(e, None, strict=strict),
    }
    for name, call in calls.items():
        try:
            call(openai_harmony, ref)
        except TypeError as theirs:
            with pytest.raises(TypeError) as ours:
                call(fastharmony, enc)
            assert isinstance(ours.value, HarmonyError), name
            assert str(ours.value) == str(theirs), name
        else:
            call(fastharmony, enc)  # accepted by both
