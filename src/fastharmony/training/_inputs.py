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
#   so no reasoning is left out at conversion (`keep_reasoning=True`; a request
#   drops the reasoning that led to a final answer, as a prompt for the next
#   turn should). What history is rendered is the mask's `history_analysis`
#   policy, applied to both sources alike.

from __future__ import annotations

import datetime
from typing import Any, Union

import msgspec

from .._errors import HarmonyValueError, shown
from .._model import Conversation, Message
from ..chat import conversation_from_request

SOURCES = ("harmony", "openai")


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
        return conversation_from_request(item, start_date=start_date, keep_reasoning=True)
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

