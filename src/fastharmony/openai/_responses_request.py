# A Responses API request body (a dict) into a Harmony conversation. The
# conventions are listed in responses.py; this file applies them, on the chat
# adapter's parts where the two APIs say the same thing (the system and
# developer messages, calls, results, the reasoning rule).
#
# Theory of operation. Only the fields that shape the prompt are declared, as
# msgspec Structs; input items are converted one by one, by their `type`
# (a message may leave it out), so that an error names `input[i]` and the
# field. One pass over `previous` and then `input` builds the history: system
# and developer messages become instructions; calls remember their call_id,
# so a later output knows which function answered.

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Literal, Optional, Union

import msgspec

from .. import Author, Conversation, Message, Role, ToolDescription
from .._errors import HarmonyValueError, explain_msgspec
from ._chat_request import (
    assistant_message,
    developer_message,
    error,
    function_call_message,
    function_result_message,
    response_formats_section,
    system_message,
    without_finished_reasoning,
)
from ._json import json_text

# -- the request, as far as the prompt depends on it ------------------------------


class _Reasoning(msgspec.Struct):
    effort: Optional[str] = None


class _FunctionTool(msgspec.Struct):
    name: str
    description: Optional[str] = None
    parameters: Optional[Dict[str, Any]] = None


class _Tool(msgspec.Struct):
    type: str


class _JsonSchemaFormat(msgspec.Struct, tag_field="type", tag="json_schema"):
    name: str
    schema: Optional[Dict[str, Any]] = None
    description: Optional[str] = None


class _TextFormat(msgspec.Struct, tag_field="type", tag="text"):
    pass


class _JsonObjectFormat(msgspec.Struct, tag_field="type", tag="json_object"):
    pass


class _Text(msgspec.Struct):
    format: Union[_TextFormat, _JsonObjectFormat, _JsonSchemaFormat, None] = None


class _Request(msgspec.Struct):
    input: Union[str, List[Any]] = []
    instructions: Optional[str] = None
    tools: Optional[List[Dict[str, Any]]] = None
    tool_choice: Union[Literal["none", "auto", "required"], Dict[str, Any], None] = None
    text: Optional[_Text] = None
    reasoning: Optional[_Reasoning] = None


# Input items, by `type`.


class _Part(msgspec.Struct):
    type: str
    text: Optional[str] = None
    refusal: Optional[str] = None


class _MessageItem(msgspec.Struct):
    role: Literal["user", "assistant", "system", "developer"]
    content: Union[str, List[_Part]]
    phase: Optional[str] = None


class _ReasoningText(msgspec.Struct):
    text: str


class _ReasoningItem(msgspec.Struct):
    summary: List[_ReasoningText] = []
    content: Optional[List[_ReasoningText]] = None
    encrypted_content: Optional[str] = None


class _FunctionCallItem(msgspec.Struct):
    call_id: str
    name: str
    arguments: str


class _FunctionCallOutputItem(msgspec.Struct):
    call_id: str
    output: Union[str, List[_Part]]


class _WebSearchAction(msgspec.Struct):
    type: Literal["search", "open_page", "find_in_page", "find"]
    query: Optional[str] = None
    queries: Optional[List[str]] = None
    url: Optional[str] = None
    pattern: Optional[str] = None


class _WebSearchCallItem(msgspec.Struct):
    action: Optional[_WebSearchAction] = None


class _Logs(msgspec.Struct):
    type: str
    logs: Optional[str] = None


class _CodeInterpreterCallItem(msgspec.Struct):
    code: Optional[str] = None
    outputs: Optional[List[_Logs]] = None


_ITEMS = {
    "message": _MessageItem,
    "reasoning": _ReasoningItem,
    "function_call": _FunctionCallItem,
    "function_call_output": _FunctionCallOutputItem,
    "web_search_call": _WebSearchCallItem,
    "code_interpreter_call": _CodeInterpreterCallItem,
}

