"""Completion tokens -> Responses API output items and stream events: one test
per rule.

Every completion goes through `parse` (responses_checks.py), which checks,
besides the rule under test, that the Response and every event validate
against the official `openai` SDK's types with no field they lack, that the
stream (token by token, and in one push) follows the lifecycle rules, and that
the SDK's own stream accumulator, fed our events, ends with exactly the
Response `response_from_completion` returns.
"""

import pytest
from responses_checks import counting_ids, enc, parse, sdk_request, stream_events, tokens_of

from fastharmony import HarmonyError
from fastharmony.responses import ResponsesStream, output_items_from_completion, response_from_completion


def shapes(response):
    """Each output item as (type, what it says)."""
    out = []
    for item in response["output"]:
        kind = item["type"]
        if kind == "message":
            out.append((kind, item["phase"], item["content"][0]["text"]))
        elif kind == "reasoning":
            out.append((kind, item["content"][0]["text"]))
        elif kind == "function_call":
            out.append((kind, item["name"], item["arguments"]))
        elif kind == "web_search_call":
            out.append((kind, item["action"]))
        else:
            out.append((kind, item["code"], item["container_id"]))
    return out


# -- items ---------------------------------------------------------------------------------


def test_analysis_is_a_reasoning_item_and_final_a_message():
    response = parse("<|channel|>analysis<|message|>Simple.<|end|><|start|>assistant<|channel|>final<|message|>4.<|return|>")
    assert shapes(response) == [("reasoning", "Simple."), ("message", "final_answer", "4.")]
    assert response["status"] == "completed" and response["incomplete_details"] is None
    reasoning, message = response["output"]
    assert reasoning["id"].startswith("rs_") and reasoning["summary"] == []
    assert message["id"].startswith("msg_") and message["role"] == "assistant"


def test_a_preamble_is_a_message_in_the_commentary_phase():
    response = parse(
        "<|channel|>commentary<|message|>Checking the weather.<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Oslo"}<|call|>'
    )
    assert shapes(response) == [
        ("message", "commentary", "Checking the weather."),
        ("function_call", "get_weather", '{"city":"Oslo"}'),
    ]


def test_each_harmony_message_is_its_own_item():
    response = parse(
        "<|channel|>analysis<|message|>One.<|end|><|start|>assistant<|channel|>analysis<|message|>Two.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Done.<|return|>"
    )
    assert shapes(response) == [("reasoning", "One."), ("reasoning", "Two."), ("message", "final_answer", "Done.")]


def test_a_function_call_keeps_its_arguments_verbatim_even_when_not_json():
    response = parse("<|channel|>commentary to=functions.f <|constrain|>json<|message|>{not json<|call|>")
    (call,) = response["output"]
    assert (call["name"], call["arguments"]) == ("f", "{not json")
    assert call["id"].startswith("fc_") and call["call_id"].startswith("call_")


@pytest.mark.parametrize(
    "header",
    [
        "<|channel|>commentary to=functions.get_weather <|constrain|>json",
        " to=functions.get_weather<|channel|>commentary <|constrain|>json",
        "<|channel|>analysis to=functions.get_weather json",
        "<|channel|>commentary to=get_weather json",
    ],
)
def test_function_calls_are_read_in_every_form_the_chat_adapter_reads(header):
    assert shapes(parse(f"{header}<|message|>{{}}<|call|>")) == [("function_call", "get_weather", "{}")]


@pytest.mark.parametrize(
    "recipient, arguments, action",
    [
        ("browser.search", '{"query":"harmony format","topn":5}', {"type": "search", "query": "harmony format"}),
        ("browser.open", '{"id":"https://example.com","cursor":-1}', {"type": "open_page", "url": "https://example.com"}),
        ("browser.open", '{"id":3,"cursor":1}', {"type": "open_page", "url": None}),
        ("browser.find", '{"pattern":"Harmony","cursor":2}', {"type": "find_in_page", "pattern": "Harmony", "url": ""}),
        ("browser.search", "not json", {"type": "search", "query": None}),
    ],
)
def test_browser_calls_are_web_search_calls_with_the_sdks_action_types(recipient, arguments, action):
    response = parse(f"<|channel|>analysis to={recipient} code<|message|>{arguments}<|call|>")
    assert shapes(response) == [("web_search_call", action)]
    assert response["output"][0]["id"].startswith("ws_")


def test_python_calls_are_code_interpreter_calls_in_the_callers_container():
    request = sdk_request(input="Compute", tools=[{"type": "code_interpreter", "container": "cntr_given"}])
    response = parse("<|channel|>analysis to=python code<|message|>print(2**10)<|call|>", request)
    assert shapes(response) == [("code_interpreter_call", "print(2**10)", "cntr_given")]
    auto = sdk_request(input="Compute", tools=[{"type": "code_interpreter", "container": {"type": "auto"}}])
    (call,) = parse("<|channel|>analysis to=python code<|message|>1<|call|>", auto)["output"]
    assert call["container_id"].startswith("cntr_") and call["outputs"] is None


