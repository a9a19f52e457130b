"""Completion tokens -> Chat Completions message and streaming deltas: one
test per rule.

Every completion here goes through `parse`, which checks, besides the rule
under test, that the choice is valid for the official `openai` SDK's types,
that every streamed delta is a valid chunk delta, and that the deltas streamed
token by token, accumulated by the SDK's own stream accumulator, give exactly
the non-streaming message.
"""

import re

import pytest
from openai.lib.streaming.chat._completions import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk
from openai.types.chat.chat_completion import Choice

from fastharmony import HarmonyError, load_harmony_encoding
from fastharmony.chat import ChatStream, message_from_completion

enc = load_harmony_encoding("HarmonyGptOss")
CALL_ID = re.compile(r"call_[0-9a-f]{24}")


def tokens_of(text):
    return enc.encode(text, allowed_special="all")


# -- checks shared with the property tests ---------------------------------------------


def sdk_choice(choice):
    """The choice as the SDK reads a non-streaming response's choice."""
    return Choice.model_validate(choice)


def sdk_accumulated(deltas, finish_reason):
    """The message the SDK's stream accumulator builds from our deltas, sent as chunks."""
    state = ChatCompletionStreamState()
    for delta in deltas:
        state.handle_chunk(chunk(delta, None))
    state.handle_chunk(chunk({}, finish_reason))
    # The snapshot: get_final_completion() refuses finish_reason "length".
    choice = state.current_completion_snapshot.choices[0]
    assert choice.finish_reason == finish_reason
    message = choice.message
    out = {"role": "assistant", "content": message.content, "reasoning_content": getattr(message, "reasoning_content", None)}
    if message.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
            for c in message.tool_calls
        ]
    return out


def chunk(delta, finish_reason):
    return ChatCompletionChunk.model_validate(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "gpt-oss-120b",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
    )


