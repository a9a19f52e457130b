# The Harmony data model: messages, contents, tool declarations, configs.
#
# Mirrors the pydantic layer of openai-harmony: the same class names, keyword
# constructors, defaults, class-method constructors and mutating `with_*`
# builders, and the same dict/JSON shapes (author flattened into `role` and
# `name`; content a list of typed parts, or a plain string on input).
#
# Classes are msgspec Structs. pydantic validates and coerces at construction
# (a role given as "user" becomes Role.USER, a dict becomes an Author); the
# `__post_init__` hooks do the same, raising HarmonyValueError — a ValueError,
# as pydantic's ValidationError is — that names the field. Like pydantic, they
# do not re-check attributes assigned later; the renderer guards those.
#
# Decoding from dicts and JSON goes through msgspec against "wire" Structs that
# have the flattened shape, so type errors carry their path (`$.messages[0].role`).

from __future__ import annotations

import collections
import enum
from typing import Any, Dict, List, Optional, Sequence, Union

import msgspec

from ._errors import HarmonyValueError, shown

__all__ = [
    "Author",
    "ChannelConfig",
    "Content",
    "Conversation",
    "DeveloperContent",
    "HarmonyEncodingName",
    "Message",
    "ReasoningEffort",
    "RenderConversationConfig",
    "RenderOptions",
    "Role",
    "SystemContent",
    "TextContent",
    "ToolDescription",
    "ToolNamespaceConfig",
]


