# A Chat Completions request body (a dict, as it arrives over HTTP) into a
# Harmony conversation. The conventions are listed in chat.py; this file
# applies them.
#
# Theory of operation. The request is declared once, as msgspec Structs that
# cover only the fields that change the prompt (the rest — model, sampling
# parameters, stream options — is ignored). `msgspec.convert` checks types and
# reports the path of what is wrong; the rules it cannot express (text-only
# parts, known tool-call ids, reasoning efforts) are checked while building,
# and every error names its field path the same way:
#     messages[2].content[0].type: image_url parts are not supported (gpt-oss reads text only)
# Building is one pass over the messages: system and developer messages are
# gathered into the developer message's instructions; the others become
# Harmony messages as they come. The system and developer messages are then
# put in front, and the reasoning of finished turns is left out.

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Literal, Optional, Union

import msgspec

from .. import (
    Author,
    Conversation,
    DeveloperContent,
    Message,
    ReasoningEffort,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
)
from .._errors import HarmonyValueError, explain_msgspec
from ._json import json_text

# -- the request, as far as the prompt depends on it ------------------------------


class _TextPart(msgspec.Struct, tag_field="type", tag="text"):
    text: str


class _RefusalPart(msgspec.Struct, tag_field="type", tag="refusal"):
    refusal: str


class _ImagePart(msgspec.Struct, tag_field="type", tag="image_url"):
    pass


class _AudioPart(msgspec.Struct, tag_field="type", tag="input_audio"):
    pass


class _FilePart(msgspec.Struct, tag_field="type", tag="file"):
    pass


_Part = Union[_TextPart, _RefusalPart, _ImagePart, _AudioPart, _FilePart]
_Content = Union[str, List[_Part]]


class _CalledFunction(msgspec.Struct):
    name: str
    # The SDK sends a JSON string; some clients send the object itself.
    arguments: Union[str, Dict[str, Any]] = ""


class _ToolCall(msgspec.Struct):
    function: Optional[_CalledFunction] = None
    id: Optional[str] = None
    type: str = "function"


class _SystemMessage(msgspec.Struct, tag_field="role", tag="system"):
    content: _Content


class _DeveloperMessage(msgspec.Struct, tag_field="role", tag="developer"):
    content: _Content


class _UserMessage(msgspec.Struct, tag_field="role", tag="user"):
    content: _Content


class _AssistantMessage(msgspec.Struct, tag_field="role", tag="assistant"):
    content: Optional[_Content] = None
    reasoning_content: Optional[str] = None
    reasoning: Optional[str] = None
    refusal: Optional[str] = None
    tool_calls: Optional[List[_ToolCall]] = None
    function_call: Optional[Dict[str, Any]] = None


class _ToolMessage(msgspec.Struct, tag_field="role", tag="tool"):
    content: _Content
    tool_call_id: Optional[str] = None
    name: Optional[str] = None


class _FunctionMessage(msgspec.Struct, tag_field="role", tag="function"):
    pass


_ChatMessage = Union[
    _SystemMessage, _DeveloperMessage, _UserMessage, _AssistantMessage, _ToolMessage, _FunctionMessage
]


class _FunctionDefinition(msgspec.Struct):
    name: str
    description: Optional[str] = None
    parameters: Optional[Dict[str, Any]] = None


class _Tool(msgspec.Struct):
    type: str
    function: Optional[_FunctionDefinition] = None


class _JsonSchema(msgspec.Struct):
    name: str
    description: Optional[str] = None
    schema: Optional[Dict[str, Any]] = None


class _TextFormat(msgspec.Struct, tag_field="type", tag="text"):
    pass


class _JsonObjectFormat(msgspec.Struct, tag_field="type", tag="json_object"):
    pass


class _JsonSchemaFormat(msgspec.Struct, tag_field="type", tag="json_schema"):
    json_schema: _JsonSchema