def check_ids(message):
    """Tool-call ids are call_ + 24 hex digits and unique; returns the message with them numbered."""
    calls = message.get("tool_calls", [])
    ids = [c["id"] for c in calls]
    assert all(CALL_ID.fullmatch(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    numbered = dict(message)
    if calls:
        numbered["tool_calls"] = [{**c, "id": index} for index, c in enumerate(calls)]
    return numbered


def stream(tokens, pushes, truncated=False):
    """Push `tokens` in pieces of the given sizes; (deltas, finish_reason)."""
    chat = ChatStream(enc)
    deltas, at = [], 0
    for size in pushes or [0]:
        deltas += chat.push(tokens[at : at + size])
        at += size
    assert at == len(tokens)
    return deltas, chat.finish(truncated)


def check_stream(tokens, pushes, truncated, expected_message, finish_reason):
    deltas, reason = stream(tokens, pushes, truncated)
    assert reason == finish_reason
    assert deltas[0] == {"role": "assistant"}
    assert all("role" not in delta for delta in deltas[1:])
    for delta in deltas:
        chunk(delta, None)  # a valid chunk delta
        for call in delta.get("tool_calls", []):
            assert call["index"] >= 0
            if "id" in call:  # the first entry of a call: id, type and name, all at once
                assert call["type"] == "function" and call["function"]["arguments"] == ""
            else:
                assert set(call) == {"index", "function"} and set(call["function"]) == {"arguments"}
    assert check_ids(sdk_accumulated(deltas, reason)) == expected_message


def parse(text_or_tokens, truncated=False):
    """message_from_completion, with every check above; returns the message with ids numbered."""
    tokens = tokens_of(text_or_tokens) if isinstance(text_or_tokens, str) else list(text_or_tokens)
    choice = message_from_completion(enc, tokens, truncated=truncated)
    assert set(choice) == {"index", "message", "finish_reason"}
    sdk_choice(choice)
    message = check_ids(choice["message"])
    check_stream(tokens, [1] * len(tokens), truncated, message, choice["finish_reason"])
    check_stream(tokens, [len(tokens)], truncated, message, choice["finish_reason"])
    parse.finish_reason = choice["finish_reason"]
    return message


def answer(content=None, reasoning=None, *calls):
    message = {"role": "assistant", "content": content, "reasoning_content": reasoning}
    if calls:
        message["tool_calls"] = [
            {"id": index, "type": "function", "function": {"name": name, "arguments": arguments}}
            for index, (name, arguments) in enumerate(calls)
        ]
    return message


# -- channels -------------------------------------------------------------------------------


def test_analysis_is_reasoning_and_final_is_content():
    text = (
        '<|channel|>analysis<|message|>User asks: "What is 2 + 2?" Simple arithmetic.<|end|>'
        "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>"
    )
    assert parse(text) == answer("2 + 2 = 4.", 'User asks: "What is 2 + 2?" Simple arithmetic.')
    assert parse.finish_reason == "stop"


def test_a_preamble_is_content():
    text = (
        "<|channel|>analysis<|message|>Plan.<|end|>"
        "<|start|>assistant<|channel|>commentary<|message|>**Action plan**: generate the file.<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.generate_file<|constrain|>json<|message|>{"path": "index.html"}<|call|>'
    )
    expected = answer("**Action plan**: generate the file.", "Plan.", ("generate_file", '{"path": "index.html"}'))
    assert parse(text) == expected
    assert parse.finish_reason == "tool_calls"


def test_messages_for_one_field_are_joined_by_a_newline():
    text = (
        "<|channel|>analysis<|message|>First.<|end|>"
        "<|start|>assistant<|channel|>analysis<|message|><|end|>"
        "<|start|>assistant<|channel|>analysis<|message|>Second.<|end|>"
        "<|start|>assistant<|channel|>commentary<|message|>Looking.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Found.<|return|>"
    )
    assert parse(text) == answer("Looking.\nFound.", "First.\nSecond.")


def test_a_message_without_a_known_channel_is_reasoning():
    assert parse("<|message|>unchannelled<|end|><|start|>assistant<|channel|>thoughts<|message|>hm<|end|>") == answer(
        None, "unchannelled\nhm"
    )


def test_an_empty_completion_is_an_empty_message():
    assert parse([]) == answer()
    assert parse.finish_reason == "stop"


# -- tool calls -----------------------------------------------------------------------------


def test_a_commentary_message_to_a_function_is_a_tool_call():
    text = '<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"location":"Tokyo"}<|call|>'
    assert parse(text) == answer(None, None, ("get_weather", '{"location":"Tokyo"}'))
    assert parse.finish_reason == "tool_calls"


def test_a_tool_call_without_its_call_token_is_kept():
    # Servers strip stop tokens: the completion just ends.
    text = '<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"location":"Tokyo"}'
    assert parse(text) == answer(None, "Need weather.", ("get_weather", '{"location":"Tokyo"}'))
    assert parse.finish_reason == "tool_calls"


def test_the_recipient_may_sit_in_the_role_part_of_the_header():
    text = '<|channel|>analysis<|message|>Go.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"a":1}<|call|>'
    assert parse(text) == answer(None, "Go.", ("get_weather", '{"a":1}'))


def test_the_recipient_may_sit_in_the_role_part_of_the_first_header():
    text = ' to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"a":1}<|call|>'
    assert parse(text) == answer(None, None, ("get_weather", '{"a":1}'))


def test_a_header_opening_with_the_function_name_is_a_call():
    text = '<|channel|>analysis<|message|>Go.<|end|><|start|>functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"a":1}<|call|>'
    assert parse(text) == answer(None, "Go.", ("get_weather", '{"a":1}'))
    text = '<|channel|>analysis<|message|>Go.<|end|><|start|>functions.get_weather<|channel|>commentary json<|message|>{"a":1}<|call|>'
    assert parse(text) == answer(None, "Go.", ("get_weather", '{"a":1}'))


def test_the_model_imitating_a_tool_result_is_dropped():
    text = (
        '<|channel|>analysis<|message|>Go.<|end|><|start|>assistant to=functions.f<|channel|>commentary json<|message|>{}<|call|>'
        '<|start|>functions.f to=assistant<|channel|>commentary<|message|>{"made":"up"}<|end|>'
        "<|start|>assistant<|channel|>final<|message|>Done.<|return|>"
    )
    assert parse(text) == answer("Done.", "Go.", ("f", "{}"))


def test_a_function_call_on_the_analysis_channel_is_a_tool_call():
    text = '<|channel|>analysis to=functions.lookup <|constrain|>json<|message|>{"q":"x"}<|call|>'
    assert parse(text) == answer(None, None, ("lookup", '{"q":"x"}'))


def test_a_function_name_without_its_namespace_is_a_tool_call():
    text = '<|channel|>commentary to=get_weather <|constrain|>json<|message|>{"a":1}<|call|>'
    assert parse(text) == answer(None, None, ("get_weather", '{"a":1}'))


def test_several_tool_calls_are_numbered_in_order():
    text = (
        '<|channel|>commentary to=functions.a json<|message|>{"n":1}<|end|>'
        '<|start|>assistant<|channel|>commentary to=functions.b json<|message|>{"n":2}<|end|>'
        '<|start|>assistant to=functions.a<|channel|>commentary json<|message|>{"n":3}<|call|>'
    )
    assert parse(text) == answer(None, None, ("a", '{"n":1}'), ("b", '{"n":2}'), ("a", '{"n":3}'))


def test_tool_call_ids_are_unique_across_completions():
    text = '<|channel|>commentary to=functions.a json<|message|>{}<|call|>'
    ids = {message_from_completion(enc, tokens_of(text))["message"]["tool_calls"][0]["id"] for _ in range(200)}
    assert len(ids) == 200


@pytest.mark.parametrize(
    "header",
    [
        "<|channel|>analysis to=browser.search code",
        "<|channel|>analysis to=browser.open",
        "<|channel|>analysis to=python code",
        "<|channel|>analysis to=container.exec json",
        "<|channel|>commentary to=repo_browser.print_tree json",
        "<|channel|>commentary to=functions",
    ],
)
def test_messages_to_built_in_or_unknown_tools_are_reasoning(header):
    text = f"<|channel|>analysis<|message|>Search.<|end|><|start|>assistant{header}<|message|>{{\"query\":\"x\"}}<|call|>"
    assert parse(text) == answer(None, 'Search.\n{"query":"x"}')
    assert parse.finish_reason == "stop"


@pytest.mark.parametrize("recipient", ["all", "assistant", "user"])
def test_a_recipient_that_is_not_a_tool_leaves_the_channel_to_decide(recipient):
    assert parse(f"<|channel|>final to={recipient}<|message|>Hi<|return|>") == answer("Hi")


# -- where the completion ends -------------------------------------------------------------------


def test_a_truncated_completion_finishes_with_length():
    text = "<|channel|>analysis<|message|>Thinking about it"
    assert parse(text, truncated=True) == answer(None, "Thinking about it")
    assert parse.finish_reason == "length"
    text = '<|channel|>commentary to=functions.f json<|message|>{"a":'
    assert parse(text, truncated=True) == answer(None, None, ("f", '{"a":'))
    assert parse.finish_reason == "length"


def test_an_unfinished_header_yields_nothing():
    text = "<|channel|>analysis<|message|>Go.<|end|><|start|>assistant<|channel|>commentary to=functions.get_we"
    assert parse(text, truncated=True) == answer(None, "Go.")
    assert parse("<|channel|>fin", truncated=True) == answer()


def test_a_character_cut_in_half_at_the_end_is_left_out():
    parrot = enc.encode("🦜")
    assert len(parrot) == 3  # its four bytes come in three tokens
    for cut in (1, 2):
        tokens = tokens_of("<|channel|>final<|message|>Tea ") + parrot[:cut]
        assert parse(tokens, truncated=True) == answer("Tea ")


def test_a_character_split_across_pushes_is_sent_whole():
    word = "日本語で🦜"
    tokens = tokens_of(f"<|channel|>final<|message|>{word}<|return|>")
    deltas, _ = stream(tokens, [1] * len(tokens))
    texts = [d["content"] for d in deltas if "content" in d]
    assert "".join(texts) == word
    assert all(text.encode("utf-8").decode("utf-8") == text for text in texts)
    assert all("\ufffd" not in text for text in texts)


def test_a_stop_token_before_the_message_token_is_recovered():
    assert parse("<|channel|>final Hello there<|return|>") == answer("Hello there")


def test_text_outside_a_message_is_skipped():
    text = (
        "<|channel|>analysis<|message|>hm<|end|>stray words"
        "<|start|>assistant<|channel|>final<|message|>ok<|return|>"
    )
    assert parse(text) == answer("ok", "hm")


def test_an_unreadable_header_is_skipped_to_the_next_message():
    text = (
        "<|channel|>analysis<|message|>hm<|end|>"
        "<|start|>functions.f<|channel|>commentary<|message|>{}<|call|>"
        "<|start|><|channel|>final<|message|>lost<|end|>"
        "<|start|>assistant<|channel|>final<|message|>ok<|return|>"
    )
    assert parse(text) == answer("ok", "hm")


def test_tokens_after_the_last_stop_token_still_count():
    text = "<|channel|>final<|message|>a<|return|><|start|>assistant<|channel|>final<|message|>b<|return|>"
    assert parse(text) == answer("a\nb")


# -- ChatStream ---------------------------------------------------------------------------------


def test_the_role_comes_once_first():
    chat = ChatStream(enc)
    assert chat.push([]) == [{"role": "assistant"}]
    assert chat.push(tokens_of("<|channel|>final<|message|>Hi")) == [{"content": "Hi"}]


def test_push_takes_one_token_id_or_many():
    tokens = tokens_of("<|channel|>final<|message|>Hello")
    one = ChatStream(enc)
    deltas = [d for token in tokens for d in one.push(token)]
    assert [d["content"] for d in deltas if "content" in d] == [enc.decode([t]) for t in tokens[3:]]
    many = ChatStream(enc)
    assert many.push(iter(tokens)) == [{"role": "assistant"}, {"content": "Hello"}]


def test_a_tool_call_opens_with_its_id_type_and_name_then_streams_arguments():
    chat = ChatStream(enc)
    deltas = chat.push(tokens_of("<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"))
    assert deltas[0] == {"role": "assistant"}
    (opening,) = deltas[1]["tool_calls"]
    assert CALL_ID.fullmatch(opening.pop("id"))
    assert opening == {"index": 0, "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    assert chat.push(tokens_of('{"a":1}')) == [{"tool_calls": [{"index": 0, "function": {"arguments": '{"a":1}'}}]}]
    assert chat.finish() == "tool_calls"


def test_push_after_finish_is_an_error():
    chat = ChatStream(enc)
    chat.push(tokens_of("<|channel|>final<|message|>Hi"))
    assert chat.finish() == "stop"
    assert chat.finish() == "stop"
    with pytest.raises(HarmonyError, match="after finish"):
        chat.push([1])


def test_an_invalid_token_id_is_the_callers_error():
    with pytest.raises(ValueError, match="Invalid token for decoding: -1"):
        ChatStream(enc).push([-1])
    with pytest.raises(ValueError, match="Invalid token for decoding"):
        message_from_completion(enc, [2**40])
