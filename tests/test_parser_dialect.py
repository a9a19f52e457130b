"""The oss-harmony 0.0.11 dialect on the parse side: its one rule, and the
0.0.11 renderer's header shapes read back, one test each.

Diffing oss-harmony 0.0.11's src/ against openai/harmony v0.0.8 finds one
parse-side change, in `parse_header_from_string` (encoding.rs):

- P1: once the first `<|channel|>` and its value are taken, every further
  `<|channel|>` is removed together with the word it starts (up to
  whitespace or '<'; an empty one is no error). The reference 0.0.8 leaves
  it in the text, where it ends up in the recipient or content type.

Nothing else differs when parsing (the streaming parser, batch parsing and
the rest of the header grammar are the same code). The renderer's new shapes
(`<|channel|>commentary to=f`, ` <|constrain|>json`) read back through the
common rules; those tests show it.

Every stream here is fed one token at a time to our parser (dialect 0.0.11)
and to oss-harmony 0.0.11, which must agree after every token and at EOS
(`assert_same_run`); batch parsing must agree too. The property-based
comparison over random streams is test_parser_differential.py (both dialects).
"""

from __future__ import annotations

import pytest

import fastharmony
from _parser_trace import assert_same_run, batch_parse
from fastharmony import Message, Role, load_harmony_encoding

OURS = load_harmony_encoding("HarmonyGptOss", dialect="0.0.11")
DEFAULT = load_harmony_encoding("HarmonyGptOss")


def tokens(text: str) -> list:
    return OURS.encode(text, allowed_special="all")


@pytest.fixture
def parse(oss_harmony, oss_ref):
    """parse(text, role=None, strict=True) -> our messages as dicts, in dialect 0.0.11,
    after checking oss-harmony 0.0.11 shows the same at every step."""

    def parse(text, role=None, strict=True):
        stream = tokens(text)
        run = assert_same_run(oss_ref, OURS, stream, role, strict, oss_harmony)
        ours = batch_parse(fastharmony, OURS, stream, role, strict)
        assert ours == batch_parse(oss_harmony, oss_ref, stream, role, strict)
        assert [step.error for step in run.steps] == [None] * len(stream) and run.eos_error is None
        return run.messages

    return parse


def header(message: dict) -> tuple:
    """(role, name, recipient, channel, content_type) of a message dict (`to_dict` flattens the author)."""
    return tuple(message.get(key) for key in ("role", "name", "recipient", "channel", "content_type"))


def parsed_in_0_0_8(text, role=None, strict=True) -> list:
    stream = tokens(text)
    return [m.to_dict() for m in DEFAULT.parse_messages_from_completion_tokens(stream, role, strict=strict)]


# -- P1: extra channel markers -----------------------------------------------------------------


def test_an_extra_channel_after_the_recipient_is_stripped_from_it(parse):
    text = "<|start|>assistant<|channel|>commentary to=functions.f<|channel|>commentary<|message|>{}<|call|>"
    [message] = parse(text)
    assert header(message) == ("assistant", None, "functions.f", "commentary", None)
    # 0.0.8 keeps the marker in the recipient.
    assert parsed_in_0_0_8(text)[0]["recipient"] == "functions.f<|channel|>commentary"


def test_every_extra_channel_goes_and_the_first_one_wins(parse):
    text = (
        "<|start|>assistant<|channel|>commentary to=functions.get_weather<|channel|>analysis "
        "<|channel|>commentary <|channel|>final<|message|>{}<|call|>"
    )
    [message] = parse(text)
    assert header(message) == ("assistant", None, "functions.get_weather", "commentary", None)


def test_an_extra_channel_next_to_constrain_leaves_the_content_type(parse):
    text = "<|start|>assistant<|channel|>commentary to=foo<|channel|>analysis<|constrain|>json<|message|>{}<|call|>"
    [message] = parse(text)
    assert header(message) == ("assistant", None, "foo", "commentary", "<|constrain|>json")


