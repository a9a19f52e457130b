"""Checks shared by the Responses tests: every response, event and request
validated by the official `openai` SDK's types, and every stream replayed
through the SDK's own stream accumulator."""

import itertools

from openai import omit
from openai.lib.streaming.responses import ResponseStreamState
from openai.types.responses import Response, ResponseStreamEvent
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming
from pydantic import TypeAdapter
from sdk_bodies import sdk_body

from fastharmony import load_harmony_encoding
from fastharmony.responses import ResponsesStream, response_from_completion

enc = load_harmony_encoding("HarmonyGptOss")
EVENT = TypeAdapter(ResponseStreamEvent)
REQUEST = TypeAdapter(ResponseCreateParamsNonStreaming)
DELTA_FIELDS = {
    "response.output_text.delta": "text",
    "response.reasoning_text.delta": "text",
    "response.function_call_arguments.delta": "arguments",
    "response.code_interpreter_call_code.delta": "code",
}


def tokens_of(text):
    return enc.encode(text, allowed_special="all")


def counting_ids():
    counter = itertools.count()
    return lambda prefix: f"{prefix}_{next(counter)}"


def sdk_request(**fields):
    """A request body that the SDK's ResponseCreateParams accepts."""
    return sdk_body(REQUEST, fields)


def sdk_response(response):
    """The response as the SDK reads it: every field we send is one it knows."""
    parsed = Response.model_validate(response)
    assert not _extra_fields(parsed), _extra_fields(parsed)
    return parsed


def _extra_fields(model, path="response"):
    """Fields the SDK's types do not declare (pydantic keeps them as extras)."""
    from pydantic import BaseModel

    found = [f"{path}.{name}" for name in (model.__pydantic_extra__ or {})]
    for name in type(model).model_fields:
        value = getattr(model, name)
        values = value if isinstance(value, list) else [value]
        for index, item in enumerate(values):
            if isinstance(item, BaseModel):
                found += _extra_fields(item, f"{path}.{name}[{index}]" if isinstance(value, list) else f"{path}.{name}")
    return found


def sdk_event(event):
    parsed = EVENT.validate_python(event)
    assert parsed.type == event["type"]
    assert not _extra_fields(parsed, "event"), _extra_fields(parsed, "event")
    return parsed


def _plain(value):
    """A dump without the fields the SDK's parsing helpers add (`parsed`)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("parsed", "output_parsed", "parsed_arguments")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def check_events(events, request):
    """The lifecycle rules, then the SDK's accumulator; returns the final Response dict."""
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert [e["type"] for e in events[:2]] == ["response.created", "response.in_progress"]
    assert events[-1]["type"] in ("response.completed", "response.incomplete")
    added = [e for e in events if e["type"] == "response.output_item.added"]
    done = [e for e in events if e["type"] == "response.output_item.done"]
    assert [e["output_index"] for e in added] == list(range(len(added)))
    assert [e["output_index"] for e in done] == list(range(len(done)))
    open_index = None
    accumulated = {}
    for event in events:
        sdk_event(event)
        kind = event["type"]
        if kind == "response.output_item.added":
            assert open_index is None  # one item at a time
            open_index = event["output_index"]
            assert event["item"]["status"] == "in_progress"
        elif kind == "response.output_item.done":
            assert event["output_index"] == open_index
            assert event["item"]["id"] == added[open_index]["item"]["id"]
            open_index = None
        elif "output_index" in event:
            assert event["output_index"] == open_index, event
        if kind in DELTA_FIELDS:
            assert event["delta"]
            accumulated[event["output_index"]] = accumulated.get(event["output_index"], "") + event["delta"]
    assert open_index is None
    final = events[-1]["response"]
    for index, text in accumulated.items():
        item = final["output"][index]
        whole = {"message": lambda: item["content"][0]["text"], "reasoning": lambda: item["content"][0]["text"],
                 "function_call": lambda: item["arguments"], "code_interpreter_call": lambda: item["code"]}[item["type"]]()  # fmt: skip
        assert text == whole
    # The SDK's own accumulator: it must take every event, and end with our Response.
    state = ResponseStreamState(input_tools=request.get("tools", omit), text_format=omit)
    snapshots = {}
    last = None
    for event in events:
        for handled in state.handle_event(sdk_event(event)):
            last = handled
            if handled.type in ("response.output_text.delta", "response.function_call_arguments.delta"):
                snapshots[handled.output_index] = handled.snapshot
    for index, snapshot in snapshots.items():
        item = final["output"][index]
        assert snapshot == (item["arguments"] if item["type"] == "function_call" else item["content"][0]["text"])
    assert last.type == events[-1]["type"]
    assert _plain(last.response.to_dict(mode="json")) == _plain(Response.model_validate(final).to_dict(mode="json"))
    return final


def stream_events(tokens, pushes, request, truncated=False, usage=None):
    stream = ResponsesStream(enc, request=request, created_at=1, response_id="resp_1", ids=counting_ids())
    events, at = stream.start(), 0
    for size in pushes:
        events += stream.push(tokens[at : at + size])
        at += size
    assert at == len(tokens)
    events += stream.finish(truncated, usage)
    assert stream.response == events[-1]["response"]
    return events


def parse(text_or_tokens, request=None, truncated=False, usage=None):
    """response_from_completion with every check: SDK types, and the same Response
    streamed token by token and in one push, through the SDK's accumulator."""
    request = request if request is not None else {"model": "gpt-oss-120b", "input": "Hi"}
    tokens = tokens_of(text_or_tokens) if isinstance(text_or_tokens, str) else list(text_or_tokens)
    response = response_from_completion(
        enc, tokens, request=request, truncated=truncated, usage=usage, response_id="resp_1", created_at=1,
        ids=counting_ids(),
    )  # fmt: skip
    sdk_response(response)
    for pushes in ([1] * len(tokens), [len(tokens)]):
        final = check_events(stream_events(tokens, pushes, request, truncated, usage), request)
        assert final == response
    return response