class _Request(msgspec.Struct):
    messages: List[_ChatMessage]
    tools: Optional[List[_Tool]] = None
    tool_choice: Union[Literal["none", "auto", "required"], Dict[str, Any], None] = None
    response_format: Union[_TextFormat, _JsonObjectFormat, _JsonSchemaFormat, None] = None
    reasoning_effort: Optional[str] = None
    functions: Optional[List[Any]] = None


_EFFORTS = {"low": ReasoningEffort.LOW, "medium": ReasoningEffort.MEDIUM, "high": ReasoningEffort.HIGH}
_TEXT_ONLY = {_ImagePart: "image_url", _AudioPart: "input_audio", _FilePart: "file"}
_INSTRUCTION_SEPARATOR = "\n\n"
_PART_SEPARATOR = "\n"


def error(path: str, problem: str) -> HarmonyValueError:
    return HarmonyValueError(f"{path}: {problem}")


def _parse_request(request: Any) -> _Request:
    if not isinstance(request, dict):
        raise error("request", f"expected a JSON object (dict), got {type(request).__name__}")
    try:
        return msgspec.convert(request, _Request)
    except msgspec.ValidationError as exc:
        raise explain_msgspec(exc, "request") from None


# -- building the conversation ----------------------------------------------------


def conversation_from_request(
    request: Dict[str, Any],
    *,
    start_date: Union[str, datetime.date, None] = None,
    model_identity: Optional[str] = None,
    knowledge_cutoff: Optional[str] = None,
    keep_reasoning: bool = False,
) -> Conversation:
    """The Harmony conversation for a Chat Completions request body (a dict).

    `start_date` (default: today), `model_identity` and `knowledge_cutoff` fill
    the system message; omitted, the latter two keep SystemContent's defaults.
    The reasoning that led to a final answer is left out, as a prompt for the
    next turn should; `keep_reasoning=True` keeps all of it, for a transcript
    (training data) rather than a prompt.
    Raises HarmonyError (also a ValueError) naming the field at fault.

    >>> convo = conversation_from_request(
    ...     {"messages": [{"role": "user", "content": "Hi"}]}, start_date="2025-06-28")
    >>> [m.author.role.value for m in convo.messages]
    ['system', 'user']
    >>> turn = {"messages": [{"role": "user", "content": "2+2?"},
    ...     {"role": "assistant", "reasoning_content": "Easy.", "content": "4"}]}
    >>> [m.channel for m in conversation_from_request(turn, start_date="2025-06-28").messages]
    [None, None, 'final']
    >>> [m.channel for m in conversation_from_request(
    ...     turn, start_date="2025-06-28", keep_reasoning=True).messages]
    [None, None, 'analysis', 'final']
    """
    parsed = _parse_request(request)
    if parsed.functions is not None:
        raise error("functions", "the legacy `functions` parameter is not supported; declare them in `tools`")
    tools = _function_tools(parsed)
    instructions: List[str] = []
    history: List[Message] = []
    calls: Dict[str, str] = {}  # tool_call_id -> function name, for the tool messages
    for index, message in enumerate(parsed.messages):
        path = f"messages[{index}]"
        kind = type(message)
        if kind is _SystemMessage or kind is _DeveloperMessage:
            text = _text(message.content, f"{path}.content")
            if text:
                instructions.append(text)
        elif kind is _UserMessage:
            text = _text(message.content, f"{path}.content")
            history.append(Message.from_role_and_content(Role.USER, text))
        elif kind is _AssistantMessage:
            history += _assistant_messages(message, path, calls)
        elif kind is _ToolMessage:
            history.append(_tool_result(message, path, calls))
        else:
            raise error(f"{path}.role", "'function' messages are the legacy form of tool results; use 'tool'")

    effort = parsed.reasoning_effort
    messages = [system_message(effort, "reasoning_effort", bool(tools), start_date, model_identity, knowledge_cutoff)]
    developer = developer_message(instructions, tools, _response_formats_section(parsed.response_format))
    if developer is not None:
        messages.append(developer)
    messages += history if keep_reasoning else without_finished_reasoning(history)
    return Conversation.from_messages(messages)


