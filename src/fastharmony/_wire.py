# Messages and conversations to and from the reference's dict and JSON shapes.
#
# Rules of this file:
# - Writing: `to_json` is `json.dumps(obj.to_dict())`, as the reference writes
#   it (its separators, ASCII escapes, key order), so the bytes are the same.
# - Reading: dicts and JSON are decoded by msgspec against "wire" Structs of
#   the flattened shape (role and name beside the content), so a type error
#   carries its path (`$.messages[0].role`); _errors.explain_msgspec turns it
#   into our wording. The wire Structs then build the data-model objects.

from __future__ import annotations

import json
from typing import Any, List, Optional, Union

import msgspec

from ._errors import HarmonyValueError, explain_msgspec, validation_error
from ._lax import Invalid
from ._model import (
    Author,
    Conversation,
    DeveloperContent,
    Message,
    Role,
    SystemContent,
    TextContent,
)

__all__ = [
    "conversation_from_dict",
    "conversation_from_json",
    "convert",
    "message_from_dict",
    "message_from_json",
    "to_json",
]

_ContentPart = Union[TextContent, SystemContent, DeveloperContent]


class _WireMessage(msgspec.Struct):
    role: Role
    content: Union[str, List[_ContentPart]]
    name: Optional[str] = None
    channel: Optional[str] = None
    recipient: Optional[str] = None
    content_type: Optional[str] = None

    def to_message(self) -> Message:
        content = self.content
        if type(content) is str:
            content = [TextContent(text=content)]
        return Message(
            author=Author(role=self.role, name=self.name),
            content=content,
            channel=self.channel,
            recipient=self.recipient,
            content_type=self.content_type,
        )


class _WireConversation(msgspec.Struct):
    messages: List[_WireMessage]

    def to_conversation(self) -> Conversation:
        return Conversation(messages=[wire.to_message() for wire in self.messages])


def to_json(value: Union[Message, Conversation]) -> str:
    what = type(value).__name__
    try:
        return json.dumps(value.to_dict())
    except RecursionError:
        raise HarmonyValueError(f"{what} cannot be written as JSON: nested too deep, or it contains itself") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise HarmonyValueError(f"{what} cannot be written as JSON: {exc}") from None


def convert(data: Any, wire_type: type, what: str) -> Any:
    try:
        return msgspec.convert(data, wire_type, strict=True)
    except msgspec.ValidationError as exc:
        raise explain_msgspec(exc, what) from None
    except Invalid as invalid:  # a data-model __post_init__ refused a value
        raise validation_error(what, invalid.errors) from None
    except RecursionError:
        raise HarmonyValueError(f"invalid {what}: nested too deep") from None
    except UnicodeError as exc:  # msgspec encodes a str it cannot use to UTF-8 first
        raise HarmonyValueError(f"invalid {what}: {exc}") from None


def _decode_json(payload: Union[str, bytes], wire_type: type, what: str) -> Any:
    try:
        return msgspec.json.decode(payload, type=wire_type)
    except msgspec.ValidationError as exc:
        raise explain_msgspec(exc, what) from None
    except Invalid as invalid:
        raise validation_error(what, invalid.errors) from None
    except RecursionError:  # msgspec recurses once per level of nesting
        raise HarmonyValueError(f"invalid {what} JSON: nested too deep") from None
    except (msgspec.DecodeError, TypeError, UnicodeError) as exc:
        # UnicodeError: a str holding a lone surrogate, bytes that are not UTF-8.
        raise HarmonyValueError(f"invalid {what} JSON: {exc}") from None


def message_from_dict(data: Any) -> Message:
    return convert(data, _WireMessage, "Message").to_message()


def message_from_json(payload: Union[str, bytes]) -> Message:
    return _decode_json(payload, _WireMessage, "Message").to_message()


def conversation_from_dict(data: Any) -> Conversation:
    return convert(data, _WireConversation, "Conversation").to_conversation()


def conversation_from_json(payload: Union[str, bytes]) -> Conversation:
    return _decode_json(payload, _WireConversation, "Conversation").to_conversation()