# Tool types that ask for gpt-oss's built-in tools.
BROWSER_TOOLS = frozenset(
    {"web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11", "browser_search"}
)
PYTHON_TOOLS = frozenset({"code_interpreter"})
_TEXT_PARTS = frozenset({"input_text", "output_text", "text", "summary_text", "reasoning_text"})
_INSTRUCTION_SEPARATOR = "\n\n"
_PART_SEPARATOR = "\n"


def _convert(value: Any, kind, path: str):
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise explain_msgspec(exc, "request", within=path) from None


# -- building the conversation ----------------------------------------------------


def conversation_from_request(
    request: Dict[str, Any],
    *,
    previous: Optional[List[Dict[str, Any]]] = None,
    start_date: Union[str, datetime.date, None] = None,
    model_identity: Optional[str] = None,
    knowledge_cutoff: Optional[str] = None,
    builtin_tools: Optional[List[str]] = None,
) -> Conversation:
    """The Harmony conversation for a Responses API request body (a dict).

    `previous`: the input and output items of the response named by
    `previous_response_id`, which come before `input`. `builtin_tools`:
    "browser" and/or "python", offered whatever the request's tools say
    (None: as its `web_search` and `code_interpreter` tools ask).
    Raises HarmonyError (also a ValueError) naming the field at fault.

    >>> convo = conversation_from_request(
    ...     {"input": "Hi", "instructions": "Be brief."}, start_date="2025-06-28")
    >>> [m.author.role.value for m in convo.messages]
    ['system', 'developer', 'user']
    """
    if not isinstance(request, dict):
        raise error("request", f"expected a JSON object (dict), got {type(request).__name__}")
    parsed = _convert(request, _Request, "")
    functions, browser, python = _tools(parsed)
    if builtin_tools is not None:
        browser, python = _builtin_tools(builtin_tools)

    instructions: List[str] = [parsed.instructions] if parsed.instructions else []
    history: List[Message] = []
    calls: Dict[str, str] = {}  # call_id -> function name; a later call with the same id wins
    if previous is not None:
        if not isinstance(previous, list):
            raise HarmonyValueError(f"previous: expected a list of items, got {type(previous).__name__}")
        for index, item in enumerate(previous):
            _item(item, f"previous[{index}]", instructions, history, calls)
    if isinstance(parsed.input, str):
        history.append(Message.from_role_and_content(Role.USER, parsed.input))
    else:
        for index, item in enumerate(parsed.input):
            _item(item, f"input[{index}]", instructions, history, calls)

    text_format = parsed.text.format if parsed.text is not None else None
    formats = None
    if type(text_format) is _JsonSchemaFormat:
        formats = response_formats_section(
            text_format.name, text_format.description, text_format.schema, "text.format.schema"
        )
    effort = parsed.reasoning.effort if parsed.reasoning is not None else None
    messages = [
        system_message(
            effort, "reasoning.effort", bool(functions), start_date, model_identity, knowledge_cutoff,
            browser=browser, python=python,
        )
    ]  # fmt: skip
    developer = developer_message(instructions, functions, formats)
    if developer is not None:
        messages.append(developer)
    messages += without_finished_reasoning(history)
    return Conversation.from_messages(messages)


def _tools(parsed: _Request):
    functions: List[ToolDescription] = []
    browser = python = False
    if not parsed.tools or parsed.tool_choice == "none":
        return functions, browser, python
    for index, tool in enumerate(parsed.tools):
        path = f"tools[{index}]"
        kind = _convert(tool, _Tool, path).type
        if kind == "function":
            function = _convert(tool, _FunctionTool, path)
            functions.append(ToolDescription.new(function.name, function.description or "", function.parameters))
        elif kind in BROWSER_TOOLS:
            browser = True
        elif kind in PYTHON_TOOLS:
            python = True
        else:
            raise error(
                f"{path}.type",
                f"{kind!r:.40} tools are not supported: gpt-oss has function tools, "
                "web_search (its browser) and code_interpreter (its python)",
            )
    return functions, browser, python