@pytest.mark.parametrize("recipient", ["container.exec", "repo_browser.print_tree", "functions"])
def test_other_recipients_are_reasoning_never_dropped(recipient):
    response = parse(f"<|channel|>analysis to={recipient} json<|message|>{{\"cmd\":[\"ls\"]}}<|call|>")
    assert shapes(response) == [("reasoning", '{"cmd":["ls"]}')]


def test_the_model_imitating_a_tool_answer_is_dropped_as_in_chat():
    response = parse(
        "<|channel|>commentary to=functions.f json<|message|>{}<|call|>"
        '<|start|>functions.f to=assistant<|channel|>commentary<|message|>{"made":"up"}<|end|>'
        "<|start|>assistant<|channel|>final<|message|>Done.<|return|>"
    )
    assert shapes(response) == [("function_call", "f", "{}"), ("message", "final_answer", "Done.")]


def test_an_empty_completion_is_an_empty_output():
    response = parse([])
    assert response["output"] == [] and response["status"] == "completed"


# -- where the completion ends ---------------------------------------------------------------


def test_truncation_makes_the_response_and_the_cut_item_incomplete():
    response = parse("<|channel|>analysis<|message|>Done.<|end|><|start|>assistant<|channel|>final<|message|>Par", truncated=True)
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert [item["status"] for item in response["output"]] == ["completed", "incomplete"]
    assert shapes(response)[-1] == ("message", "final_answer", "Par")


def test_truncation_inside_a_header_yields_no_item_and_no_error():
    response = parse("<|channel|>final<|message|>Hi<|end|><|start|>assistant<|channel|>commentary to=functions.ge", truncated=True)
    assert shapes(response) == [("message", "final_answer", "Hi")]
    assert response["status"] == "incomplete"
    assert parse("<|chan", truncated=True)["output"] == []


def test_truncation_inside_a_call_keeps_what_was_written():
    response = parse('<|channel|>commentary to=functions.f json<|message|>{"a":', truncated=True)
    assert shapes(response) == [("function_call", "f", '{"a":')]
    assert response["output"][0]["status"] == "incomplete"


def test_truncation_inside_a_character_leaves_it_out():
    tokens = tokens_of("<|channel|>final<|message|>Tea ") + enc.encode("🦜")[:2]
    assert shapes(parse(tokens, truncated=True)) == [("message", "final_answer", "Tea ")]


def test_without_truncation_tokens_ending_in_a_message_complete_it():
    response = parse('<|channel|>commentary to=functions.f json<|message|>{"a":1}')
    assert response["status"] == "completed" and response["output"][0]["status"] == "completed"


def test_unreadable_tokens_are_skipped_to_the_next_message():
    response = parse(
        "<|channel|>analysis<|message|>hm<|end|>stray words<|start|><|channel|>final<|message|>lost<|end|>"
        "<|start|>assistant<|channel|><|end|><|start|>assistant<|channel|>final<|message|>ok<|return|>"
    )
    assert shapes(response) == [("reasoning", "hm"), ("message", "final_answer", "ok")]


# -- the Response around the items --------------------------------------------------------


def test_usage_is_filled_from_the_token_counts():
    tokens = tokens_of("<|channel|>final<|message|>Hello<|return|>")
    response = parse(tokens, usage={"input_tokens": 40})
    assert response["usage"] == {
        "input_tokens": 40,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": len(tokens),
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 40 + len(tokens),
    }


def test_reasoning_tokens_are_the_tokens_of_the_reasoning_items():
    analysis = tokens_of("<|channel|>analysis<|message|>Let me think about it.<|end|>")
    call = tokens_of("<|start|>assistant<|channel|>analysis to=python code<|message|>1+1<|call|>")
    more = tokens_of("<|start|>assistant<|channel|>analysis<|message|>Two.<|end|>")
    final = tokens_of("<|start|>assistant<|channel|>final<|message|>2<|return|>")
    response = parse(analysis + call + more + final)
    assert response["usage"]["output_tokens_details"] == {"reasoning_tokens": len(analysis) + len(more)}


