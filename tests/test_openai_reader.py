"""The token reader under the OpenAI adapters, and the Chat Completions defects
it was written to end: one test per rule.

The reader's events are checked directly; the defects are checked through the
chat adapter, where users met them.
"""

import tracemalloc

import numpy
import pytest

from fastharmony import HarmonyError, Role, load_harmony_encoding
from fastharmony.chat import ChatStream, message_from_completion, render_request
from fastharmony.openai._reader import Header, MessageClosed, MessageOpened, Recovered, TextAppended, TokenReader

enc = load_harmony_encoding("HarmonyGptOss")


def tokens_of(text):
    return enc.encode(text, allowed_special="all")


def read(text_or_tokens, pushes=None):
    tokens = tokens_of(text_or_tokens) if isinstance(text_or_tokens, str) else text_or_tokens
    reader = TokenReader(enc)
    events, at = [], 0
    for size in pushes or [len(tokens)]:
        events += reader.feed(tokens[at : at + size])
        at += size
    events += reader.finish()
    # Token counts have a test of their own.
    return [MessageClosed(e.stop) if type(e) is MessageClosed else e for e in events]


def assistant(channel, recipient=None, content_type=None):
    return MessageOpened(Header(Role.ASSISTANT, None, channel, recipient, content_type))


def merged(events):
    """Consecutive TextAppended joined: how text is split is not part of the meaning."""
    out = []
    for event in events:
        if type(event) is TextAppended and out and type(out[-1]) is TextAppended:
            out[-1] = TextAppended(out[-1].text + event.text)
        else:
            out.append(event)
    return out


# -- the reader ---------------------------------------------------------------------------


def test_a_message_is_opened_filled_and_closed():
    assert read("<|channel|>analysis<|message|>Hm.<|end|><|start|>assistant<|channel|>final<|message|>Hi<|return|>") == [
        assistant("analysis"),
        TextAppended("Hm."),
        MessageClosed("<|end|>"),
        assistant("final"),
        TextAppended("Hi"),
        MessageClosed("<|return|>"),
    ]


def test_the_header_carries_recipient_and_content_type():
    events = read('<|channel|>commentary to=functions.f <|constrain|>json<|message|>{}<|call|>')
    assert events[0] == assistant("commentary", "functions.f", "<|constrain|>json")
    assert events[-1] == MessageClosed("<|call|>")


def test_a_message_the_tokens_end_in_is_closed_by_finish():
    assert read("<|channel|>final<|message|>Hel") == [assistant("final"), TextAppended("Hel"), MessageClosed(None)]


def test_a_header_the_tokens_end_in_is_no_message():
    assert read("<|channel|>fin") == [Recovered("the tokens ended inside a header")]


def test_tokens_between_messages_are_skipped_once_per_stretch():
    events = read("<|channel|>final<|message|>a<|end|>stray words<|start|>assistant<|channel|>final<|message|>b<|end|>")
    assert [type(e) for e in events].count(Recovered) == 1
    assert merged([e for e in events if type(e) is not Recovered]) == [
        assistant("final"), TextAppended("a"), MessageClosed("<|end|>"),
        assistant("final"), TextAppended("b"), MessageClosed("<|end|>"),
    ]  # fmt: skip


def test_an_unreadable_header_is_skipped_to_the_next_start():
    events = read(
        "<|channel|>analysis<|message|>a<|end|>"
        "<|start|><|channel|>final<|message|>lost<|end|>"  # no role
        "<|start|>assistant<|channel|>final<|message|>ok<|end|>"
    )
    assert type(events[3]) is Recovered and "unreadable header" in events[3].reason
    assert [type(e) for e in events].count(MessageOpened) == 2
    assert events[-3:] == [assistant("final"), TextAppended("ok"), MessageClosed("<|end|>")]


def test_a_stop_token_in_the_first_header_recovers_the_message():
    assert read("<|channel|>final Hello<|return|>") == [
        assistant("final"), TextAppended("Hello"), MessageClosed("<|return|>"),
    ]  # fmt: skip


def test_after_a_header_closed_by_a_stop_token_the_next_message_is_read():
    # `<|channel|><|end|>`: the parser's recovery fails (no channel name); the
    # well-formed message after it must not be swallowed by the failed header.
    for first in ("<|channel|><|end|>", "<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|><|end|>"):
        events = read(first + "<|start|>assistant<|channel|>final<|message|>Kept.<|return|>")
        assert events[-3:] == [assistant("final"), TextAppended("Kept."), MessageClosed("<|return|>")]
        assert message_from_completion(enc, tokens_of(first + "<|start|>assistant<|channel|>final<|message|>Kept.<|return|>"))[
            "message"]["content"] == "Kept."  # fmt: skip