# -- the parts the Responses adapter shares ------------------------------------------


def system_message(
    effort: Optional[str],
    effort_path: str,
    has_functions: bool,
    start_date,
    model_identity,
    knowledge_cutoff,
    *,
    browser: bool = False,
    python: bool = False,
) -> Message:
    """The system message: identity, cutoff, date, reasoning effort, channels,
    and the built-in tools asked for."""
    system = SystemContent.new()
    if model_identity is not None:
        system = system.with_model_identity(_argument_str("model_identity", model_identity))
    if knowledge_cutoff is not None:
        system = system.with_knowledge_cutoff(_argument_str("knowledge_cutoff", knowledge_cutoff))
    system = system.with_conversation_start_date(_date_text(start_date))
    if effort is not None:
        if effort not in _EFFORTS:
            raise error(effort_path, f"gpt-oss reasons at 'low', 'medium' or 'high', got {effort!r:.40}")
        system = system.with_reasoning_effort(_EFFORTS[effort])
    if browser:
        system = system.with_browser_tool()
    if python:
        system = system.with_python_tool()
    # The commentary channel carries function calls (and their preambles); a
    # model offered it without tools has nothing to say there.
    channels = ["analysis", "commentary", "final"] if has_functions else ["analysis", "final"]
    system = system.with_required_channels(channels)
    return Message.from_role_and_content(Role.SYSTEM, system)


def _argument_str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise HarmonyValueError(f"{name}: expected str, got {type(value).__name__}")
    return value


def _date_text(start_date) -> str:
    if start_date is None:
        return datetime.date.today().isoformat()
    if isinstance(start_date, datetime.datetime):
        return start_date.date().isoformat()
    if isinstance(start_date, datetime.date):
        return start_date.isoformat()
    return _argument_str("start_date", start_date)


def _function_tools(parsed: _Request) -> List[ToolDescription]:
    if not parsed.tools or parsed.tool_choice == "none":
        return []
    tools = []
    for index, tool in enumerate(parsed.tools):
        if tool.type != "function":
            raise error(f"tools[{index}].type", f"only function tools are supported, got {tool.type!r:.40}")
        if tool.function is None:
            raise error(f"tools[{index}].function", "missing: a function tool needs its name and parameters")
        function = tool.function
        tools.append(ToolDescription.new(function.name, function.description or "", function.parameters))
    return tools


def developer_message(
    instructions: List[str], tools: List[ToolDescription], response_formats: Optional[str]
) -> Optional[Message]:
    """The developer message, or None when there is nothing to put in it."""
    if not instructions and not tools and response_formats is None:
        return None
    developer = DeveloperContent.new()
    if instructions:
        developer = developer.with_instructions(_INSTRUCTION_SEPARATOR.join(instructions))
    if tools:
        developer = developer.with_function_tools(tools)
    parts = [developer]
    if response_formats is not None:
        # DeveloperContent has no field for it: the section follows as a text
        # part, which renders right after the developer text.
        separator = "\n\n" if instructions or tools else ""
        parts.append(TextContent(text=separator + response_formats))
    return Message.from_role_and_contents(Role.DEVELOPER, parts)


def _response_formats_section(response_format) -> Optional[str]:
    if type(response_format) is not _JsonSchemaFormat:
        return None  # "text" is the default; "json_object" has no schema to show
    spec = response_format.json_schema
    return response_formats_section(spec.name, spec.description, spec.schema, "response_format.json_schema.schema")


def response_formats_section(name: str, description: Optional[str], schema, schema_path: str) -> str:
    """The `# Response Formats` section of the developer message (format guide,
    "Structured output"): the schema's name, its description, the schema."""
    lines = ["# Response Formats", "", f"## {name}", ""]
    if description:
        lines += ["// " + line for line in description.splitlines()]
    lines.append(json_text(schema if schema is not None else {}, schema_path))
    return "\n".join(lines)


