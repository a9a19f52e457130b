# Completion tokens into Responses API output items and stream events: a view
# over the shared token reader (_reader.py). The conventions are listed in
# responses.py.
#
# Theory of operation. Each Harmony message the reader opens becomes one
# output item, of the kind its header routes it to (the chat adapter's
# routing, then the built-in tools told apart):
#     message                analysis-free text: `final`, or a preamble
#     reasoning              analysis, and messages to tools gpt-oss lacks
#     function_call          `functions.X` (also the chat adapter's other forms)
#     web_search_call        `browser.search`, `browser.open`, `browser.find`
#     code_interpreter_call  `python`
# An item's life is three calls: `_Item.open` (output_item.added and what
# follows it), `append` (the deltas), `close` (the done events, in order).
# Sequence numbers and output indexes are given out in one place, `_emit`
# and `_open`, so they run from 0 without gaps.
#
# The batch form is one push of every token and `finish`; the Response it
# returns is the one the stream's `response.completed` (or
# `response.incomplete`) carries: the two cannot disagree.

from __future__ import annotations

import json
import secrets
import time
from functools import partial
from typing import Any, Callable, Dict, List, Optional

from .. import HarmonyError, Role
from .._errors import HarmonyValueError
from ._chat_completion import CONTENT, DROPPED, route
from ._reader import MessageClosed, MessageOpened, TextAppended, TokenReader, token_ids
from ._responses_request import PYTHON_TOOLS

IdFactory = Callable[[str], str]

_BROWSER_ACTIONS = {"browser.search": "search", "browser.open": "open_page", "browser.find": "find_in_page"}
_PYTHON = "python"


def new_id(prefix: str) -> str:
    """The default id factory: `prefix` + "_" + 48 random hex digits, as OpenAI's ids look."""
    return f"{prefix}_{secrets.token_hex(24)}"