def test_the_response_echoes_the_request():
    tool = {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}, "strict": False}
    request = sdk_request(
        input="Hi", instructions="Be brief.", tools=[tool], tool_choice="required", temperature=0.5,
        max_output_tokens=100, reasoning={"effort": "high"}, metadata={"k": "v"}, previous_response_id="resp_0",
    )  # fmt: skip
    response = parse("<|channel|>final<|message|>Hi<|return|>", request)
    assert response["model"] == "gpt-oss-120b" and response["instructions"] == "Be brief."
    assert response["tools"] == [{"description": None, **tool}]
    assert (response["tool_choice"], response["temperature"], response["max_output_tokens"]) == ("required", 0.5, 100)
    assert response["reasoning"]["effort"] == "high" and response["metadata"] == {"k": "v"}
    assert response["previous_response_id"] == "resp_0"
    assert (response["id"], response["created_at"], response["object"]) == ("resp_1", 1, "response")


def test_ids_come_from_the_injected_factory():
    response = response_from_completion(
        enc, tokens_of("<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>final<|message|>b"),
        request={"input": "x"}, ids=counting_ids(),
    )  # fmt: skip
    assert response["id"] == "resp_0" and [item["id"] for item in response["output"]] == ["rs_1", "msg_2"]


def test_output_items_from_completion_are_the_responses_output():
    tokens = tokens_of("<|channel|>final<|message|>Hi<|return|>")
    items = output_items_from_completion(enc, tokens, request={"input": "x"}, ids=counting_ids())
    assert items == response_from_completion(enc, tokens, request={"input": "x"}, ids=counting_ids())["output"]


# -- the stream ------------------------------------------------------------------------------


def test_a_message_streams_its_lifecycle_in_order():
    tokens = tokens_of("<|channel|>final<|message|>Hi!<|return|>")
    events = stream_events(tokens, [len(tokens)], {"input": "x"})
    assert [e["type"] for e in events] == [
        "response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed",
    ]  # fmt: skip


def test_a_function_call_streams_argument_deltas():
    tokens = tokens_of('<|channel|>commentary to=functions.f json<|message|>{"a": 1}<|call|>')
    events = stream_events(tokens, [1] * len(tokens), {"input": "x"})
    kinds = [e["type"] for e in events]
    assert kinds.count("response.function_call_arguments.delta") > 1
    assert kinds[-3:] == ["response.function_call_arguments.done", "response.output_item.done", "response.completed"]


def test_web_search_and_python_calls_stream_their_own_events():
    tokens = tokens_of(
        '<|channel|>analysis to=browser.search code<|message|>{"query":"q"}<|call|>'
        "<|start|>assistant<|channel|>analysis to=python code<|message|>1+1<|call|>"
    )
    kinds = [e["type"] for e in stream_events(tokens, [len(tokens)], {"input": "x"})]
    assert kinds[2:] == [
        "response.output_item.added", "response.web_search_call.in_progress",
        "response.web_search_call.completed", "response.output_item.done",
        "response.output_item.added", "response.code_interpreter_call.in_progress",
        "response.code_interpreter_call_code.delta", "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.completed", "response.output_item.done",
        "response.completed",
    ]  # fmt: skip


def test_the_stream_starts_on_its_own_when_not_started():
    stream = ResponsesStream(enc, request={"input": "x"})
    assert [e["type"] for e in stream.push([])] == ["response.created", "response.in_progress"]
    assert stream.finish()[-1]["type"] == "response.completed"


def test_push_after_finish_is_an_error():
    stream = ResponsesStream(enc, request={"input": "x"})
    stream.finish()
    with pytest.raises(HarmonyError, match="after finish"):
        stream.push([1])


@pytest.mark.parametrize("bad", [None, object(), "text", [-1]])
def test_what_is_not_token_ids_is_a_clear_error(bad):
    with pytest.raises(HarmonyError):
        ResponsesStream(enc, request={"input": "x"}).push(bad)
    with pytest.raises(HarmonyError):
        response_from_completion(enc, bad, request={"input": "x"})


def test_usage_counts_tokens_pushed_in_any_form():
    import numpy

    tokens = tokens_of("<|channel|>final<|message|>Hello<|return|>")
    for form in (tokens, tuple(tokens), iter(tokens), numpy.array(tokens)):
        response = response_from_completion(enc, form, request={"input": "x"})
        assert response["usage"]["output_tokens"] == len(tokens)
    stream = ResponsesStream(enc, request={"input": "x"})
    for token in numpy.array(tokens):
        stream.push(token)
    assert stream.finish()[-1]["response"]["usage"]["output_tokens"] == len(tokens)


def test_an_invalid_push_changes_nothing():
    stream = ResponsesStream(enc, request={"input": "x"})
    stream.push(tokens_of("<|channel|>final<|message|>Hi"))
    with pytest.raises(HarmonyError):
        stream.push(tokens_of(" there") + [-1])
    stream.push(tokens_of("!"))
    stream.finish()
    assert stream.response["output"][0]["content"][0]["text"] == "Hi!"
