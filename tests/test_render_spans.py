"""Message spans: `render_conversation_with_spans` says where each message lies.

The properties, over random conversations in both dialects:
- the tokens are exactly `render_conversation`'s (same config);
- there is one span per message, in order, with `index` its position;
- a kept message's span re-renders as that message alone (`enc.render`),
  its header ends just after `<|message|>`, and the spans tile the tokens;
- `dropped` is True exactly for the messages auto-drop leaves out (those the
  rendering without them does not contain), and a dropped span is empty, at
  the offset where the next kept message starts.
"""

import copy
import pickle

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fastharmony
from fastharmony import Conversation, Message, MessageSpan, RenderConversationConfig, Role, load_harmony_encoding
from strategies import conversation_specs

ENCODINGS = {dialect: load_harmony_encoding("HarmonyGptOss", dialect=dialect) for dialect in ("0.0.8", "0.0.11")}
MESSAGE = 200008


def conversation_of(specs):
    return Conversation(messages=[Message.from_dict(copy.deepcopy(spec)) for spec in specs])


def renderable(enc, conversation, config):
    try:
        return enc.render_conversation(conversation, config)
    except fastharmony.HarmonyError:
        return None


@given(
    specs=conversation_specs(with_tools=True),
    auto_drop=st.sampled_from([None, True, False]),
    dialect=st.sampled_from(sorted(ENCODINGS)),
)
def test_spans_locate_every_message(specs, auto_drop, dialect):
    enc = ENCODINGS[dialect]
    conversation = conversation_of(specs)
    config = None if auto_drop is None else RenderConversationConfig(auto_drop_analysis=auto_drop)
    expected = renderable(enc, conversation, config)
    if expected is None:
        with pytest.raises(fastharmony.HarmonyError):
            enc.render_conversation_with_spans(conversation, config)
        return
    tokens, spans = enc.render_conversation_with_spans(conversation, config)
    assert tokens == expected
    assert [span.index for span in spans] == list(range(len(conversation.messages)))
    kept = []
    at = 0
    for span, message in zip(spans, conversation.messages):
        assert span.start == at
        if span.dropped:
            assert span.start == span.header_end == span.end
            continue
        kept.append(message)
        assert tokens[span.header_end - 1] == MESSAGE
        # The conversation's function tools decide what a system message says.
        options = fastharmony.RenderOptions(
            conversation_has_function_tools=_has_function_tools(conversation.messages)
        )
        alone = enc.render(message, options)
        assert tokens[span.start : span.end] == alone
        assert tokens[span.start : span.header_end] == alone[: alone.index(MESSAGE) + 1]
        at = span.end
    assert at == len(tokens)
    # The dropped messages are those the rendering leaves out.
    assert enc.render_conversation(Conversation(messages=kept), RenderConversationConfig(auto_drop_analysis=False)) == tokens


def _has_function_tools(messages):
    return any(
        isinstance(part, fastharmony.DeveloperContent)
        and part.tools
        and "functions" in part.tools
        and bool(part.tools["functions"].tools)
        for message in messages
        for part in message.content
    )


def test_dropped_flags_follow_auto_drop():
    enc = ENCODINGS["0.0.8"]
    messages = [
        Message.from_role_and_content(Role.USER, "Hi"),
        Message.from_role_and_content(Role.ASSISTANT, "think").with_channel("analysis"),
        Message.from_role_and_content(Role.ASSISTANT, "Hello").with_channel("final"),
        Message.from_role_and_content(Role.USER, "More?"),
        Message.from_role_and_content(Role.ASSISTANT, "think again").with_channel("analysis"),
        Message.from_role_and_content(Role.ASSISTANT, "Sure").with_channel("final"),
    ]
    conversation = Conversation(messages=messages)
    tokens, spans = enc.render_conversation_with_spans(conversation)
    # Only reasoning before the first final answer is dropped, as the reference does.
    assert [span.dropped for span in spans] == [False, True, False, False, False, False]
    assert spans[1] == MessageSpan(1, spans[0].end, spans[0].end, spans[0].end, True)
    assert spans[2].start == spans[0].end
    _, kept_spans = enc.render_conversation_with_spans(conversation, RenderConversationConfig(auto_drop_analysis=False))
    assert not any(span.dropped for span in kept_spans)
    # The spans of a conversation whose last assistant message is not final drop nothing.
    _, open_spans = enc.render_conversation_with_spans(Conversation(messages=messages[:2]))
    assert not any(span.dropped for span in open_spans)


def test_spans_of_an_empty_conversation_and_of_a_list_of_messages():
    enc = ENCODINGS["0.0.8"]
    assert enc.render_conversation_with_spans(Conversation(messages=[])) == ([], [])
    message = Message.from_role_and_content(Role.USER, "Hi")
    tokens, spans = enc.render_conversation_with_spans([message, message])
    assert spans == [MessageSpan(0, 0, 3, 5, False), MessageSpan(1, 5, 8, 10, False)]
    assert tokens == enc.render(message) * 2


def test_spans_of_text_with_surrogate_pairs_are_those_of_the_joined_text():
    enc = ENCODINGS["0.0.8"]
    pair = Message.from_role_and_content(Role.USER, "a\ud83d\ude00b")
    joined = Message.from_role_and_content(Role.USER, "a😀b")
    assert enc.render_conversation_with_spans([joined, pair]) == enc.render_conversation_with_spans([joined, joined])


def test_bad_input_is_refused_as_render_conversation_refuses_it():
    enc = ENCODINGS["0.0.8"]
    for bad in ([5], "x", None):
        with pytest.raises(fastharmony.HarmonyError):
            enc.render_conversation_with_spans(bad)
    with pytest.raises(fastharmony.HarmonyError):
        enc.render_conversation_with_spans([], config="x")


def test_a_message_span_is_a_frozen_value():
    span = MessageSpan(index=0, start=0, header_end=3, end=5, dropped=False)
    with pytest.raises(AttributeError):
        span.end = 6
    assert span == MessageSpan(0, 0, 3, 5)
    assert hash(span) == hash(MessageSpan(0, 0, 3, 5))
    assert msgspec.json.decode(msgspec.json.encode(span), type=MessageSpan) == span
    assert pickle.loads(pickle.dumps(span)) == span