class ResponsesStream:
    """Responses API stream events from the tokens a model generates after a
    `render_request` prompt (sans I/O: push tokens, read events).

    `ids(prefix)` makes every id ("resp", "msg", "rs", "fc", "call", "ws", "ci",
    "cntr"): inject one to make the output deterministic.

    >>> counter = iter(range(100))
    >>> stream = ResponsesStream(enc, request={"model": "gpt-oss-120b", "input": "Hi"},
    ...     created_at=0, ids=lambda prefix: f"{prefix}_{next(counter)}")
    >>> [event["type"] for event in stream.start()]
    ['response.created', 'response.in_progress']
    >>> [event["type"] for event in stream.push(enc.encode("<|channel|>final<|message|>Hi!", allowed_special="all"))]
    ['response.output_item.added', 'response.content_part.added', 'response.output_text.delta']
    >>> [event["type"] for event in stream.finish()]
    ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']
    >>> stream.response["output"][0]["content"][0]["text"], stream.response["status"]
    ('Hi!', 'completed')
    """

    def __init__(
        self,
        encoding,
        *,
        request: Dict[str, Any],
        response_id: Optional[str] = None,
        created_at: Optional[float] = None,
        ids: Optional[IdFactory] = None,
    ) -> None:
        if not isinstance(request, dict):
            raise HarmonyValueError(f"request: expected a JSON object (dict), got {type(request).__name__}")
        self._ids = ids or new_id
        self._reader = TokenReader(encoding, Role.ASSISTANT)
        self._request = request
        self._container = _container_id(request)
        self._sequence = 0
        self._items: List[_Item] = []
        self._open_item: Optional[_Item] = None
        self._output_tokens = 0
        self._reasoning_tokens = 0  # the tokens of the reasoning items
        self._started = False
        self._finished = False
        self._response = _response_shell(
            request,
            response_id if response_id is not None else self._ids("resp"),
            int(time.time()) if created_at is None else created_at,
        )

    @property
    def response(self) -> Dict[str, Any]:
        """The Response as it stands (its output items as far as they have come)."""
        response = dict(self._response)
        response["output"] = [item.snapshot() for item in self._items]
        return response

    def start(self) -> List[Dict[str, Any]]:
        """`response.created` and `response.in_progress`."""
        if self._started:
            raise HarmonyError("ResponsesStream.start called twice")
        self._started = True
        events: List[Dict[str, Any]] = []
        self._emit(events, {"type": "response.created", "response": self.response})
        self._emit(events, {"type": "response.in_progress", "response": self.response})
        return events

    def push(self, tokens) -> List[Dict[str, Any]]:
        """Feed one token id or many; return the events they produce (maybe none)."""
        if self._finished:
            raise HarmonyError("ResponsesStream.push after finish: start a new ResponsesStream")
        tokens = token_ids(tokens)  # before any event: a bad push changes nothing
        events: List[Dict[str, Any]] = [] if self._started else self.start()
        read = self._reader.feed(tokens)
        self._output_tokens += len(tokens)
        self._handle(read, events, truncated=False)
        return events

    def finish(self, truncated: bool = False, usage: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """Close what is open; end with `response.completed`, or `response.incomplete`
        (reason max_output_tokens) when `truncated`. `usage`: the counts the caller
        knows (e.g. {"input_tokens": len(prompt)}); the rest is filled in."""
        if self._finished:
            raise HarmonyError("ResponsesStream.finish called twice")
        events: List[Dict[str, Any]] = [] if self._started else self.start()
        self._finished = True
        self._handle(self._reader.finish(), events, truncated=truncated)
        shell = self._response
        shell["status"] = "incomplete" if truncated else "completed"
        if truncated:
            shell["incomplete_details"] = {"reason": "max_output_tokens"}
        shell["usage"] = _usage(usage, self._output_tokens, self._reasoning_tokens)
        kind = "response.incomplete" if truncated else "response.completed"
        self._emit(events, {"type": kind, "response": self.response})
        return events

    # -- events -----------------------------------------------------------------

    def _handle(self, read: list, events: List[Dict[str, Any]], truncated: bool) -> None:
        emit = partial(self._emit, events)
        for event in read:
            kind = type(event)
            if kind is TextAppended:
                if self._open_item is not None:
                    self._open_item.append(event.text, emit)
            elif kind is MessageOpened:
                self._open(event.header, emit)
            elif kind is MessageClosed and self._open_item is not None:
                if type(self._open_item) is _ReasoningItem:
                    self._reasoning_tokens += event.tokens
                # The tokens ended inside it: cut off when truncated, else a stop token stripped.
                status = "incomplete" if truncated and event.stop is None else "completed"
                self._open_item.close(status, emit)
                self._open_item = None

    def _open(self, header, emit) -> None:
        target = route(header.role, header.name, header.channel, header.recipient)
        if target is DROPPED:
            return
        recipient = header.recipient
        if type(target) is tuple:
            item: _Item = _FunctionCall(self._ids("fc"), self._ids("call"), target[1])
        elif target is CONTENT:
            item = _OutputMessage(self._ids("msg"), "final_answer" if header.channel == "final" else "commentary")
        elif recipient in _BROWSER_ACTIONS:
            item = _WebSearchCall(self._ids("ws"), _BROWSER_ACTIONS[recipient])
        elif recipient == _PYTHON:
            item = _CodeInterpreterCall(self._ids("ci"), self._container or self._ids("cntr"))
        else:
            item = _ReasoningItem(self._ids("rs"))
        item.output_index = len(self._items)
        self._items.append(item)
        self._open_item = item
        item.open(emit)

    def _emit(self, events: List[Dict[str, Any]], event: Dict[str, Any]) -> None:
        event["sequence_number"] = self._sequence
        self._sequence += 1
        events.append(event)


# -- output items ---------------------------------------------------------------------


class _Item:
    """One output item: its events, and its shape when done. `emit(event)`
    sends an event (the stream numbers it)."""

    output_index = 0

    def __init__(self, item_id: str) -> None:
        self.id = item_id
        self.text = ""
        self.status = "in_progress"

    def snapshot(self) -> Dict[str, Any]:
        raise NotImplementedError

    def open(self, emit) -> None:
        emit({"type": "response.output_item.added", "output_index": self.output_index, "item": self.snapshot()})

    def append(self, text: str, emit) -> None:
        self.text += text

    def close(self, status: str, emit) -> None:
        self.status = status
        emit({"type": "response.output_item.done", "output_index": self.output_index, "item": self.snapshot()})

    def _where(self) -> Dict[str, Any]:
        return {"item_id": self.id, "output_index": self.output_index}


class _TextItem(_Item):
    """An item whose text is one content part: a message or a reasoning item."""

    part_type = ""
    delta_event = ""
    done_event = ""

    def part(self, text: str) -> Dict[str, Any]:
        return {"type": self.part_type, "text": text}

    def open(self, emit) -> None:
        super().open(emit)
        emit({"type": "response.content_part.added", **self._where(), "content_index": 0, "part": self.part("")})

    def append(self, text, emit) -> None:
        super().append(text, emit)
        emit({"type": self.delta_event, **self._where(), "content_index": 0, "delta": text, **self.extra()})

    def close(self, status, emit) -> None:
        where = {**self._where(), "content_index": 0}
        emit({"type": self.done_event, **where, "text": self.text, **self.extra()})
        emit({"type": "response.content_part.done", **where, "part": self.part(self.text)})
        super().close(status, emit)

    def extra(self) -> Dict[str, Any]:
        return {}


class _OutputMessage(_TextItem):
    part_type = "output_text"
    delta_event = "response.output_text.delta"
    done_event = "response.output_text.done"

    def __init__(self, item_id: str, phase: str) -> None:
        super().__init__(item_id)
        self.phase = phase

    def part(self, text):
        return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}

    def extra(self):
        return {"logprobs": []}

    def snapshot(self):
        content = [self.part(self.text)] if self.text or self.status != "in_progress" else []
        return {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "status": self.status,
            "content": content,
            "phase": self.phase,
        }