class Role(str, enum.Enum):
    """The role of a message author."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    DEVELOPER = "developer"
    TOOL = "tool"

    @classmethod
    def _missing_(cls, value: object) -> "Role":
        raise HarmonyValueError(f"Unknown role: {shown(value, 200)}")


def role_argument(role) -> Role:
    """`role` as a Role, for calls that take one (a Role or its name)."""
    if isinstance(role, Role):
        return role
    try:
        return Role(role)
    except ValueError:  # ours, or the enum module's own when it cannot repr the value
        raise HarmonyValueError(f"unknown role: {shown(role)}") from None


class ReasoningEffort(str, enum.Enum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"

    @classmethod
    def _missing_(cls, value: object) -> "ReasoningEffort":
        raise HarmonyValueError(f"{shown(value)} is not a valid ReasoningEffort")


class HarmonyEncodingName(str, enum.Enum):
    HARMONY_GPT_OSS = "HarmonyGptOss"

    @classmethod
    def _missing_(cls, value: object) -> "HarmonyEncodingName":
        raise HarmonyValueError(f"{shown(value)} is not a valid HarmonyEncodingName")

    def __str__(self) -> str:
        return str(self.value)


# -- validation helpers (constructors) ----------------------------------------


def _fail(owner: str, field: str, expected: str, value: object) -> None:
    raise HarmonyValueError(
        f"{owner}.{field}: expected {expected}, got {type(value).__name__} {shown(value)}"
    )


def _check_str(owner: str, field: str, value: object) -> None:
    if type(value) is not str and not isinstance(value, str):
        _fail(owner, field, "str", value)


def _check_optional_str(owner: str, field: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        _fail(owner, field, "str or None", value)


# What pydantic's lax mode turns into a list, and into a bool.
_LIST_LIKE = (tuple, set, frozenset, collections.deque)
_BOOL_STRINGS = {
    **dict.fromkeys(("0", "off", "f", "false", "n", "no"), False),
    **dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True),
}


def _coerce_list(owner: str, field: str, expected: str, value: object) -> list:
    if type(value) is list:
        return value
    if isinstance(value, _LIST_LIKE):
        return list(value)
    _fail(owner, field, expected, value)


def _coerce_bool(owner: str, field: str, value: object) -> bool:
    if value is True or value is False:
        return value
    if type(value) in (int, float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _BOOL_STRINGS:
        return _BOOL_STRINGS[value.lower()]
    _fail(owner, field, "bool", value)


def _as_list(owner: str, field: str, expected: str, value: object) -> list:
    """A list from any iterable (pydantic takes tuples and generators for lists)."""
    if isinstance(value, (str, bytes, dict)):
        _fail(owner, field, expected, value)
    try:
        return list(value)
    except TypeError:
        _fail(owner, field, expected, value)


def _coerce_enum(owner: str, field: str, enum_type: type, value: object) -> Any:
    if isinstance(value, enum_type):
        return value
    try:
        return enum_type(value)
    except (ValueError, TypeError):
        if enum_type is Role:
            raise HarmonyValueError(f"{owner}.{field}: unknown role {shown(value)}") from None
        names = ", ".join(repr(m.value) for m in enum_type)
        raise HarmonyValueError(
            f"{owner}.{field}: expected one of {names}, got {shown(value)}"
        ) from None


def _coerce_struct(owner: str, field: str, struct_type: type, value: object) -> Any:
    """A Struct as given, or built from a dict of its fields (pydantic accepts both)."""
    if isinstance(value, struct_type):
        return value
    if isinstance(value, dict):
        try:
            return struct_type(**value)
        except TypeError as exc:
            raise HarmonyValueError(f"{owner}.{field}: {exc}") from None
    _fail(owner, field, struct_type.__name__, value)


def _coerce_tools(owner: str, value: object) -> Optional[Dict[str, "ToolNamespaceConfig"]]:
    if value is None:
        return None
    if not isinstance(value, dict):
        _fail(owner, "tools", "dict of ToolNamespaceConfig", value)
    coerced = None  # a copy, made only if something needs coercing: the caller's dict stays as it is
    for key, config in value.items():
        _check_str(owner, "tools key", key)
        if not isinstance(config, ToolNamespaceConfig):
            if coerced is None:
                coerced = dict(value)
            coerced[key] = _coerce_struct(owner, f"tools[{shown(key, 40)}]", ToolNamespaceConfig, config)
    return value if coerced is None else coerced


# -- authors and contents -----------------------------------------------------


class _ModelMeta(msgspec.StructMeta):
    """Reports a bad constructor call (a missing or unexpected argument) as
    HarmonyValueError, as pydantic reports it as a ValidationError (a
    ValueError), instead of Python's TypeError."""

    def __call__(cls, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except TypeError as exc:
            raise HarmonyValueError(f"{cls.__name__}: {exc}") from None


class Author(msgspec.Struct, metaclass=_ModelMeta):
    role: Role
    name: Optional[str] = None

    def __post_init__(self) -> None:
        if type(self.role) is not Role:
            self.role = _coerce_enum("Author", "role", Role, self.role)
        _check_optional_str("Author", "name", self.name)

    @classmethod
    def new(cls, role: Role, name: str) -> "Author":
        return cls(role=role, name=name)


class Content(msgspec.Struct, tag_field="type", metaclass=_ModelMeta):
    """Base of the content parts of a message."""

    def to_dict(self) -> Dict[str, Any]:
        raise NotImplementedError


class TextContent(Content, tag="text"):
    text: str

    def __post_init__(self) -> None:
        _check_str("TextContent", "text", self.text)

    def to_dict(self) -> Dict[str, Any]:
        return {"type": "text", "text": self.text}


class ToolDescription(msgspec.Struct, metaclass=_ModelMeta):
    name: str
    description: str
    parameters: Optional[dict] = None

    def __post_init__(self) -> None:
        _check_str("ToolDescription", "name", self.name)
        _check_str("ToolDescription", "description", self.description)
        if self.parameters is not None and not isinstance(self.parameters, dict):
            _fail("ToolDescription", "parameters", "dict or None", self.parameters)

    @classmethod
    def new(
        cls, name: str, description: str, parameters: Optional[dict] = None
    ) -> "ToolDescription":
        return cls(name=name, description=description, parameters=parameters)

    def _to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": self.name, "description": self.description}
        if self.parameters is not None:
            out["parameters"] = self.parameters
        return out


class ChannelConfig(msgspec.Struct, metaclass=_ModelMeta):
    valid_channels: List[str]
    channel_required: bool

    def __post_init__(self) -> None:
        self.valid_channels = _coerce_list(
            "ChannelConfig", "valid_channels", "list of str", self.valid_channels
        )
        for channel in self.valid_channels:
            _check_str("ChannelConfig", "valid_channels[]", channel)
        self.channel_required = _coerce_bool("ChannelConfig", "channel_required", self.channel_required)

    @classmethod
    def require_channels(cls, channels: List[str]) -> "ChannelConfig":
        return cls(
            valid_channels=_as_list("ChannelConfig", "valid_channels", "list of str", channels),
            channel_required=True,
        )


class ToolNamespaceConfig(msgspec.Struct, metaclass=_ModelMeta):
    name: str
    description: Optional[str] = None
    tools: List[ToolDescription] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        _check_str("ToolNamespaceConfig", "name", self.name)
        _check_optional_str("ToolNamespaceConfig", "description", self.description)
        self.tools = _coerce_list("ToolNamespaceConfig", "tools", "list of ToolDescription", self.tools)
        if not all(isinstance(tool, ToolDescription) for tool in self.tools):
            # A new list: the caller's stays as it is, as pydantic leaves it.
            self.tools = [
                tool
                if isinstance(tool, ToolDescription)
                else _coerce_struct("ToolNamespaceConfig", f"tools[{i}]", ToolDescription, tool)
                for i, tool in enumerate(self.tools)
            ]

    @staticmethod
    def browser() -> "ToolNamespaceConfig":
        from ._builtin_tools import browser_namespace

        return browser_namespace()

    @staticmethod
    def python() -> "ToolNamespaceConfig":
        from ._builtin_tools import python_namespace

        return python_namespace()

    def _to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": self.name}
        if self.description is not None:
            out["description"] = self.description
        out["tools"] = [tool._to_dict() for tool in self.tools]
        return out


def _default_channel_config() -> ChannelConfig:
    return ChannelConfig.require_channels(["analysis", "commentary", "final"])


def _tools_to_dict(tools: Dict[str, ToolNamespaceConfig]) -> Dict[str, Any]:
    return {key: config._to_dict() for key, config in tools.items()}


class SystemContent(Content, tag="system_content"):
    model_identity: Optional[str] = "You are ChatGPT, a large language model trained by OpenAI."
    reasoning_effort: Optional[ReasoningEffort] = ReasoningEffort.MEDIUM
    conversation_start_date: Optional[str] = None
    knowledge_cutoff: Optional[str] = "2024-06"
    channel_config: Optional[ChannelConfig] = msgspec.field(default_factory=_default_channel_config)
    tools: Optional[Dict[str, ToolNamespaceConfig]] = None

    def __post_init__(self) -> None:
        _check_optional_str("SystemContent", "model_identity", self.model_identity)
        if self.reasoning_effort is not None and type(self.reasoning_effort) is not ReasoningEffort:
            self.reasoning_effort = _coerce_enum(
                "SystemContent", "reasoning_effort", ReasoningEffort, self.reasoning_effort
            )
        _check_optional_str("SystemContent", "conversation_start_date", self.conversation_start_date)
        _check_optional_str("SystemContent", "knowledge_cutoff", self.knowledge_cutoff)
        if self.channel_config is not None:
            self.channel_config = _coerce_struct(
                "SystemContent", "channel_config", ChannelConfig, self.channel_config
            )
        self.tools = _coerce_tools("SystemContent", self.tools)

    @classmethod
    def new(cls) -> "SystemContent":
        return cls()

    def with_model_identity(self, model_identity: str) -> "SystemContent":
        self.model_identity = model_identity
        return self

    def with_reasoning_effort(self, reasoning_effort: ReasoningEffort) -> "SystemContent":
        self.reasoning_effort = reasoning_effort
        return self

    def with_conversation_start_date(self, conversation_start_date: str) -> "SystemContent":
        self.conversation_start_date = conversation_start_date
        return self

    def with_knowledge_cutoff(self, knowledge_cutoff: str) -> "SystemContent":
        self.knowledge_cutoff = knowledge_cutoff
        return self

    def with_channel_config(self, channel_config: ChannelConfig) -> "SystemContent":
        self.channel_config = channel_config
        return self

    def with_required_channels(self, channels: List[str]) -> "SystemContent":
        self.channel_config = ChannelConfig.require_channels(channels)
        return self

    def with_tools(self, ns_config: ToolNamespaceConfig) -> "SystemContent":
        if not isinstance(ns_config, ToolNamespaceConfig):
            _fail(type(self).__name__, "tools[]", "ToolNamespaceConfig", ns_config)
        if self.tools is None:
            self.tools = {}
        self.tools[ns_config.name] = ns_config
        return self

    def with_browser_tool(self) -> "SystemContent":
        return self.with_tools(ToolNamespaceConfig.browser())

    def with_python_tool(self) -> "SystemContent":
        return self.with_tools(ToolNamespaceConfig.python())

    def to_dict(self) -> Dict[str, Any]:
        # The reference's `model_dump(exclude_none=True)` plus the tag, in field order.
        out: Dict[str, Any] = {}
        if self.model_identity is not None:
            out["model_identity"] = self.model_identity
        if self.reasoning_effort is not None:
            out["reasoning_effort"] = self.reasoning_effort
        if self.conversation_start_date is not None:
            out["conversation_start_date"] = self.conversation_start_date
        if self.knowledge_cutoff is not None:
            out["knowledge_cutoff"] = self.knowledge_cutoff
        if self.channel_config is not None:
            out["channel_config"] = {
                "valid_channels": list(self.channel_config.valid_channels),
                "channel_required": self.channel_config.channel_required,
            }
        if self.tools is not None:
            out["tools"] = _tools_to_dict(self.tools)
        out["type"] = "system_content"
        return out

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "SystemContent":
        return _convert(raw, SystemContent, "SystemContent")


class DeveloperContent(Content, tag="developer_content"):
    instructions: Optional[str] = None
    tools: Optional[Dict[str, ToolNamespaceConfig]] = None

    def __post_init__(self) -> None:
        _check_optional_str("DeveloperContent", "instructions", self.instructions)
        self.tools = _coerce_tools("DeveloperContent", self.tools)

    @classmethod
    def new(cls) -> "DeveloperContent":
        return cls()

    def with_instructions(self, instructions: str) -> "DeveloperContent":
        self.instructions = instructions
        return self

    def with_tools(self, ns_config: ToolNamespaceConfig) -> "DeveloperContent":
        if not isinstance(ns_config, ToolNamespaceConfig):
            _fail(type(self).__name__, "tools[]", "ToolNamespaceConfig", ns_config)
        if self.tools is None:
            self.tools = {}
        self.tools[ns_config.name] = ns_config
        return self

    def with_function_tools(self, tools: Sequence[ToolDescription]) -> "DeveloperContent":
        tools = _as_list("DeveloperContent", "function tools", "list of ToolDescription", tools)
        return self.with_tools(ToolNamespaceConfig(name="functions", description=None, tools=tools))

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if self.instructions is not None:
            out["instructions"] = self.instructions
        if self.tools is not None:
            out["tools"] = _tools_to_dict(self.tools)
        out["type"] = "developer_content"
        return out

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "DeveloperContent":
        return _convert(raw, DeveloperContent, "DeveloperContent")


# -- messages and conversations -----------------------------------------------


class Message(msgspec.Struct, metaclass=_ModelMeta):
    author: Author
    content: List[Content] = msgspec.field(default_factory=list)
    channel: Optional[str] = None
    recipient: Optional[str] = None
    content_type: Optional[str] = None

    def __post_init__(self) -> None:
        if type(self.author) is not Author:
            self.author = _coerce_struct("Message", "author", Author, self.author)
        if type(self.content) is not list:
            self.content = _coerce_list("Message", "content", "list of Content", self.content)
        for part in self.content:
            if not isinstance(part, Content):
                _fail("Message", "content[]", "TextContent, SystemContent or DeveloperContent", part)
        _check_optional_str("Message", "channel", self.channel)
        _check_optional_str("Message", "recipient", self.recipient)
        _check_optional_str("Message", "content_type", self.content_type)

    @classmethod
    def from_author_and_content(cls, author: Author, content: Union[str, Content]) -> "Message":
        if isinstance(content, str):
            content = TextContent(text=content)
        return cls(author=author, content=[content])

    @classmethod
    def from_role_and_content(cls, role: Role, content: Union[str, Content]) -> "Message":
        return cls.from_author_and_content(Author(role=role), content)

    @classmethod
    def from_role_and_contents(cls, role: Role, contents: Sequence[Content]) -> "Message":
        contents = _as_list("Message", "content", "list of Content", contents)
        return cls(author=Author(role=role), content=contents)

    def adding_content(self, content: Union[str, Content]) -> "Message":
        if isinstance(content, str):
            content = TextContent(text=content)
        elif not isinstance(content, Content):
            _fail("Message", "content[]", "str, TextContent, SystemContent or DeveloperContent", content)
        self.content.append(content)
        return self

    def with_channel(self, channel: str) -> "Message":
        self.channel = channel
        return self

    def with_recipient(self, recipient: str) -> "Message":
        self.recipient = recipient
        return self

    def with_content_type(self, content_type: str) -> "Message":
        self.content_type = content_type
        return self

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "role": self.author.role,
            "name": self.author.name,
            "content": [part.to_dict() for part in self.content],
        }
        if self.channel is not None:
            out["channel"] = self.channel
        if self.recipient is not None:
            out["recipient"] = self.recipient
        if self.content_type is not None:
            out["content_type"] = self.content_type
        return out

    def to_json(self) -> str:
        return _to_json(self)

    def _repr_html_(self) -> str:  # notebooks: its tokens, see fastharmony.html_view
        return _html_fragment(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Message":
        return _convert(data, _WireMessage, "Message").to_message()

    @classmethod
    def from_json(cls, payload: Union[str, bytes]) -> "Message":
        return _decode_json(payload, _WireMessage, "Message").to_message()


class Conversation(msgspec.Struct, metaclass=_ModelMeta):
    messages: List[Message] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        if type(self.messages) is not list:
            self.messages = _as_list("Conversation", "messages", "list of Message", self.messages)
        for i, message in enumerate(self.messages):
            if type(message) is not Message:
                _fail("Conversation", f"messages[{i}]", "Message", message)

    @classmethod
    def from_messages(cls, messages: Sequence[Message]) -> "Conversation":
        return cls(messages=_as_list("Conversation", "messages", "list of Message", messages))

    def __iter__(self):
        return iter(self.messages)

    def to_dict(self) -> Dict[str, Any]:
        return {"messages": [message.to_dict() for message in self.messages]}

    def to_json(self) -> str:
        return _to_json(self)

    def _repr_html_(self) -> str:  # notebooks: its tokens, see fastharmony.html_view
        return _html_fragment(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Conversation":
        return _convert(data, _WireConversation, "Conversation").to_conversation()

    @classmethod
    def from_json(cls, payload: Union[str, bytes]) -> "Conversation":
        return _decode_json(payload, _WireConversation, "Conversation").to_conversation()


class RenderConversationConfig(msgspec.Struct, metaclass=_ModelMeta):
    auto_drop_analysis: bool = True

    def __post_init__(self) -> None:
        self.auto_drop_analysis = _coerce_bool(
            "RenderConversationConfig", "auto_drop_analysis", self.auto_drop_analysis
        )


class RenderOptions(msgspec.Struct, metaclass=_ModelMeta):
    conversation_has_function_tools: bool = False

    def __post_init__(self) -> None:
        self.conversation_has_function_tools = _coerce_bool(
            "RenderOptions", "conversation_has_function_tools", self.conversation_has_function_tools
        )


# -- the wire shape (dicts and JSON) -------------------------------------------

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


def _explain(exc: msgspec.ValidationError, what: str) -> HarmonyValueError:
    # msgspec says "Invalid enum value 'wizard' - at `$.messages[0].role`"; we
    # say "messages[0].role: unknown role 'wizard'", path first, as the CLI prints it.
    message = str(exc)
    problem, sep, where = message.rpartition(" - at `")
    if not sep:
        return HarmonyValueError(f"invalid {what}: {message}")
    where = where.rstrip("`")
    key, in_container, container = where.partition("` in `")
    if in_container:  # "Expected `str` - at `key` in `$.messages[0]`": a bad key
        where = container
        problem += f" for a {key}"
    path = where.removeprefix("$").removeprefix(".") or what
    if path.endswith("role") and problem.startswith("Invalid enum value"):
        problem = "unknown role " + problem.removeprefix("Invalid enum value ")
    elif path.endswith(".type") and problem.startswith("Invalid value"):
        problem = "unknown content type " + problem.removeprefix("Invalid value ")
    return HarmonyValueError(f"{path}: {problem[:1].lower()}{problem[1:]}")


def _to_json(value: Union[Message, Conversation]) -> str:
    # Constructors take what JSON cannot hold (lone surrogates, NaN aside:
    # msgspec writes null) and attributes can be reassigned: refuse it here.
    what = type(value).__name__
    try:
        return msgspec.json.encode(value.to_dict()).decode()
    except RecursionError:
        raise HarmonyValueError(
            f"{what} cannot be written as JSON: nested too deep, or it contains itself"
        ) from None
    except (msgspec.EncodeError, TypeError, ValueError, AttributeError) as exc:
        # ValueError: UnicodeEncodeError, a lone surrogate in some text.
        raise HarmonyValueError(f"{what} cannot be written as JSON: {exc}") from None


def _convert(data: Any, wire_type: type, what: str) -> Any:
    try:
        return msgspec.convert(data, wire_type, strict=True)
    except msgspec.ValidationError as exc:
        raise _explain(exc, what) from None
    except RecursionError:
        raise HarmonyValueError(f"invalid {what}: nested too deep") from None
    except UnicodeError as exc:  # msgspec encodes a str it cannot use to UTF-8 first
        raise HarmonyValueError(f"invalid {what}: {exc}") from None


def _decode_json(payload: Union[str, bytes], wire_type: type, what: str) -> Any:
    try:
        return msgspec.json.decode(payload, type=wire_type)
    except msgspec.ValidationError as exc:
        raise _explain(exc, what) from None
    except RecursionError:  # msgspec recurses once per level of nesting
        raise HarmonyValueError(f"invalid {what} JSON: nested too deep") from None
    except (msgspec.DecodeError, TypeError, UnicodeError) as exc:
        # UnicodeError: a str holding a lone surrogate, bytes that are not UTF-8.
        raise HarmonyValueError(f"invalid {what} JSON: {exc}") from None


def _html_fragment(item) -> str:
    from ._html import html_fragment  # _html renders, so it imports this module

    return html_fragment(item)
