# Completion tokens into Chat Completions deltas: a view over the shared token
# reader (_reader.py), for streaming and batch use. The conventions are listed
# in chat.py.
#
# Theory of operation. The reader turns tokens into message events; this file
# routes each message, once its header is known, to one place of the Chat
# Completions message:
#     REASONING    `reasoning_content`
#     CONTENT      `content`
#     a tool call  `tool_calls[i]` (its id, type and name go out at once,
#                  the arguments as they arrive)
#     DROPPED      nowhere (a message the model wrote in a tool's name)
# and sends the message's text there as it grows. Everything about reading
# tokens (tolerance, whole characters, where a completion may end) is the
# reader's; so `finish` has no text left to send: everything a push can show,
# it shows.
#
# The batch form, `message_from_completion`, is one push of every token, then
# `finish`, then the deltas joined: the two cannot disagree.

from __future__ import annotations

import re
import secrets
from typing import Any, Dict, List, Optional

from .. import HarmonyError, Role
from ._reader import MessageOpened, TextAppended, TokenReader

_ASSISTANT_DELTA = "role"
REASONING = "reasoning_content"
CONTENT = "content"
DROPPED = None

# Several messages routed to one text field are joined by a newline, as vLLM joins them.
_SEPARATOR = "\n"
_FUNCTIONS = "functions."
# Bare recipients that are not function names: the built-in tools, and the
# `functions` namespace without a name.
_NOT_FUNCTIONS = frozenset({"python", "browser", "container", "functions"})
_NOT_RECIPIENTS = frozenset({"all", "assistant", "user", "system", "developer"})
# OpenAI's rule for function names; a bare recipient that fits it is taken for one.
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CONTENT_CHANNELS = frozenset({"final", "commentary"})


def new_tool_call_id() -> str:
    return "call_" + secrets.token_hex(12)


def route(role: Role, name: Optional[str], channel: Optional[str], recipient: Optional[str]):
    """Where a message's text goes: REASONING, CONTENT, DROPPED, or ("call", function name)."""
    if role is not Role.ASSISTANT:
        # A header that opens with a tool's name, `<|start|>functions.x<|channel|>
        # commentary json<|message|>`, is a call with the recipient in the role's
        # place; the same header addressed `to=assistant` is the model imitating
        # the tool's answer, and anything else is not the assistant's to say.
        if role is Role.TOOL and recipient != "assistant":
            function = _function_name(name)
            if function:
                return ("call", function)
        return DROPPED
    if recipient is None or recipient in _NOT_RECIPIENTS or "<|" in recipient:
        # `to=all` addresses no one (the reference renders it so); a content
        # type misread as a recipient (`<|constrain|>json` alone) is none either.
        return CONTENT if channel in _CONTENT_CHANNELS else REASONING
    function = _function_name(recipient)
    if function:
        return ("call", function)
    if "." not in recipient and recipient not in _NOT_FUNCTIONS and _FUNCTION_NAME.fullmatch(recipient):
        return ("call", recipient)  # `to=get_weather`, without its namespace
    return REASONING  # a built-in tool (python, browser.*), or one the request cannot have declared


def _function_name(recipient: Optional[str]) -> Optional[str]:
    if recipient is not None and recipient.startswith(_FUNCTIONS):
        return recipient[len(_FUNCTIONS) :] or None
    return None