class _ReasoningItem(_TextItem):
    part_type = "reasoning_text"
    delta_event = "response.reasoning_text.delta"
    done_event = "response.reasoning_text.done"

    def snapshot(self):
        content = [self.part(self.text)] if self.text or self.status != "in_progress" else []
        return {"id": self.id, "type": "reasoning", "summary": [], "content": content, "status": self.status}


class _FunctionCall(_Item):
    def __init__(self, item_id: str, call_id: str, name: str) -> None:
        super().__init__(item_id)
        self.call_id = call_id
        self.name = name

    def snapshot(self):
        return {
            "id": self.id,
            "type": "function_call",
            "status": self.status,
            "call_id": self.call_id,
            "name": self.name,
            "arguments": self.text,
        }

    def append(self, text, emit) -> None:
        super().append(text, emit)
        emit({"type": "response.function_call_arguments.delta", **self._where(), "delta": text})

    def close(self, status, emit) -> None:
        emit({"type": "response.function_call_arguments.done", **self._where(), "arguments": self.text})
        super().close(status, emit)


class _WebSearchCall(_Item):
    """The browser's arguments are read once whole: the action they describe
    cannot be streamed."""

    def __init__(self, item_id: str, action: str) -> None:
        super().__init__(item_id)
        self.action = action

    def snapshot(self):
        return {"id": self.id, "type": "web_search_call", "status": self.status, "action": _action(self.action, self.text)}

    def open(self, emit) -> None:
        super().open(emit)
        emit({"type": "response.web_search_call.in_progress", **self._where()})

    def close(self, status, emit) -> None:
        if status == "completed":
            emit({"type": "response.web_search_call.completed", **self._where()})
        super().close(status, emit)


class _CodeInterpreterCall(_Item):
    def __init__(self, item_id: str, container_id: str) -> None:
        super().__init__(item_id)
        self.container_id = container_id

    def snapshot(self):
        return {
            "id": self.id,
            "type": "code_interpreter_call",
            "status": self.status,
            "code": self.text,
            "container_id": self.container_id,
            "outputs": None,
        }

    def open(self, emit) -> None:
        super().open(emit)
        emit({"type": "response.code_interpreter_call.in_progress", **self._where()})

    def append(self, text, emit) -> None:
        super().append(text, emit)
        emit({"type": "response.code_interpreter_call_code.delta", **self._where(), "delta": text})

    def close(self, status, emit) -> None:
        emit({"type": "response.code_interpreter_call_code.done", **self._where(), "code": self.text})
        if status == "completed":
            emit({"type": "response.code_interpreter_call.completed", **self._where()})
        super().close(status, emit)