def _builtin_tools(names) -> tuple:
    if not isinstance(names, (list, tuple, set, frozenset)) or not all(n in ("browser", "python") for n in names):
        raise HarmonyValueError(f"builtin_tools: expected a list of 'browser' and 'python', got {names!r:.80}")
    return "browser" in names, "python" in names


def _item(item: Any, path: str, instructions: List[str], history: List[Message], calls: Dict[str, str]) -> None:
    if not isinstance(item, dict):
        raise error(path, f"expected an item (a JSON object), got {type(item).__name__}")
    kind = item.get("type", "message")
    spec = _ITEMS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise error(f"{path}.type", f"{kind!r:.40} items are not supported")
    value = _convert(item, spec, path)
    if spec is _MessageItem:
        _message(value, path, instructions, history)
    elif spec is _ReasoningItem:
        texts = value.content if value.content else value.summary
        text = _PART_SEPARATOR.join(part.text for part in texts)
        if text:  # encrypted-only reasoning cannot be read back: it is left out
            history.append(assistant_message(text, "analysis"))
    elif spec is _FunctionCallItem:
        calls[value.call_id] = value.name
        history.append(function_call_message(value.name, value.arguments))
    elif spec is _FunctionCallOutputItem:
        name = calls.get(value.call_id)
        if name is None:
            raise error(
                f"{path}.call_id", f"{value.call_id!r:.80} is not the call_id of an earlier function_call item"
            )
        output = value.output if isinstance(value.output, str) else _parts_text(value.output, f"{path}.output")
        history.append(function_result_message(name, output))
    elif spec is _WebSearchCallItem:
        history.append(_browser_call(value.action, path))
    else:  # a code_interpreter_call: the code, then what it printed
        history.append(assistant_message(value.code or "", "analysis").with_recipient("python").with_content_type("code"))
        logs = [output.logs for output in value.outputs or () if output.type == "logs" and output.logs is not None]
        if logs:
            history.append(
                Message.from_author_and_content(Author.new(Role.TOOL, "python"), _PART_SEPARATOR.join(logs))
                .with_recipient("assistant")
                .with_channel("analysis")
            )


def _message(value: _MessageItem, path: str, instructions: List[str], history: List[Message]) -> None:
    text = value.content if isinstance(value.content, str) else _parts_text(value.content, f"{path}.content")
    if value.role in ("system", "developer"):
        if text:
            instructions.append(text)
    elif value.role == "user":
        history.append(Message.from_role_and_content(Role.USER, text))
    elif text:
        # An assistant message: a preamble when it says so (`phase`), else an answer.
        history.append(assistant_message(text, "commentary" if value.phase == "commentary" else "final"))


def _parts_text(parts: List[_Part], path: str) -> str:
    texts = []
    for index, part in enumerate(parts):
        if part.type in _TEXT_PARTS and part.text is not None:
            texts.append(part.text)
        elif part.type == "refusal" and part.refusal is not None:
            texts.append(part.refusal)
        else:
            raise error(f"{path}[{index}].type", f"{part.type!r:.40} parts are not supported (gpt-oss reads text only)")
    return _PART_SEPARATOR.join(texts)


def _browser_call(action: Optional[_WebSearchAction], path: str) -> Message:
    # The call the model made, as it writes one (`to=browser.search code`);
    # what a cursor pointed at is lost with the action's shape.
    if action is None or action.type == "search":
        name = "search"
        query = action.query if action is not None else None
        if query is None and action is not None and action.queries:
            query = action.queries[0]
        arguments: Dict[str, Any] = {"query": query or ""}
    elif action.type == "open_page":
        name, arguments = "open", ({"id": action.url} if action.url else {})
    else:
        name, arguments = "find", {"pattern": action.pattern or ""}  # in the page open last
    return (
        assistant_message(json_text(arguments, f"{path}.action"), "analysis")
        .with_recipient(f"browser.{name}")
        .with_content_type("code")
    )
