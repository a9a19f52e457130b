# What a training corpus may hold, turned into Conversations.
#
# Rules of this file:
# - source "harmony": a `Conversation`, a list of `Message`s, or its JSON
#   (a dict, str or bytes, as `Conversation.to_json` writes it).
# - source "openai": a Chat Completions record (`{"messages": [...], "tools":
#   [...]}`, assistant messages with `reasoning_content` and `tool_calls`),
#   as a dict, str or bytes, converted by the chat adapter's request rules
#   (`fastharmony.chat.conversation_from_request`) with a date the caller
#   fixes: a corpus must not render differently depending on the day.
# - One difference from a request: a record is a transcript to learn from,
#   so no reasoning is left out at conversion (a request drops the reasoning
#   that led to a final answer, as a prompt for the next turn should). What
#   history is rendered is the mask's `history_analysis` policy, applied to
#   both sources alike.

from __future__ import annotations

import datetime
from typing import Any, Union

import msgspec

from .._errors import HarmonyValueError, shown
from .._model import Conversation, Message, Role
from ..chat import conversation_from_request

SOURCES = ("harmony", "openai")

# The request rules put an assistant message's text on `final`, and drop the
# reasoning that led to a final answer. Converting each such message with a
# placeholder tool call instead puts its text on `commentary` (a preamble)
# and keeps all reasoning; the placeholder call is then removed and the
# preamble put back on `final`. No function is named like this.
_PLACEHOLDER = "\x00fastharmony-final-answer"
_PLACEHOLDER_RECIPIENT = "functions." + _PLACEHOLDER
_ASSISTANT = Role.ASSISTANT


def check_source(source: str, start_date) -> None:
    if source not in SOURCES:
        raise HarmonyValueError(f"source: expected 'harmony' or 'openai', got {shown(source)}")
    if source == "openai" and start_date is None:
        raise HarmonyValueError(
            "start_date is required for OpenAI chat records: it is the date of their system "
            "message, and today's date would make the tokens depend on the day they are rendered"
        )


def to_conversation(item: Any, source: str = "harmony", start_date: Union[str, datetime.date, None] = None) -> Conversation:
    """The Conversation an item of a corpus stands for (see the file's rules).

    >>> to_conversation('{"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]}')
    Conversation(messages=[Message(author=Author(role=<Role.USER: 'user'>, name=None), content=[TextContent(text='Hi')], channel=None, recipient=None, content_type=None)])
    """
    if source == "openai":
        if isinstance(item, (str, bytes, bytearray, memoryview)):
            item = _json(item)
        if not isinstance(item, dict):
            raise HarmonyValueError(f"expected an OpenAI chat record (a JSON object), got {type(item).__name__}")
        return _from_openai(item, start_date)
    if isinstance(item, Conversation):
        return item
    if isinstance(item, (list, tuple)) and all(isinstance(message, Message) for message in item):
        return Conversation.from_messages(list(item))
    if isinstance(item, (str, bytes, bytearray, memoryview)):
        return Conversation.from_json(bytes(item) if not isinstance(item, (str, bytes)) else item)
    if isinstance(item, dict):
        return Conversation.from_dict(item)
    raise HarmonyValueError(
        f"expected a Conversation, its JSON or a list of Messages, got {type(item).__name__}"
    )


def _json(data) -> Any:
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise HarmonyValueError(f"invalid JSON: {exc}") from None


def _from_openai(record: dict, start_date) -> Conversation:
    messages = record.get("messages")
    placed = False
    if isinstance(messages, list):
        patched = []
        for message in messages:
            if isinstance(message, dict) and message.get("role") == "assistant" and not message.get("tool_calls"):
                placeholder = {"type": "function", "function": {"name": _PLACEHOLDER, "arguments": ""}}
                message = {**message, "tool_calls": [placeholder]}
                placed = True
            patched.append(message)
        if placed:
            record = {**record, "messages": patched}
    conversation = conversation_from_request(record, start_date=start_date)
    if not placed:
        return conversation
    out = []
    for message in conversation.messages:
        if message.recipient == _PLACEHOLDER_RECIPIENT and message.author.role is _ASSISTANT:
            previous = out[-1] if out else None
            # The message's text, if it had any, is the preamble just before.
            if (
                previous is not None
                and previous.author.role is _ASSISTANT
                and previous.channel == "commentary"
                and previous.recipient is None
            ):
                previous.channel = "final"
            continue
        out.append(message)
    return Conversation.from_messages(out)