def test_text_is_whole_characters_in_any_split():
    tokens = tokens_of("<|channel|>final<|message|>日本語で🦜 and é<|return|>")
    for size in (1, 2, 3, 5):
        pushes = [size] * (len(tokens) // size) + [len(tokens) % size]
        events = read(tokens, pushes)
        texts = [e.text for e in events if type(e) is TextAppended]
        assert "".join(texts) == "日本語で🦜 and é" and "\ufffd" not in "".join(texts)


def test_invalid_bytes_become_replacement_characters_as_the_parser_decodes_them():
    parrot = enc.encode("🦜")  # four bytes in three tokens
    tokens = tokens_of("<|channel|>final<|message|>") + parrot[:1] + tokens_of("x<|end|>")
    (message,) = enc.parse_messages_from_completion_tokens(tokens, Role.ASSISTANT)
    for pushes in ([len(tokens)], [1] * len(tokens)):
        texts = [e.text for e in read(tokens, pushes) if type(e) is TextAppended]
        assert "".join(texts) == message.content[0].text


def test_a_character_cut_by_the_end_is_left_out():
    tokens = tokens_of("<|channel|>final<|message|>Tea ") + enc.encode("🦜")[:2]
    assert merged(read(tokens)) == [assistant("final"), TextAppended("Tea "), MessageClosed(None)]


def test_a_closed_message_says_how_many_tokens_it_took():
    first = tokens_of("<|channel|>analysis<|message|>Hm.<|end|>")  # its <|start|>assistant was in the prompt
    second = tokens_of("<|start|>assistant<|channel|>final<|message|>Hi")
    for pushes in ([len(first + second)], [1] * len(first + second)):
        reader = TokenReader(enc)
        events, at = [], 0
        for size in pushes:
            events += reader.feed((first + second)[at : at + size])
            at += size
        events += reader.finish()
        assert [e.tokens for e in events if type(e) is MessageClosed] == [len(first), len(second)]


def test_feed_after_finish_is_an_error():
    reader = TokenReader(enc)
    reader.finish()
    with pytest.raises(HarmonyError, match="after finish"):
        reader.feed([1])


# -- the chat defects the reader ends ----------------------------------------------------


@pytest.mark.parametrize("bad", [None, object(), "text", b"\x01", 1.5, [None], ["1"]])
def test_what_is_not_token_ids_is_a_clear_error(bad):
    with pytest.raises(HarmonyError, match="token"):
        ChatStream(enc).push(bad)
    with pytest.raises(HarmonyError, match="token"):
        message_from_completion(enc, bad)


def test_numpy_integers_are_token_ids():
    tokens = tokens_of("<|channel|>final<|message|>Hi<|return|>")
    chat = ChatStream(enc)
    deltas = [d for token in numpy.array(tokens, dtype=numpy.int64) for d in chat.push(token)]
    assert "".join(d.get("content", "") for d in deltas) == "Hi"
    assert message_from_completion(enc, numpy.array(tokens))["message"]["content"] == "Hi"


def test_an_invalid_push_changes_nothing():
    chat = ChatStream(enc)
    chat.push(tokens_of("<|channel|>final<|message|>Hi"))
    with pytest.raises(HarmonyError):
        chat.push(tokens_of(" there") + [-1])
    assert chat.push(tokens_of("!")) == [{"content": "!"}]


def _peak_bytes(action):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_a_push_costs_the_same_however_much_came_before():
    # Pushing one token must not copy what earlier messages left behind (the
    # quadratic defect: a message list and a token list copied per push).
    # Measured as memory allocated by that push, which does not depend on timing.
    message = tokens_of("<|channel|>final<|message|>ok<|end|>") + tokens_of("x")  # a stray token after each
    start = tokens_of("<|start|>assistant")
    peaks = []
    for count in (100, 10_000):
        chat = ChatStream(enc)
        chat.push(message + (start + message) * count)
        peaks.append(_peak_bytes(lambda: [chat.push(token) for token in start + message]))
    assert peaks[1] < peaks[0] + 4096, peaks


# -- request values JSON cannot hold -------------------------------------------------------


def _deep(depth):
    value = {}
    for _ in range(depth):
        value = {"a": value}
    return value


BAD_VALUES = {"2000-deep": _deep(2000), "object": {"a": object()}, "lone surrogate": {"a": "\ud800"}}


def _call_arguments(value):
    return {"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": value}}]}]}


def _schema(value):
    return {"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": value}}}


def _parameters(value):
    return {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function", "function": {"name": "f", "parameters": value}}]}


@pytest.mark.parametrize("bad", list(BAD_VALUES), ids=str)
@pytest.mark.parametrize(
    "place, request_with, path",
    [
        ("tool-call arguments", _call_arguments, "messages[0].tool_calls[0].function.arguments"),
        ("response format schema", _schema, "response_format.json_schema.schema"),
        ("tool parameters", _parameters, "parameters"),
    ],
)
def test_values_json_cannot_hold_are_a_harmony_error_naming_them(bad, place, request_with, path):
    with pytest.raises(HarmonyError, match=path.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        render_request(enc, request_with(BAD_VALUES[bad]), start_date="2025-01-01")


def test_a_lone_surrogate_in_text_is_a_harmony_error():
    with pytest.raises(HarmonyError):
        render_request(enc, {"messages": [{"role": "user", "content": "\ud800"}]}, start_date="2025-01-01")
