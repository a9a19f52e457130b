# The Harmony data model: messages, contents, tool declarations, configs.
#
# Mirrors the pydantic layer of openai-harmony: the same class names, keyword
# constructors, defaults, class-method constructors and mutating `with_*`
# builders, the same dict/JSON shapes (author flattened into `role` and
# `name`; content a list of typed parts, or a plain string on input), and the
# BaseModel methods its classes carry (`model_dump`, `model_validate`, ...;
# see _pydantic).
#
# Rules of this file:
# - Classes are msgspec Structs. Their constructors coerce as pydantic's lax
#   mode does (`_lax`): a role given as "user" becomes Role.USER, a dict
#   becomes an Author, unknown keyword arguments are ignored, bad values raise
#   pydantic's ValidationError (a ValueError; see _errors.validation_error)
#   naming the field. Like pydantic, nothing re-checks attributes assigned
#   later; the renderer guards those.
# - The `with_*` builders assign without validating, as the reference's do,
#   except that a str enum given for a str field is stored as its string.
# - Dicts and JSON: `to_dict`/`to_json` write the reference's shapes and
#   bytes; `from_dict`/`from_json` decode through _wire.

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Union

import msgspec

from . import _lax
from ._errors import HarmonyValueError, shown, unknown_role, validation_error
from ._lax import Invalid
from ._pydantic import PydanticMethods

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
    """The role of a message author; a str, equal to its value.

    >>> Role("assistant") is Role.ASSISTANT, Role.USER == "user"
    (True, True)
    """

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    DEVELOPER = "developer"
    TOOL = "tool"

    @classmethod
    def _missing_(cls, value: object) -> "Role":
        raise unknown_role(value)


def role_argument(role: Any) -> Role:
    """`role` as a Role, for calls that take one (a Role or its name).

    >>> role_argument("user")
    <Role.USER: 'user'>
    """
    if isinstance(role, Role):
        return role
    try:
        return Role(role)
    except ValueError:  # ours, or the enum module's own when it cannot repr the value
        raise unknown_role(role) from None


class ReasoningEffort(str, enum.Enum):
    """How hard the model thinks, as the system message states it.

    >>> SystemContent.new().with_reasoning_effort(ReasoningEffort.HIGH).reasoning_effort.value
    'High'
    """

    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"

    @classmethod
    def _missing_(cls, value: object) -> "ReasoningEffort":
        raise HarmonyValueError(f"{shown(value)} is not a valid ReasoningEffort")


class HarmonyEncodingName(str, enum.Enum):
    """Names of the encodings `load_harmony_encoding` knows.

    >>> str(HarmonyEncodingName.HARMONY_GPT_OSS)
    'HarmonyGptOss'
    """

    HARMONY_GPT_OSS = "HarmonyGptOss"

    @classmethod
    def _missing_(cls, value: object) -> "HarmonyEncodingName":
        raise HarmonyValueError(f"{shown(value)} is not a valid HarmonyEncodingName")

    def __str__(self) -> str:
        return str(self.value)


# -- construction -------------------------------------------------------------------


def _construct(cls: type, args: tuple, kwargs: Dict[str, Any]) -> Any:
    """`cls(*args, **kwargs)` as pydantic builds a model: unknown keyword
    arguments ignored, missing ones reported as pydantic's `missing` errors.
    Raises Invalid (the caller decides where the errors are located)."""
    try:
        return msgspec.StructMeta.__call__(cls, *args, **kwargs)
    except TypeError as exc:
        problem = str(exc)
        names = cls.__struct_fields__
        if problem.startswith("Unexpected keyword argument"):
            known = {key: value for key, value in kwargs.items() if key in names}
            return _construct(cls, args, known)
        if problem.startswith("Missing required argument"):
            given = set(names[: len(args)]) | set(kwargs)
            raise Invalid(
                [
                    {"type": "missing", "loc": (field.name,), "input": dict(kwargs)}
                    for field in msgspec.structs.fields(cls)
                    if field.required and field.name not in given
                ]
            ) from None
        raise HarmonyValueError(f"{cls.__name__}: {problem}") from None


