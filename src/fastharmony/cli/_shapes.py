# The JSON shapes of messages the CLI accepts, checked before the API sees them.
#
# Rules of this file:
# - The CLI is stricter than the Python API: a key the shape does not have
#   (`"chanel": "final"`) is refused with its path (`messages[0].chanel`),
#   where the API, like the reference's pydantic layer, ignores it and the
#   message silently renders without a channel. The Python API keeps that
#   leniency; only the CLI's input goes through here.
# - harmony-go's shapes mean what they say: a system or developer part nested
#   under its type's name (`{"type": "system_content", "system_content":
#   {...}}`) is the same part written flat, and a reasoning effort in lower
#   case (`"high"`) is the reference's `"High"`. They become the reference's
#   shape here, so everything after sees one shape.
# - The keys are the data model's fields (msgspec.structs.fields of the
#   public classes), so a field added there is accepted here.
# - Values are not judged here: a wrong type or an unknown role is left for
#   the API, whose errors already name the path.

from __future__ import annotations

import difflib
from typing import Any, Dict, FrozenSet

import msgspec

from fastharmony import ChannelConfig, DeveloperContent, SystemContent, TextContent, ToolDescription, ToolNamespaceConfig

from ._io import BadInput


def _fields(struct: type) -> FrozenSet[str]:
    return frozenset(field.encode_name for field in msgspec.structs.fields(struct))


# A message on the wire: the author flattened into role and name.
MESSAGE_KEYS = frozenset({"role", "name", "content", "channel", "recipient", "content_type"})
PART_KEYS: Dict[str, FrozenSet[str]] = {
    "text": _fields(TextContent) | {"type"},
    "system_content": _fields(SystemContent) | {"type"},
    "developer_content": _fields(DeveloperContent) | {"type"},
}
CHANNEL_CONFIG_KEYS = _fields(ChannelConfig)
NAMESPACE_KEYS = _fields(ToolNamespaceConfig)
TOOL_KEYS = _fields(ToolDescription)  # `parameters` is a JSON Schema: any keys
EFFORTS = {"low": "Low", "medium": "Medium", "high": "High"}  # harmony-go's spelling → the reference's


def _refuse_unknown(value: Dict[str, Any], known: FrozenSet[str], path: str) -> None:
    for key in value:
        if key not in known:
            shown = key if isinstance(key, str) else repr(key)
            where = f"{path}.{shown}" if path else shown
            close = difflib.get_close_matches(shown, known, n=1)
            advice = f"did you mean '{close[0]}'? " if close else ""
            raise BadInput(f"{where}: unknown key ({advice}the keys here are: {', '.join(sorted(known))})")


def conversation(value: Any) -> Any:
    """A conversation as the API reads it; unknown keys refused."""
    if isinstance(value, dict):
        _refuse_unknown(value, frozenset({"messages"}), "")
        messages = value.get("messages")
        if isinstance(messages, list):
            value = {"messages": messages_(messages, "messages")}
    return value


def messages_(values: Any, path: str = "messages") -> Any:
    """A list of messages as the API reads it; unknown keys refused."""
    if not isinstance(values, list):
        return values
    return [message(item, f"{path}[{index}]") for index, item in enumerate(values)]


def message(value: Any, path: str = "") -> Any:
    """One message as the API reads it: harmony-go's shapes become the
    reference's, unknown keys are refused with their path."""
    if not isinstance(value, dict):
        return value
    _refuse_unknown(value, MESSAGE_KEYS, path)
    content = value.get("content")
    if isinstance(content, list):
        where = f"{path}.content" if path else "content"
        value = dict(value, content=[_part(part, f"{where}[{index}]") for index, part in enumerate(content)])
    return value


def _part(part: Any, path: str) -> Any:
    if not isinstance(part, dict):
        return part
    kind = part.get("type")
    known = PART_KEYS.get(kind) if isinstance(kind, str) else None
    if known is None:
        return part  # the API names an unknown or missing type
    nested = part.get(kind)
    if kind != "text" and isinstance(nested, dict):  # harmony-go: {"type": T, T: {...}}
        _refuse_unknown({key: None for key in part if key != kind}, frozenset({"type"}), path)
        path = f"{path}.{kind}"
        part = {**nested, "type": kind}
    _refuse_unknown(part, known, path)
    if isinstance(part.get("reasoning_effort"), str) and part["reasoning_effort"] in EFFORTS:
        part = dict(part, reasoning_effort=EFFORTS[part["reasoning_effort"]])
    config = part.get("channel_config")
    if isinstance(config, dict):
        _refuse_unknown(config, CHANNEL_CONFIG_KEYS, f"{path}.channel_config")
    tools = part.get("tools")
    if isinstance(tools, dict):
        for name, namespace in tools.items():
            where = f"{path}.tools.{name}"
            if isinstance(namespace, dict):
                _refuse_unknown(namespace, NAMESPACE_KEYS, where)
                listed = namespace.get("tools")
                if isinstance(listed, list):
                    for index, tool in enumerate(listed):
                        if isinstance(tool, dict):
                            _refuse_unknown(tool, TOOL_KEYS, f"{where}.tools[{index}]")
    return part