def _action(kind: str, arguments: str) -> Dict[str, Any]:
    """The SDK's web-search action for a browser call's arguments (JSON if the
    model wrote it well; what is missing stays empty)."""
    try:
        args = json.loads(arguments)
    except ValueError:
        args = None
    if not isinstance(args, dict):
        args = {}
    if kind == "search":
        query = args.get("query")
        return {"type": "search", "query": query if isinstance(query, str) else None}
    # The page: a URL given as `id` (a number is a link of a page the server keeps) or `url`.
    url = args.get("url", args.get("id"))
    url = url if isinstance(url, str) else None
    if kind == "open_page":
        return {"type": "open_page", "url": url}
    pattern = args.get("pattern")
    return {"type": "find_in_page", "pattern": pattern if isinstance(pattern, str) else "", "url": url or ""}


# -- the Response around the items --------------------------------------------------


def _response_shell(request: Dict[str, Any], response_id: str, created_at) -> Dict[str, Any]:
    """The Response fields that echo the request, as OpenAI fills them."""
    reasoning = request.get("reasoning") if isinstance(request.get("reasoning"), dict) else {}
    text = request.get("text") if isinstance(request.get("text"), dict) else {}
    model = request.get("model")
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "model": model if isinstance(model, str) else "gpt-oss",
        "output": [],
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort") or "medium", "summary": reasoning.get("summary")},
        "temperature": request.get("temperature", 1.0),
        "text": {"format": text.get("format") or {"type": "text"}},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": [_tool_echo(tool) for tool in request.get("tools") or []],
        "top_p": request.get("top_p", 1.0),
        "truncation": request.get("truncation", "disabled"),
        "usage": None,
        "metadata": request.get("metadata") or {},
    }


def _tool_echo(tool: Any) -> Any:
    # Function tools come back with every field OpenAI sends (strict defaults
    # to true there); the others as the request gave them.
    if isinstance(tool, dict) and tool.get("type") == "function":
        return {"description": None, "parameters": None, "strict": True, **tool}
    return tool


def _container_id(request: Dict[str, Any]) -> Optional[str]:
    for tool in request.get("tools") or []:
        if isinstance(tool, dict) and tool.get("type") in PYTHON_TOOLS:
            container = tool.get("container")
            if isinstance(container, str):
                return container
    return None


def _usage(given: Optional[Dict[str, Any]], output_tokens: int, reasoning_tokens: int) -> Dict[str, Any]:
    given = dict(given or {})
    input_tokens = given.get("input_tokens", 0)
    output = given.get("output_tokens", output_tokens)
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": given.get("input_tokens_details", {"cached_tokens": 0, "cache_write_tokens": 0}),
        "output_tokens": output,
        "output_tokens_details": given.get("output_tokens_details", {"reasoning_tokens": reasoning_tokens}),
        "total_tokens": given.get("total_tokens", input_tokens + output),
    }


# -- batch ---------------------------------------------------------------------------


def response_from_completion(
    encoding,
    tokens,
    *,
    request: Dict[str, Any],
    truncated: bool = False,
    response_id: Optional[str] = None,
    created_at: Optional[float] = None,
    usage: Optional[Dict[str, Any]] = None,
    ids: Optional[IdFactory] = None,
) -> Dict[str, Any]:
    """The Response for the tokens a model generated after a `render_request`
    prompt: exactly what a ResponsesStream's `response.completed` (or
    `response.incomplete`, when `truncated`) carries.

    >>> response = response_from_completion(enc, enc.encode(
    ...     '<|channel|>commentary to=functions.get_weather <|constrain|>json'
    ...     '<|message|>{"city":"Paris"}<|call|>', allowed_special="all"), request={"input": "Weather?"})
    >>> call = response["output"][0]
    >>> call["type"], call["name"], call["arguments"], response["status"]
    ('function_call', 'get_weather', '{"city":"Paris"}', 'completed')
    """
    stream = ResponsesStream(encoding, request=request, response_id=response_id, created_at=created_at, ids=ids)
    stream.push(tokens)
    stream.finish(truncated, usage)
    return stream.response


def output_items_from_completion(encoding, tokens, *, request: Dict[str, Any], truncated: bool = False, ids=None):
    """The output items of `response_from_completion` alone."""
    return response_from_completion(encoding, tokens, request=request, truncated=truncated, ids=ids)["output"]