def _from_mapping(cls: type, mapping: Any) -> Any:
    return _construct(cls, (), _lax.mapping_arguments(mapping))


class _ModelMeta(msgspec.StructMeta):
    """Builds instances as pydantic does (see `_construct`), reporting bad
    arguments as one pydantic ValidationError (a ValueError) for the class."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return msgspec.StructMeta.__call__(cls, *args, **kwargs)
        except Invalid as invalid:
            raise validation_error(cls.__name__, invalid.errors) from None
        except TypeError:  # missing or unknown arguments: the slow path sorts them out
            try:
                return _construct(cls, args, kwargs)
            except Invalid as invalid:
                raise validation_error(cls.__name__, invalid.errors) from None


class _Model(PydanticMethods, msgspec.Struct, metaclass=_ModelMeta):
    """Base of the data-model classes (no fields)."""


def _required(name: str) -> Any:
    """A default factory for a field the reference requires, where a Struct
    field without a default cannot follow fields with one: it reports the
    field missing, as pydantic does."""

    def missing() -> Any:
        raise Invalid([{"type": "missing", "loc": (name,), "input": {}}])

    missing.required = True  # type: ignore[attr-defined]  # read by _pydantic
    return missing


def _model(value: Any, loc: tuple, model: type) -> Any:
    return _lax.as_model(value, loc, model, _from_mapping)


def _check_builder_argument(value: Any, expected: type, builder: str) -> None:
    # The reference fails later (an AttributeError, or a message its JSON
    # layer cannot write): say what is wrong where it happens.
    if not isinstance(value, expected):
        raise HarmonyValueError(
            f"{builder}: expected {expected.__name__}, got {type(value).__name__} {shown(value)}"
        )


def _builder_list(values: Any, builder: str) -> list:
    # `list(values)`, as the reference's builders take any iterable.
    if isinstance(values, (str, bytes, dict)):
        raise HarmonyValueError(f"{builder}: expected a list, got {type(values).__name__} {shown(values)}")
    try:
        return list(values)
    except TypeError:
        raise HarmonyValueError(f"{builder}: expected a list, got {type(values).__name__} {shown(values)}") from None


def _plain(value: Any) -> Any:
    # A str enum given to a builder of a str field is stored as its string.
    if type(value) is not str and isinstance(value, enum.Enum) and isinstance(value, str):
        return value.value
    return value


# -- authors and contents -----------------------------------------------------------


class Author(_Model):
    """Who wrote a message: a role, and for tools a name (`functions.get_weather`).

    >>> Author.new(Role.TOOL, "functions.get_weather")
    Author(role=<Role.TOOL: 'tool'>, name='functions.get_weather')
    >>> Author(role="user").role
    <Role.USER: 'user'>
    """

    role: Role
    name: Optional[str] = None

    def __post_init__(self) -> None:
        if type(self.role) is not Role:
            self.role = _lax.as_enum(self.role, ("role",), Role)
        if self.name is not None and type(self.name) is not str:
            self.name = _lax.as_str(self.name, ("name",))

    @classmethod
    def new(cls, role: Role, name: str) -> "Author":
        """An author with a role and a name.

        >>> Author.new(Role.USER, "Alice").name
        'Alice'
        """
        return cls(role=role, name=name)


class Content(_Model, tag_field="type"):
    """Base of the content parts of a message: TextContent, SystemContent,
    DeveloperContent.

    >>> isinstance(TextContent(text="Hi"), Content)
    True
    """

    def to_dict(self) -> Dict[str, Any]:
        """The part's dict shape (each kind of part writes its own).

        >>> [type(part).__name__ for part in Message.from_role_and_content(Role.USER, "Hi").content]
        ['TextContent']
        """
        raise NotImplementedError


class TextContent(Content, tag="text"):
    """A part of a message holding text.

    >>> TextContent(text="Hi").to_dict()
    {'type': 'text', 'text': 'Hi'}
    """

    text: str

    def __post_init__(self) -> None:
        if type(self.text) is not str:
            self.text = _lax.as_str(self.text, ("text",))

    def to_dict(self) -> Dict[str, Any]:
        """The reference's dict shape: `{"type": "text", "text": ...}`.

        >>> TextContent(text="x").to_dict()
        {'type': 'text', 'text': 'x'}
        """
        return {"type": "text", "text": self.text}


class ToolDescription(_Model):
    """A tool the model may call: name, description, JSON Schema of its parameters.

    >>> tool = ToolDescription.new("get_weather", "Gets the weather.", {"type": "object"})
    >>> tool.name, tool.parameters
    ('get_weather', {'type': 'object'})
    """

    name: str
    description: str
    if TYPE_CHECKING:
        parameters: Optional[Dict[str, Any]] = None
    else:  # any mapping, as the reference's `Optional[dict]` (and its JSON schema)
        parameters: Optional[dict] = None

    def __post_init__(self) -> None:
        if type(self.name) is not str:
            self.name = _lax.as_str(self.name, ("name",))
        if type(self.description) is not str:
            self.description = _lax.as_str(self.description, ("description",))
        if self.parameters is not None:
            self.parameters = _lax.as_dict(self.parameters, ("parameters",))

    @classmethod
    def new(cls, name: str, description: str, parameters: Optional[Dict[str, Any]] = None) -> "ToolDescription":
        """A tool description from its three fields.

        >>> ToolDescription.new("f", "Does f.").parameters is None
        True
        """
        return cls(name=name, description=description, parameters=parameters)

    def _to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": self.name, "description": self.description}
        if self.parameters is not None:
            out["parameters"] = self.parameters
        return out


def _channel(value: Any, loc: tuple) -> str:
    return value if type(value) is str else _lax.as_str(value, loc)


class ChannelConfig(_Model):
    """The channels a system message declares, and whether one is required.

    >>> ChannelConfig.require_channels(["analysis", "final"])
    ChannelConfig(valid_channels=['analysis', 'final'], channel_required=True)
    """

    valid_channels: List[str]
    channel_required: bool

    def __post_init__(self) -> None:
        self.valid_channels = _lax.as_list_of(self.valid_channels, ("valid_channels",), _channel)
        if self.channel_required is not True and self.channel_required is not False:
            self.channel_required = _lax.as_bool(self.channel_required, ("channel_required",))

    @classmethod
    def require_channels(cls, channels: List[str]) -> "ChannelConfig":
        """A config requiring one of `channels` on every message.

        >>> ChannelConfig.require_channels(["final"]).channel_required
        True
        """
        return cls(valid_channels=channels, channel_required=True)


def _tool(value: Any, loc: tuple) -> "ToolDescription":
    return value if type(value) is ToolDescription else _model(value, loc, ToolDescription)


class ToolNamespaceConfig(_Model):
    """A namespace of tools (`functions`, `browser`, `python`) as a system or
    developer message declares it.

    >>> namespace = ToolNamespaceConfig(name="functions", tools=[ToolDescription.new("f", "Does f.")])
    >>> namespace.name, [tool.name for tool in namespace.tools]
    ('functions', ['f'])
    >>> ToolNamespaceConfig.browser().name
    'browser'
    """

    name: str
    description: Optional[str] = None
    tools: List[ToolDescription] = msgspec.field(default_factory=_required("tools"))

    def __post_init__(self) -> None:
        if type(self.name) is not str:
            self.name = _lax.as_str(self.name, ("name",))
        if self.description is not None and type(self.description) is not str:
            self.description = _lax.as_str(self.description, ("description",))
        self.tools = _lax.as_list_of(self.tools, ("tools",), _tool)

    @staticmethod
    def browser() -> "ToolNamespaceConfig":
        """The built-in `browser` namespace, exactly as the reference declares it.

        >>> [tool.name for tool in ToolNamespaceConfig.browser().tools]
        ['search', 'open', 'find']
        """
        from ._builtin_tools import BROWSER

        return _namespace(BROWSER)

    @staticmethod
    def python() -> "ToolNamespaceConfig":
        """The built-in `python` namespace, exactly as the reference declares it.

        >>> ToolNamespaceConfig.python().tools
        []
        """
        from ._builtin_tools import PYTHON

        return _namespace(PYTHON)

    def _to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": self.name}
        if self.description is not None:
            out["description"] = self.description
        out["tools"] = [tool._to_dict() for tool in self.tools]
        return out


def _namespace(spec: Dict[str, Any]) -> ToolNamespaceConfig:
    # Fresh objects on every call: callers may mutate what they get.
    return ToolNamespaceConfig(
        name=spec["name"],
        description=spec["description"],
        tools=[
            ToolDescription(
                name=tool["name"], description=tool["description"], parameters=_copy(tool["parameters"])
            )
            for tool in spec["tools"]
        ],
    )


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _namespace_config(value: Any, loc: tuple) -> ToolNamespaceConfig:
    return value if type(value) is ToolNamespaceConfig else _model(value, loc, ToolNamespaceConfig)


def _tools(value: Any, loc: tuple) -> Optional[Dict[str, ToolNamespaceConfig]]:
    if value is None:
        return None
    return _lax.as_str_keyed(value, loc, _namespace_config)


def _default_channel_config() -> ChannelConfig:
    return ChannelConfig.require_channels(["analysis", "commentary", "final"])


def _tools_to_dict(tools: Dict[str, ToolNamespaceConfig]) -> Dict[str, Any]:
    return {key: config._to_dict() for key, config in tools.items()}


class SystemContent(Content, tag="system_content"):
    """The content of the system message: identity, reasoning effort, dates,
    channels and built-in tools.

    >>> system = SystemContent.new().with_reasoning_effort(ReasoningEffort.LOW).with_conversation_start_date("2025-08-05")
    >>> print(enc.decode(enc.render(Message.from_role_and_content(Role.SYSTEM, system))))
    <|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.
    Knowledge cutoff: 2024-06
    Current date: 2025-08-05
    <BLANKLINE>
    Reasoning: low
    <BLANKLINE>
    # Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>
    """

    model_identity: Optional[str] = "You are ChatGPT, a large language model trained by OpenAI."
    reasoning_effort: Optional[ReasoningEffort] = ReasoningEffort.MEDIUM
    conversation_start_date: Optional[str] = None
    knowledge_cutoff: Optional[str] = "2024-06"
    channel_config: Optional[ChannelConfig] = msgspec.field(default_factory=_default_channel_config)
    tools: Optional[Dict[str, ToolNamespaceConfig]] = None

    def __post_init__(self) -> None:
        self.model_identity = _lax.as_optional_str(self.model_identity, ("model_identity",))
        if self.reasoning_effort is not None and type(self.reasoning_effort) is not ReasoningEffort:
            self.reasoning_effort = _lax.as_enum(self.reasoning_effort, ("reasoning_effort",), ReasoningEffort)
        self.conversation_start_date = _lax.as_optional_str(
            self.conversation_start_date, ("conversation_start_date",)
        )
        self.knowledge_cutoff = _lax.as_optional_str(self.knowledge_cutoff, ("knowledge_cutoff",))
        if self.channel_config is not None and type(self.channel_config) is not ChannelConfig:
            self.channel_config = _model(self.channel_config, ("channel_config",), ChannelConfig)
        if self.tools is not None:
            self.tools = _tools(self.tools, ("tools",))

    @classmethod
    def new(cls) -> "SystemContent":
        """The default system content (the reference's defaults).

        >>> SystemContent.new().knowledge_cutoff
        '2024-06'
        """
        return cls()

    def with_model_identity(self, model_identity: str) -> "SystemContent":
        """Sets the identity line; returns self.

        >>> SystemContent.new().with_model_identity("You are a helpful bot.").model_identity
        'You are a helpful bot.'
        """
        self.model_identity = _plain(model_identity)
        return self

    def with_reasoning_effort(self, reasoning_effort: ReasoningEffort) -> "SystemContent":
        """Sets the reasoning effort; returns self.

        >>> SystemContent.new().with_reasoning_effort(ReasoningEffort.HIGH).reasoning_effort
        <ReasoningEffort.HIGH: 'High'>
        """
        self.reasoning_effort = reasoning_effort
        return self

    def with_conversation_start_date(self, conversation_start_date: str) -> "SystemContent":
        """Sets the `Current date:` line; returns self.

        >>> SystemContent.new().with_conversation_start_date("2025-08-05").conversation_start_date
        '2025-08-05'
        """
        self.conversation_start_date = _plain(conversation_start_date)
        return self

    def with_knowledge_cutoff(self, knowledge_cutoff: str) -> "SystemContent":
        """Sets the `Knowledge cutoff:` line; returns self.

        >>> SystemContent.new().with_knowledge_cutoff("2025-01").knowledge_cutoff
        '2025-01'
        """
        self.knowledge_cutoff = _plain(knowledge_cutoff)
        return self

    def with_channel_config(self, channel_config: ChannelConfig) -> "SystemContent":
        """Sets the channel config; returns self.

        >>> config = ChannelConfig(valid_channels=["final"], channel_required=False)
        >>> SystemContent.new().with_channel_config(config).channel_config.channel_required
        False
        """
        self.channel_config = channel_config
        return self

    def with_required_channels(self, channels: List[str]) -> "SystemContent":
        """Requires one of `channels` on every message; returns self.

        >>> SystemContent.new().with_required_channels(["analysis", "final"]).channel_config.valid_channels
        ['analysis', 'final']
        """
        self.channel_config = ChannelConfig.require_channels(channels)
        return self

    def with_tools(self, ns_config: ToolNamespaceConfig) -> "SystemContent":
        """Adds (or replaces, by name) a tool namespace; returns self.

        >>> list(SystemContent.new().with_tools(ToolNamespaceConfig.python()).tools)
        ['python']
        """
        _check_builder_argument(ns_config, ToolNamespaceConfig, "SystemContent.with_tools")
        if self.tools is None:
            self.tools = {}
        self.tools[ns_config.name] = ns_config
        return self

    def with_browser_tool(self) -> "SystemContent":
        """Adds the built-in `browser` namespace; returns self.

        >>> list(SystemContent.new().with_browser_tool().tools)
        ['browser']
        """
        return self.with_tools(ToolNamespaceConfig.browser())

    def with_python_tool(self) -> "SystemContent":
        """Adds the built-in `python` namespace; returns self.

        >>> list(SystemContent.new().with_python_tool().tools)
        ['python']
        """
        return self.with_tools(ToolNamespaceConfig.python())

    def to_dict(self) -> Dict[str, Any]:
        """The reference's `model_dump(exclude_none=True)` plus the tag, in field order.

        >>> list(SystemContent.new().to_dict())
        ['model_identity', 'reasoning_effort', 'knowledge_cutoff', 'channel_config', 'type']
        """
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
        """A system content from the dict `to_dict` writes.

        >>> SystemContent.from_dict({"reasoning_effort": "Low"}).reasoning_effort
        <ReasoningEffort.LOW: 'Low'>
        """
        from ._wire import convert

        return convert(raw, SystemContent, "SystemContent")


class DeveloperContent(Content, tag="developer_content"):
    """The content of the developer message: instructions and function tools.

    >>> developer = DeveloperContent.new().with_instructions("Answer in French.")
    >>> print(enc.decode(enc.render(Message.from_role_and_content(Role.DEVELOPER, developer))))
    <|start|>developer<|message|># Instructions
    <BLANKLINE>
    Answer in French.<|end|>
    """

    instructions: Optional[str] = None
    tools: Optional[Dict[str, ToolNamespaceConfig]] = None

    def __post_init__(self) -> None:
        if self.instructions is not None and type(self.instructions) is not str:
            self.instructions = _lax.as_str(self.instructions, ("instructions",))
        if self.tools is not None:
            self.tools = _tools(self.tools, ("tools",))

    @classmethod
    def new(cls) -> "DeveloperContent":
        """An empty developer content.

        >>> DeveloperContent.new().to_dict()
        {'type': 'developer_content'}
        """
        return cls()

    def with_instructions(self, instructions: str) -> "DeveloperContent":
        """Sets the instructions; returns self.

        >>> DeveloperContent.new().with_instructions("Be brief.").instructions
        'Be brief.'
        """
        self.instructions = _plain(instructions)
        return self

    def with_tools(self, ns_config: ToolNamespaceConfig) -> "DeveloperContent":
        """Adds (or replaces, by name) a tool namespace; returns self.

        >>> list(DeveloperContent.new().with_tools(ToolNamespaceConfig(name="tools", tools=[])).tools)
        ['tools']
        """
        _check_builder_argument(ns_config, ToolNamespaceConfig, "DeveloperContent.with_tools")
        if self.tools is None:
            self.tools = {}
        self.tools[ns_config.name] = ns_config
        return self

    def with_function_tools(self, tools: Sequence[ToolDescription]) -> "DeveloperContent":
        """Declares `tools` as the `functions` namespace; returns self.

        >>> developer = DeveloperContent.new().with_function_tools([ToolDescription.new("f", "Does f.")])
        >>> print(enc.decode(enc.render(Message.from_role_and_content(Role.DEVELOPER, developer))))
        <|start|>developer<|message|># Tools
        <BLANKLINE>
        ## functions
        <BLANKLINE>
        namespace functions {
        <BLANKLINE>
        // Does f.
        type f = () => any;
        <BLANKLINE>
        } // namespace functions<|end|>
        """
        tools = _builder_list(tools, "DeveloperContent.with_function_tools")
        return self.with_tools(ToolNamespaceConfig(name="functions", description=None, tools=tools))

    def to_dict(self) -> Dict[str, Any]:
        """The reference's dict shape (None fields left out, the tag last).

        >>> DeveloperContent.new().with_instructions("x").to_dict()
        {'instructions': 'x', 'type': 'developer_content'}
        """
        out: Dict[str, Any] = {}
        if self.instructions is not None:
            out["instructions"] = self.instructions
        if self.tools is not None:
            out["tools"] = _tools_to_dict(self.tools)
        out["type"] = "developer_content"
        return out

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "DeveloperContent":
        """A developer content from the dict `to_dict` writes.

        >>> DeveloperContent.from_dict({"instructions": "x"}).instructions
        'x'
        """
        from ._wire import convert

        return convert(raw, DeveloperContent, "DeveloperContent")


# What a content part given as a dict becomes, by its "type" (the reference
# turns every dict into an empty Content, losing it; see _pydantic).
_PART_TYPES = {"text": TextContent, "system_content": SystemContent, "developer_content": DeveloperContent}


def _part(value: Any, loc: tuple) -> Content:
    if isinstance(value, Content):
        return value
    if isinstance(value, dict) or hasattr(value, "keys"):
        part_type = _PART_TYPES.get(value.get("type")) if hasattr(value, "get") else None
        if part_type is not None:
            return _model(value, loc, part_type)
    return _model(value, loc, Content)


# -- messages and conversations -----------------------------------------------------


class Message(_Model):
    """One message: its author, content parts, and header fields (channel,
    recipient, content type).

    >>> message = Message.from_role_and_content(Role.ASSISTANT, "Hi!").with_channel("final")
    >>> message.content[0].text
    'Hi!'
    >>> enc.decode(enc.render(message))
    '<|start|>assistant<|channel|>final<|message|>Hi!<|end|>'
    >>> message.to_json()
    '{"role": "assistant", "name": null, "content": [{"type": "text", "text": "Hi!"}], "channel": "final"}'
    """

    author: Author
    if TYPE_CHECKING:
        # Type checkers see each part as the kind it is at run time, so that
        # `message.content[0].text` checks (the parts are TextContent,
        # SystemContent or DeveloperContent; narrow with isinstance to be exact).
        content: List[Any] = msgspec.field(default_factory=list)
    else:
        content: List[Content] = msgspec.field(default_factory=list)
    channel: Optional[str] = None
    recipient: Optional[str] = None
    content_type: Optional[str] = None

    def __post_init__(self) -> None:
        if type(self.author) is not Author:
            self.author = _model(self.author, ("author",), Author)
        content = self.content
        if type(content) is list:
            for part in content:
                if not isinstance(part, Content):
                    self.content = _lax.as_list_of(content, ("content",), _part)
                    break
            else:
                self.content = content[:]  # pydantic's list is a new list: the caller's stays theirs
        else:
            self.content = _lax.as_list_of(content, ("content",), _part)
        if self.channel is not None and type(self.channel) is not str:
            self.channel = _lax.as_str(self.channel, ("channel",))
        if self.recipient is not None and type(self.recipient) is not str:
            self.recipient = _lax.as_str(self.recipient, ("recipient",))
        if self.content_type is not None and type(self.content_type) is not str:
            self.content_type = _lax.as_str(self.content_type, ("content_type",))

    @classmethod
    def from_author_and_content(cls, author: Author, content: Union[str, Content]) -> "Message":
        """A message of one part (a str becomes a TextContent).

        >>> Message.from_author_and_content(Author.new(Role.TOOL, "functions.f"), "42").author.name
        'functions.f'
        """
        if isinstance(content, str):
            content = TextContent(text=content)
        return cls(author=author, content=[content])

    @classmethod
    def from_role_and_content(cls, role: Role, content: Union[str, Content]) -> "Message":
        """A message of one part from an author with this role and no name.

        >>> Message.from_role_and_content(Role.USER, "Hi").content
        [TextContent(text='Hi')]
        """
        return cls.from_author_and_content(Author(role=role), content)

    @classmethod
    def from_role_and_contents(cls, role: Role, contents: Sequence[Content]) -> "Message":
        """A message of several parts.

        >>> len(Message.from_role_and_contents(Role.USER, [TextContent(text="a"), TextContent(text="b")]).content)
        2
        """
        return cls(author=Author(role=role), content=_builder_list(contents, "Message.from_role_and_contents"))

    def adding_content(self, content: Union[str, Content]) -> "Message":
        """Appends a part (a str becomes a TextContent); returns self.

        >>> Message.from_role_and_content(Role.USER, "a").adding_content("b").content
        [TextContent(text='a'), TextContent(text='b')]
        """
        if isinstance(content, str):
            content = TextContent(text=content)
        else:
            _check_builder_argument(content, Content, "Message.adding_content")
        self.content.append(content)
        return self

    def with_channel(self, channel: str) -> "Message":
        """Sets the channel (`analysis`, `commentary`, `final`); returns self.

        >>> Message.from_role_and_content(Role.ASSISTANT, "Hi").with_channel("final").channel
        'final'
        """
        self.channel = _plain(channel)
        return self

    def with_recipient(self, recipient: str) -> "Message":
        """Sets the recipient (`functions.get_weather`, `assistant`); returns self.

        >>> call = Message.from_role_and_content(Role.ASSISTANT, '{}').with_recipient("functions.f")
        >>> enc.decode(enc.render(call))
        '<|start|>assistant to=functions.f<|message|>{}<|call|>'
        """
        self.recipient = _plain(recipient)
        return self

    def with_content_type(self, content_type: str) -> "Message":
        """Sets the content type (`<|constrain|>json`); returns self.

        >>> Message.from_role_and_content(Role.ASSISTANT, "{}").with_content_type("<|constrain|>json").content_type
        '<|constrain|>json'
        """
        self.content_type = _plain(content_type)
        return self

    def to_dict(self) -> Dict[str, Any]:
        """The reference's dict shape: author flattened into `role` and `name`.

        >>> Message.from_role_and_content(Role.USER, "Hi").to_dict()
        {'role': <Role.USER: 'user'>, 'name': None, 'content': [{'type': 'text', 'text': 'Hi'}]}
        """
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
        """`to_dict` as JSON, byte for byte as the reference writes it.

        >>> print(Message.from_role_and_content(Role.USER, "Grüße").to_json())
        {"role": "user", "name": null, "content": [{"type": "text", "text": "Gr\\u00fc\\u00dfe"}]}
        """
        from ._wire import to_json

        return to_json(self)

    def _repr_html_(self) -> str:
        """Its tokens as HTML, for notebooks (see `fastharmony.html_view`)."""
        from ._html import html_fragment

        return html_fragment(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Message":
        """A message from the dict `to_dict` writes (content may be a plain str).

        >>> Message.from_dict({"role": "user", "content": "Hi"}) == Message.from_role_and_content(Role.USER, "Hi")
        True
        """
        from ._wire import message_from_dict

        return message_from_dict(data)

    @classmethod
    def from_json(cls, payload: Union[str, bytes]) -> "Message":
        """A message from the JSON `to_json` writes.

        >>> Message.from_json('{"role": "assistant", "content": "Hi", "channel": "final"}').channel
        'final'
        """
        from ._wire import message_from_json

        return message_from_json(payload)


def _message(value: Any, loc: tuple) -> Message:
    return value if type(value) is Message else _model(value, loc, Message)


class Conversation(_Model):
    """A list of messages, rendered together.

    >>> convo = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
    >>> enc.decode(enc.render_conversation_for_completion(convo, Role.ASSISTANT))
    '<|start|>user<|message|>Hi<|end|><|start|>assistant'
    >>> Conversation.from_json(convo.to_json()) == convo
    True
    """

    messages: List[Message] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        messages = self.messages
        if type(messages) is list and all(type(message) is Message for message in messages):
            self.messages = list(messages)
        else:
            self.messages = _lax.as_list_of(messages, ("messages",), _message)

    @classmethod
    def from_messages(cls, messages: Sequence[Message]) -> "Conversation":
        """A conversation of these messages.

        >>> len(Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")]).messages)
        1
        """
        return cls(messages=_builder_list(messages, "Conversation.from_messages"))

    def __iter__(self) -> Iterator[Message]:  # type: ignore[override]
        return iter(self.messages)

    def to_dict(self) -> Dict[str, Any]:
        """`{"messages": [...]}`, each message as `Message.to_dict` writes it.

        >>> Conversation.from_messages([]).to_dict()
        {'messages': []}
        """
        return {"messages": [message.to_dict() for message in self.messages]}

    def to_json(self) -> str:
        """`to_dict` as JSON, byte for byte as the reference writes it.

        >>> Conversation.from_messages([]).to_json()
        '{"messages": []}'
        """
        from ._wire import to_json

        return to_json(self)

    def _repr_html_(self) -> str:
        """Its tokens as HTML, for notebooks (see `fastharmony.html_view`)."""
        from ._html import html_fragment

        return html_fragment(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Conversation":
        """A conversation from the dict `to_dict` writes.

        >>> Conversation.from_dict({"messages": [{"role": "user", "content": "Hi"}]}).messages[0].content[0].text
        'Hi'
        """
        from ._wire import conversation_from_dict

        return conversation_from_dict(data)

    @classmethod
    def from_json(cls, payload: Union[str, bytes]) -> "Conversation":
        """A conversation from the JSON `to_json` writes.

        >>> len(Conversation.from_json('{"messages": []}').messages)
        0
        """
        from ._wire import conversation_from_json

        return conversation_from_json(payload)


class RenderConversationConfig(_Model):
    """Options of conversation rendering: `auto_drop_analysis` drops the
    reasoning before the last final answer (the default).

    >>> RenderConversationConfig(auto_drop_analysis=False).auto_drop_analysis
    False
    """

    auto_drop_analysis: bool = True

    def __post_init__(self) -> None:
        if self.auto_drop_analysis is not True and self.auto_drop_analysis is not False:
            self.auto_drop_analysis = _lax.as_bool(self.auto_drop_analysis, ("auto_drop_analysis",))


class RenderOptions(_Model):
    """Options of single-message rendering: whether the conversation declares
    function tools (a system message then says where calls go).

    >>> RenderOptions(conversation_has_function_tools=True).conversation_has_function_tools
    True
    """

    conversation_has_function_tools: bool = False

    def __post_init__(self) -> None:
        value = self.conversation_has_function_tools
        if value is not True and value is not False:
            self.conversation_has_function_tools = _lax.as_bool(value, ("conversation_has_function_tools",))