def test_an_extra_channel_without_a_value_is_no_error(parse):
    # Only the first <|channel|> must carry a value.
    [message] = parse("<|start|>assistant<|channel|>final to=foo<|channel|> json<|message|>x<|end|>")
    assert header(message) == ("assistant", None, "foo", "final", "json")


def test_the_first_channel_still_needs_a_value(oss_harmony, oss_ref):
    stream = tokens("<|start|>assistant<|channel|> to=foo<|message|>x<|end|>")
    run = assert_same_run(oss_ref, OURS, stream, None, True, oss_harmony)
    assert run.steps[stream.index(200008)].error == "channel marker present but no channel value found in header"


def test_extra_channels_are_stripped_from_a_header_closed_by_a_stop_token(parse):
    # Non-strict recovery reads the header with the same grammar: the rest is content.
    [message] = parse("<|channel|>commentary<|channel|>analysis Hello there<|end|>", "assistant", strict=False)
    assert header(message) == ("assistant", None, None, "commentary", None)
    assert message["content"] == [{"type": "text", "text": "Hello there"}]
    assert parsed_in_0_0_8("<|channel|>commentary<|channel|>analysis Hello there<|end|>", Role.ASSISTANT, False)[
        0
    ]["content"] == [{"type": "text", "text": "<|channel|>analysis Hello there"}]


def test_a_channel_marker_before_the_first_one_is_not_extra(parse):
    # The first marker in the text is the channel, wherever it stands.
    [message] = parse("<|start|>assistant to=f<|channel|>analysis json<|channel|>final<|message|>x<|end|>")
    assert header(message) == ("assistant", None, "f", "analysis", "json")


# -- the 0.0.11 renderer's shapes read back ----------------------------------------------------------


@pytest.mark.parametrize(
    "build, expected",
    [
        (
            lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, '{"x": 1}')
            .with_channel("commentary")
            .with_recipient("functions.f")
            .with_content_type("json"),
            ("assistant", None, "functions.f", "commentary", "<|constrain|>json"),
        ),
        (
            lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, "functions.f"), "sunny")
            .with_channel("commentary")
            .with_recipient("assistant"),
            ("tool", "functions.f", "assistant", "commentary", None),
        ),
        (
            lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "print(1)")
            .with_channel("analysis")
            .with_recipient("python")
            .with_content_type("code"),
            ("assistant", None, "python", "analysis", "<|constrain|>code"),
        ),
    ],
    ids=["recipient after commentary, constrained json", "tool reply on commentary", "constrained code"],
)
def test_what_the_0_0_11_renderer_writes_parses_back(oss_harmony, oss_ref, build, expected):
    # R1 puts the recipient after the commentary channel, R2 adds <|constrain|>
    # to the content type: the common grammar reads both, and the content
    # type comes back with its marker.
    rendered = OURS.render(build(fastharmony))
    assert rendered == oss_ref.render(build(oss_harmony))
    run = assert_same_run(oss_ref, OURS, rendered, None, True, oss_harmony)
    [message] = run.messages
    assert header(message) == expected


def test_the_dialect_of_the_encoding_is_the_dialect_of_its_parsers():
    text = "<|start|>assistant<|channel|>commentary to=f<|channel|>commentary<|message|>{}<|call|>"
    for encoding, recipient in ((OURS, "f"), (DEFAULT, "f<|channel|>commentary")):
        parser = fastharmony.StreamableParser(encoding, None).process_tokens(tokens(text)).process_eos()
        assert parser.messages[0].recipient == recipient
        assert encoding.parse_messages_from_completion_tokens(tokens(text))[0].recipient == recipient
    assert OURS.parse_messages_from_completion_tokens(tokens(text)) == [
        Message.from_role_and_content(Role.ASSISTANT, "{}").with_channel("commentary").with_recipient("f")
    ]