def _text(content, path: str, *, refusals: bool = False) -> str:
    """The text of a message's content: a string, or its text parts joined by newlines."""
    if type(content) is str:
        return content
    texts = []
    for index, part in enumerate(content):
        kind = type(part)
        if kind is _TextPart:
            texts.append(part.text)
        elif kind is _RefusalPart and refusals:
            texts.append(part.refusal)
        elif kind in _TEXT_ONLY:
            raise error(
                f"{path}[{index}].type",
                f"{_TEXT_ONLY[kind]} parts are not supported (gpt-oss reads text only)",
            )
        else:
            raise error(f"{path}[{index}].type", "refusal parts belong in assistant messages only")
    return _PART_SEPARATOR.join(texts)


def _assistant_messages(message: _AssistantMessage, path: str, calls: Dict[str, str]) -> List[Message]:
    if message.function_call is not None:
        raise error(f"{path}.function_call", "the legacy `function_call` is not supported; use `tool_calls`")
    out = []
    reasoning = message.reasoning_content if message.reasoning_content is not None else message.reasoning
    if reasoning:
        out.append(_assistant(reasoning, "analysis"))
    content = None
    if message.content is not None:
        content = _text(message.content, f"{path}.content", refusals=True)
    if not content and message.refusal:
        content = message.refusal
    tool_calls = message.tool_calls or []
    if content:
        # Text beside tool calls is the preamble the model wrote before them.
        out.append(_assistant(content, "commentary" if tool_calls else "final"))
    for index, call in enumerate(tool_calls):
        where = f"{path}.tool_calls[{index}]"
        if call.type != "function":
            raise error(f"{where}.type", f"only function tool calls are supported, got {call.type!r:.40}")
        if call.function is None:
            raise error(f"{where}.function", "missing: a tool call needs the function's name and arguments")
        name = call.function.name
        arguments = call.function.arguments
        if type(arguments) is not str:
            arguments = json_text(arguments, f"{where}.function.arguments")
        out.append(function_call_message(name, arguments))
        if call.id is not None:
            calls[call.id] = name
    return out


def _assistant(text: str, channel: str) -> Message:
    return assistant_message(text, channel)


def assistant_message(text: str, channel: str) -> Message:
    return Message.from_role_and_content(Role.ASSISTANT, text).with_channel(channel)


def function_call_message(name: str, arguments: str) -> Message:
    """A call as the model writes it (format guide, "Receiving tool calls")."""
    return (
        assistant_message(arguments, "commentary")
        .with_recipient(f"functions.{name}")
        .with_content_type("<|constrain|>json")
    )


def function_result_message(name: str, text: str) -> Message:
    """A function's answer (format guide, "Handling tool calls")."""
    return (
        Message.from_author_and_content(Author.new(Role.TOOL, f"functions.{name}"), text)
        .with_recipient("assistant")
        .with_channel("commentary")
    )


def _tool_result(message: _ToolMessage, path: str, calls: Dict[str, str]) -> Message:
    name = calls.get(message.tool_call_id) if message.tool_call_id is not None else None
    if name is None:
        name = message.name
    if name is None:
        if message.tool_call_id is None:
            raise error(f"{path}.tool_call_id", "missing: a tool result names the call it answers")
        raise error(
            f"{path}.tool_call_id",
            f"{message.tool_call_id!r:.80} is not the id of a tool call in an earlier assistant message",
        )
    return function_result_message(name, _text(message.content, f"{path}.content"))


def without_finished_reasoning(history: List[Message]) -> List[Message]:
    """The format guide's rule: reasoning that led to a final answer is dropped
    from later prompts; reasoning since the last final answer (a chain of tool
    calls still in progress) is kept."""
    last_final = -1
    for index, message in enumerate(history):
        if message.author.role is Role.ASSISTANT and message.channel == "final":
            last_final = index
    if last_final < 0:
        return history
    return [
        message
        for index, message in enumerate(history)
        if index > last_final or message.channel != "analysis"
    ]