class ChatStream:
    """Chat Completions streaming deltas from the tokens a model generates after
    a `render_request` prompt (sans I/O: push tokens, read deltas).

    >>> stream = ChatStream(enc)
    >>> stream.push(enc.encode("<|channel|>final<|message|>Hi", allowed_special="all"))
    [{'role': 'assistant'}, {'content': 'Hi'}]
    >>> stream.push(enc.encode("!<|return|>", allowed_special="all"))
    [{'content': '!'}]
    >>> stream.finish()
    'stop'
    """

    __slots__ = ("_reader", "_started", "_route", "_first_text", "_written", "_tool_calls", "_finish_reason")

    def __init__(self, encoding) -> None:
        self._reader = TokenReader(encoding, Role.ASSISTANT)
        self._started = False
        self._route: Any = DROPPED  # the open message's route
        self._first_text = True  # no text of the open message sent yet
        self._written = {REASONING: False, CONTENT: False}  # whether a field has text yet
        self._tool_calls = 0
        self._finish_reason: Optional[str] = None

    def push(self, tokens) -> List[Dict[str, Any]]:
        """Feed one token id or many; return the deltas they produce (maybe none).

        The first call's first delta is `{"role": "assistant"}`.
        """
        if self._finish_reason is not None:
            raise HarmonyError("ChatStream.push after finish: start a new ChatStream")
        events = self._reader.feed(tokens)
        deltas: List[Dict[str, Any]] = []
        if not self._started:
            self._started = True
            deltas.append({_ASSISTANT_DELTA: "assistant"})
        for event in events:
            kind = type(event)
            if kind is TextAppended:
                self._send(event.text, deltas)
            elif kind is MessageOpened:
                self._open(event.header, deltas)
        return deltas

    def finish(self, truncated: bool = False) -> str:
        """End the stream; return the `finish_reason`: "length" when the model was
        cut off (`truncated`, e.g. by max_tokens), else "tool_calls" if it called
        a function, else "stop"."""
        if self._finish_reason is None:
            self._reader.finish()  # closes what is open; it has no text left
            if truncated:
                self._finish_reason = "length"
            else:
                self._finish_reason = "tool_calls" if self._tool_calls else "stop"
        return self._finish_reason

    # -- routing ------------------------------------------------------------------

    def _open(self, header, deltas) -> None:
        target = route(header.role, header.name, header.channel, header.recipient)
        if type(target) is tuple:
            index = self._tool_calls
            self._tool_calls += 1
            deltas.append(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": new_tool_call_id(),
                            "type": "function",
                            "function": {"name": target[1], "arguments": ""},
                        }
                    ]
                }
            )
            target = index
        self._route = target
        self._first_text = True

    def _send(self, text: str, deltas: List[Dict[str, Any]]) -> None:
        target = self._route
        if type(target) is int:
            deltas.append({"tool_calls": [{"index": target, "function": {"arguments": text}}]})
        elif target is not DROPPED:
            shown = text
            if self._first_text and self._written[target]:
                shown = _SEPARATOR + text  # this message's first text after an earlier message's
            self._written[target] = True
            deltas.append({target: shown})
        self._first_text = False


def join_deltas(deltas: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The message that a list of deltas adds up to, as a client accumulates them."""
    message: Dict[str, Any] = {"role": "assistant", CONTENT: None, REASONING: None}
    calls: List[Dict[str, Any]] = []
    for delta in deltas:
        for key, value in delta.items():
            if key == "tool_calls":
                for entry in value:
                    function = entry["function"]
                    if "id" in entry:
                        calls.append(
                            {
                                "id": entry["id"],
                                "type": "function",
                                "function": {"name": function["name"], "arguments": function["arguments"]},
                            }
                        )
                    else:
                        calls[entry["index"]]["function"]["arguments"] += function["arguments"]
            elif key != _ASSISTANT_DELTA:
                message[key] = value if message[key] is None else message[key] + value
    if calls:
        message["tool_calls"] = calls
    return message


def message_from_completion(encoding, tokens, *, truncated: bool = False) -> Dict[str, Any]:
    """The Chat Completions choice for the tokens a model generated after a
    `render_request` prompt (they begin inside the assistant's header):
    `{"index": 0, "message": {"role", "content", "reasoning_content",
    "tool_calls"?}, "finish_reason"}`. Pass `truncated=True` when generation
    stopped at max_tokens. Exactly what a ChatStream's deltas add up to.

    >>> choice = message_from_completion(enc, enc.encode(
    ...     '<|channel|>commentary to=functions.get_weather <|constrain|>json'
    ...     '<|message|>{"city":"Paris"}<|call|>', allowed_special="all"))
    >>> choice["finish_reason"], choice["message"]["tool_calls"][0]["function"]
    ('tool_calls', {'name': 'get_weather', 'arguments': '{"city":"Paris"}'})
    """
    stream = ChatStream(encoding)
    deltas = stream.push(tokens)
    finish_reason = stream.finish(truncated)
    return {"index": 0, "message": join_deltas(deltas), "finish_reason": finish_reason}
