"""vLLM's use of openai_harmony, reproduced call for call, fastharmony (through the shim) against the reference.

Read from the vllm 0.33.0 wheel (`pip download --no-deps vllm`); vLLM itself
needs torch and a GPU stack, so its functions are rewritten here, keeping
every call they make on Harmony objects:
- vllm/entrypoints/openai/parser/harmony_utils.py: get_system_message,
  get_developer_message, parse_chat_input_to_harmony_message,
  auto_drop_analysis_messages, extract_instructions_from_messages,
  render_for_completion, _use_legacy_tool_call_headers,
  get_streamable_parser_for_assistant;
- vllm/entrypoints/openai/responses/protocol.py: ResponsesRequest's
  `previous_input_messages: list[OpenAIHarmonyMessage | dict] | None`,
  serialize_message (`to_dict`, else `model_dump(mode="json", by_alias=True)`),
  the `field_serializer(..., when_used="json")` on input/output messages;
- vllm/renderers/chat_utils/types.py: ChatCompletionMessageParam, a union of
  TypedDicts and the Harmony Message, as a pydantic field type;
- vllm/entrypoints/openai/responses/harmony.py: _parse_harmony_format_message,
  construct_harmony_previous_input_messages, response_input_to_harmony,
  _parse_final_message (openai's ResponseOutputMessage built with
  `role=message.author.role`);
- vllm/entrypoints/openai/responses/context.py: tool results built as
  `Message(author=..., content=[...], recipient=Role.ASSISTANT, channel=...)`;
- vllm/entrypoints/mcp/tool_server.py: ToolNamespaceConfig built from MCP
  tool listings and filtered by `cfg.tools`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Literal, Optional, Union

import pydantic
import pytest
from typing_extensions import TypedDict  # pydantic needs it before Python 3.12
from clients import dicts, harmony, outcome, plain  # noqa: F401  (harmony is a fixture)

START_DATE = "2025-06-01"  # vLLM pins it with VLLM_SYSTEM_START_DATE
WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string", "description": "City name"},
                   "unit": {"type": "string", "enum": ["c", "f"]}},
    "required": ["city"],
}


# --- harmony_utils.py -------------------------------------------------------

def get_system_message(h, reasoning_effort=None, model_identity=None, browser_description=None,
                       python_description=None):
    content = h.SystemContent.new()
    if model_identity is not None:
        content = content.with_model_identity(model_identity)
    if reasoning_effort is not None:
        effort = {"high": h.ReasoningEffort.HIGH, "medium": h.ReasoningEffort.MEDIUM,
                  "low": h.ReasoningEffort.LOW}[reasoning_effort]
        content = content.with_reasoning_effort(effort)
    content = content.with_conversation_start_date(START_DATE)
    if browser_description is not None:
        content = content.with_tools(browser_description)
    if python_description is not None:
        content = content.with_tools(python_description)
    return h.Message.from_role_and_content(h.Role.SYSTEM, content)


def get_developer_message(h, instructions=None, tools=None):
    content = h.DeveloperContent.new()
    if instructions is not None:
        content = content.with_instructions(instructions)
    if tools:
        content = content.with_function_tools([
            h.ToolDescription.new(name=tool.function.name, description=tool.function.description or "",
                                  parameters=tool.function.parameters)
            for tool in tools
        ])
    return h.Message.from_role_and_content(h.Role.DEVELOPER, content)


def flatten(content):
    if content is None or isinstance(content, str):
        return content
    texts = [item if isinstance(item, str) else item.get("text") for item in content]
    texts = [text for text in texts if text is not None]
    return "".join(texts) if texts else None


def parse_chat_input(h, chat_msg, tool_id_names):
    if not isinstance(chat_msg, dict):
        chat_msg = chat_msg.model_dump(exclude_none=True)
    role = chat_msg.get("role")
    msgs = []
    tool_calls = chat_msg.get("tool_calls", [])
    if role == "assistant" and tool_calls:
        content = flatten(chat_msg.get("content"))
        if content:
            msgs.append(h.Message.from_role_and_content(h.Role.ASSISTANT, content).with_channel("commentary"))
        if chat_msg.get("reasoning"):
            msgs.append(h.Message.from_role_and_content(h.Role.ASSISTANT, chat_msg["reasoning"])
                        .with_channel("analysis"))
        for call in tool_calls:
            func = call.get("function", {})
            msg = h.Message.from_role_and_content(h.Role.ASSISTANT, func.get("arguments", "") or "")
            msgs.append(msg.with_channel("commentary").with_recipient(f"functions.{func.get('name', '')}")
                        .with_content_type("json"))
        return msgs
    if role == "tool":
        name = tool_id_names.get(chat_msg.get("tool_call_id", ""), "")
        author = h.Author.new(h.Role.TOOL, f"functions.{name}")
        return [h.Message.from_author_and_content(author, flatten(chat_msg.get("content")) or "")
                .with_channel("commentary").with_recipient("assistant")]
    if role == "assistant" and chat_msg.get("reasoning"):
        msgs.append(h.Message.from_role_and_content(h.Role.ASSISTANT, chat_msg["reasoning"]).with_channel("analysis"))
    content = chat_msg.get("content") or ""
    if isinstance(content, str):
        contents = [h.TextContent(text=content)]
    else:
        contents = [h.TextContent(text=c.get("text", "")) for c in content]
    if role == "assistant" and contents and contents[0].text:
        msgs.append(h.Message.from_role_and_contents(role, contents).with_channel("final"))  # role is a str
    elif role in ("system", "developer"):
        msgs.append(get_developer_message(h, instructions=flatten(chat_msg.get("content"))))
    elif role != "assistant":
        msgs.append(h.Message.from_role_and_contents(role, contents))
    return msgs


def auto_drop_analysis_messages(msgs):
    last_final = -1
    for i in range(len(msgs) - 1, -1, -1):
        if msgs[i].author.role == "assistant" and msgs[i].channel == "final":
            last_final = i
            break
    return [m for i, m in enumerate(msgs) if not (i < last_final and m.channel == "analysis")]


def render_for_completion(s, messages):
    h = s.h
    conversation = h.Conversation.from_messages(auto_drop_analysis_messages(messages))
    tokens = s.enc.render_conversation_for_completion(
        conversation, h.Role.ASSISTANT, config=h.RenderConversationConfig(auto_drop_analysis=False))
    return use_legacy_tool_call_headers(s.enc, tokens)


def use_legacy_tool_call_headers(encoding, token_ids):
    """harmony_utils._use_legacy_tool_call_headers: rewrites 0.0.11's tool-call headers with encode/decode."""
    start, channel_token, constrain, message = (
        encoding.encode(t, allowed_special="all")[0] for t in ("<|start|>", "<|channel|>", "<|constrain|>", "<|message|>"))
    result = token_ids.copy()
    index = 0
    while index < len(result):
        if result[index] != start:
            index += 1
            continue
        try:
            header_end = result.index(message, index + 1)
            channel_index = result.index(channel_token, index + 1, header_end)
            constrain_index = result.index(constrain, channel_index + 1, header_end)
        except ValueError:
            index += 1
            continue
        author = encoding.decode(result[index + 1:channel_index])
        channel_and_recipient = encoding.decode(result[channel_index + 1:constrain_index])
        content_type = encoding.decode(result[constrain_index + 1:header_end])
        if author != "assistant" or " to=" not in channel_and_recipient or not channel_and_recipient.endswith(" "):
            index = header_end + 1
            continue
        channel, recipient = channel_and_recipient[:-1].split(" to=", 1)
        legacy = ([start] + encoding.encode(f"assistant to={recipient}") + [channel_token]
                  + encoding.encode(f"{channel} {content_type}") + [message])
        result[index:header_end + 1] = legacy
        index += len(legacy)
    return result


def tool_param(name, description, parameters):
    """ChatCompletionToolsParam, as far as harmony_utils reads it."""
    return SimpleNamespace(type="function", function=SimpleNamespace(name=name, description=description,
                                                                     parameters=parameters))


CHAT = [
    {"role": "system", "content": "Be terse."},
    {"role": "user", "content": [{"type": "text", "text": "Weather in "}, {"type": "text", "text": "Paris?"}]},
    {"role": "assistant", "reasoning": "Need the tool.", "content": "Checking.",
     "tool_calls": [{"id": "c1", "type": "function",
                     "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
    {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 21}'},
    {"role": "assistant", "reasoning": "It is mild.", "content": "21 degrees."},
    {"role": "user", "content": "And tomorrow?"},
]


def chat_completions_prompt(s, chat=CHAT, effort="high"):
    """The Chat Completions path: preamble, converted history, rendered prompt."""
    tools = [tool_param("get_weather", "Gets the weather.", WEATHER), tool_param("noop", None, None)]
    messages = [get_system_message(s.h, reasoning_effort=effort), get_developer_message(s.h, "Use tools.", tools)]
    tool_id_names = {c["id"]: c["function"]["name"] for m in chat if isinstance(m, dict)
                     for c in m.get("tool_calls", [])}
    for chat_msg in chat:
        messages.extend(parse_chat_input(s.h, chat_msg, tool_id_names))
    return messages, render_for_completion(s, messages)


def test_chat_completions_prompt(harmony):
    (our_messages, our_tokens), (their_messages, their_tokens) = (chat_completions_prompt(s) for s in harmony.both())
    assert dicts(our_messages) == dicts(their_messages)
    assert our_tokens == their_tokens


def test_chat_input_from_a_pydantic_model(harmony):
    class ChatMessage(pydantic.BaseModel):
        role: str
        content: Optional[str] = None
        reasoning: Optional[str] = None

    chat = [ChatMessage(role="user", content="hi"), ChatMessage(role="assistant", reasoning="r", content="hello")]
    results = [chat_completions_prompt(s, chat, effort="low") for s in harmony.both()]
    assert results[0][1] == results[1][1]


def test_builtin_tool_namespaces_in_the_system_message(harmony):
    def prompt(s):
        h = s.h
        browser = h.ToolNamespaceConfig.browser()
        python = h.ToolNamespaceConfig.python()
        system = get_system_message(h, "medium", "You are a bot.", browser, python)
        return render_for_completion(s, [system, h.Message.from_role_and_content(h.Role.USER, "go")])

    ours, theirs = (prompt(s) for s in harmony.both())
    assert ours == theirs


def test_extract_instructions_reads_to_dict(harmony):
    def extract(h):
        first = get_developer_message(h, "Be kind.").to_dict()
        return first.get("role"), plain(first.get("content"))

    ours, theirs = (extract(s.h) for s in harmony.both())
    assert ours == theirs


def test_streaming_parser_as_vllm_reads_it(harmony):
    completion_text = ('<|channel|>analysis<|message|>Let me think.<|end|>'
                       '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json'
                       '<|message|>{"city":"Paris"}<|call|>')

    def stream(s):
        h = s.h
        tokens = s.enc.encode(completion_text, allowed_special="all")
        parser = h.StreamableParser(s.enc, role=h.Role.ASSISTANT)
        seen = []
        for token in tokens:
            try:
                parser.process(token)
            except h.HarmonyError:  # vllm/parser/harmony.py catches it per token
                seen.append("HarmonyError")
            seen.append((parser.current_channel, parser.current_recipient, parser.last_content_delta or "",
                         str(parser.state), len(parser.messages)))
        return seen, dicts(parser.messages)

    ours, theirs = (stream(s) for s in harmony.both())
    assert ours == theirs


# --- pydantic models holding Harmony objects (protocol.py, chat_utils/types.py) -------

def previous_input_request(h):
    class ResponsesRequest(pydantic.BaseModel):
        previous_input_messages: list[Union[h.Message, dict]] | None = None

    return ResponsesRequest


HARMONY_DICT = {"author": {"role": "assistant"}, "content": [{"type": "text", "text": "earlier"}],
                "channel": "final"}
CHAT_DICT = {"role": "user", "content": "c"}


def previous_messages(h):
    return [h.Message.from_role_and_content(h.Role.USER, "hi").with_channel("final"),
            h.Message.from_role_and_content(h.Role.SYSTEM, h.SystemContent.new()),
            HARMONY_DICT, CHAT_DICT]


def without_content(dumped: dict) -> dict:
    return {key: value for key, value in dumped.items() if key != "content"}


def test_previous_input_messages_validate_as_the_reference(harmony):
    ours, theirs = (previous_input_request(s.h)(previous_input_messages=previous_messages(s.h))
                    for s in harmony.both())
    assert [type(m).__name__ for m in ours.previous_input_messages] == \
           [type(m).__name__ for m in theirs.previous_input_messages]
    assert dicts(m for m in ours.previous_input_messages if not isinstance(m, dict)) == \
           dicts(m for m in theirs.previous_input_messages if not isinstance(m, dict))


def test_previous_input_messages_dump_as_the_reference_but_keep_content(harmony):
    def dump(s, **options):
        request = previous_input_request(s.h)(previous_input_messages=previous_messages(s.h))
        return plain(request.model_dump(**options)["previous_input_messages"])

    for options in [{"exclude_none": True}, {}, {"mode": "json", "by_alias": True}]:
        ours, theirs = (dump(s, **options) for s in harmony.both())
        assert [without_content(m) for m in ours] == [without_content(m) for m in theirs]
        # The documented difference: the reference writes each content part as {} (it
        # types content as the empty base Content); fastharmony keeps the parts.
        assert ours[0]["content"] == [{"type": "text", "text": "hi"}]
        assert theirs[0]["content"] == [{}]
        assert ours[2:] == theirs[2:]


def test_previous_input_messages_through_json_as_the_reference(harmony):
    """A request sent as JSON: the Harmony messages arrive as dicts (a dict is the exact match), on both sides."""
    def round_trip(h):
        Request = previous_input_request(h)
        again = Request.model_validate_json(Request(previous_input_messages=previous_messages(h)).model_dump_json())
        return [(type(m).__name__, without_content(plain(m))) for m in again.previous_input_messages]

    ours, theirs = (round_trip(s.h) for s in harmony.both())
    assert ours == theirs


def construct_previous_input_messages(h, request):
    """responses/harmony.py: construct_harmony_previous_input_messages with _parse_harmony_format_message."""
    messages = []
    for message in request.previous_input_messages or []:
        if isinstance(message, h.Message):
            converted = [message]
        elif "author" in message and isinstance(message.get("author"), dict):
            author = message["author"]
            contents = [h.TextContent(text=c.get("text", "")) for c in message.get("content", [])]
            if author.get("name"):
                msg = h.Message(author=h.Author.new(h.Role(author["role"]), author["name"]), content=contents)
            else:
                msg = h.Message.from_role_and_contents(h.Role(author["role"]), contents)
            for key, builder in (("channel", msg.with_channel), ("recipient", msg.with_recipient),
                                 ("content_type", msg.with_content_type)):
                if message.get(key):
                    msg = builder(message[key])
            converted = [msg]
        else:
            converted = [h.Message.from_role_and_contents(message["role"], [h.TextContent(text=message["content"])])]
        messages += [m for m in converted if m.author.role not in (h.Role.SYSTEM, h.Role.DEVELOPER)]
    return messages


def test_previous_input_messages_render_as_the_reference(harmony):
    def prompt(s):
        request = previous_input_request(s.h)(previous_input_messages=previous_messages(s.h))
        messages = [get_system_message(s.h)] + construct_previous_input_messages(s.h, request)
        return render_for_completion(s, messages)

    ours, theirs = (prompt(s) for s in harmony.both())
    assert ours == theirs


class UserParam(TypedDict, total=False):
    role: Literal["user"]
    content: str


def test_chat_completion_message_param_union(harmony):
    def validate(h):
        class ChatCompletionRequest(pydantic.BaseModel):
            messages: list[Union[UserParam, h.Message]]

        harmony_message = h.Message.from_role_and_content(h.Role.ASSISTANT, "yo").with_channel("final")
        request = ChatCompletionRequest(messages=[{"role": "user", "content": "hi"}, harmony_message])
        kinds = [type(m).__name__ for m in request.messages]
        return kinds, request.messages[0], dicts([request.messages[1]])

    ours, theirs = (validate(s.h) for s in harmony.both())
    assert ours == theirs


def serialize_message(msg):
    """protocol.py serialize_message."""
    if isinstance(msg, dict):
        return msg
    if hasattr(msg, "to_dict"):
        return msg.to_dict()
    return msg.model_dump(mode="json", by_alias=True)


def test_response_messages_field_serializer(harmony):
    def dump(h):
        class ResponsesResponse(pydantic.BaseModel):
            output_messages: Optional[list[Union[dict, h.Message]]] = None

            @pydantic.field_serializer("output_messages", when_used="json")
            def serialize_output_messages(self, msgs, _info):
                return [serialize_message(m) for m in msgs] if msgs else None

        message = h.Message.from_role_and_content(h.Role.ASSISTANT, "out").with_channel("final")
        return ResponsesResponse(output_messages=[message, {"raw": 1}]).model_dump_json()

    ours, theirs = (dump(s.h) for s in harmony.both())
    assert ours == theirs


def test_model_dump_of_a_message_keeps_content(harmony):
    def dump(h, **options):
        return h.Message.from_role_and_content(h.Role.USER, "hi").with_channel("final").model_dump(**options)

    for options in [{"exclude_none": True}, {}, {"mode": "json"}, {"exclude_unset": True}]:
        ours, theirs = (plain(dump(s.h, **options)) for s in harmony.both())
        assert without_content(ours) == without_content(theirs)
        assert ours["content"] == [{"type": "text", "text": "hi"}]


# --- responses/harmony.py and context.py -------------------------------------

def response_input_to_harmony(h, item: dict[str, Any], previous: list[dict]):
    if "type" not in item or item["type"] == "message":
        role, content = item["role"], item["content"]
        if isinstance(content, str):
            msg = h.Message.from_role_and_content(role, content)
        else:
            msg = h.Message.from_role_and_contents(role, [h.TextContent(text=c.get("text", "")) for c in content])
        return msg.with_channel("final") if role == "assistant" else msg
    if item["type"] == "function_call_output":
        call = next(p for p in reversed(previous) if p.get("type") == "function_call" and p["call_id"] == item["call_id"])
        return (h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, f"functions.{call['name']}"), item["output"])
                .with_channel("commentary").with_recipient("assistant"))
    if item["type"] == "reasoning":
        return h.Message.from_role_and_content(h.Role.ASSISTANT, "\n".join(c["text"] for c in item["content"])) \
            .with_channel("analysis")
    return (h.Message.from_role_and_content(h.Role.ASSISTANT, item["arguments"]).with_channel("commentary")
            .with_recipient(f"functions.{item['name']}").with_content_type("json"))


RESPONSE_INPUT = [
    {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
    {"type": "reasoning", "content": [{"type": "reasoning_text", "text": "Call it."}]},
    {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"Oslo"}'},
    {"type": "function_call_output", "call_id": "c1", "output": "cold"},
]


def test_responses_input_renders_as_the_reference(harmony):
    def prompt(s):
        h = s.h
        messages = [get_system_message(h, "low"),
                    get_developer_message(h, None, [tool_param("get_weather", "Weather.", WEATHER)])]
        messages += [response_input_to_harmony(h, item, RESPONSE_INPUT) for item in RESPONSE_INPUT]
        return dicts(messages), render_for_completion(s, messages)

    ours, theirs = (prompt(s) for s in harmony.both())
    assert ours == theirs


def test_tool_result_messages_as_context_builds_them(harmony):
    def build(s):
        h = s.h
        last = (h.Message.from_role_and_content(h.Role.ASSISTANT, '{"query": "x"}')
                .with_channel("analysis").with_recipient("browser.search"))
        result = h.Message(author=h.Author(role=h.Role.TOOL, name=last.recipient),
                           content=[h.TextContent(text="found")], recipient=h.Role.ASSISTANT, channel=last.channel)
        return result.recipient, dicts([result]), s.enc.render(result)

    ours, theirs = (build(s) for s in harmony.both())
    assert ours == theirs
    assert ours[0] == "assistant" and type(ours[0]) is str


def test_output_message_into_openai_types(harmony):
    from openai.types.responses import ResponseOutputMessage, ResponseOutputText

    def output(s):
        completion = s.enc.encode("<|channel|>final<|message|>Done.<|return|>", allowed_special="all")
        message = s.enc.parse_messages_from_completion_tokens(completion, s.h.Role.ASSISTANT)[0]
        item = ResponseOutputMessage(
            id="msg_1", role=message.author.role, status="completed", type="message",
            content=[ResponseOutputText(text=c.text, annotations=[], type="output_text", logprobs=None)
                     for c in message.content])
        return item.model_dump()

    ours, theirs = (output(s) for s in harmony.both())
    assert ours == theirs


def test_mcp_tool_namespace(harmony):
    def render(s):
        h = s.h
        listed = [SimpleNamespace(name="search", description="Search the repo.", input_schema=WEATHER),
                  SimpleNamespace(name="open", description=None, input_schema={"type": "object", "properties": {}})]
        outcome_new = [outcome(h.ToolDescription.new, name=t.name, description=t.description, parameters=t.input_schema)
                       for t in listed]
        tools = [result for kind, result in outcome_new if kind == "ok"]
        config = h.ToolNamespaceConfig(name="repo_browser", description="Browse the repo.", tools=tools)
        filtered = h.ToolNamespaceConfig(name=config.name, description=config.description,
                                         tools=[t for t in config.tools if t.name in ["search"]])
        system = get_system_message(h, "low", browser_description=filtered)
        return [kind for kind, _ in outcome_new], render_for_completion(s, [system])

    ours, theirs = (render(s) for s in harmony.both())
    assert ours == theirs


def test_role_enum_and_strings_compare_as_vllm_compares_them(harmony):
    def compare(h):
        message = h.Message.from_role_and_contents("assistant", [h.TextContent(text="x")])
        return (message.author.role == "assistant", message.author.role == h.Role.ASSISTANT,
                message.author.role in (h.Role.SYSTEM, h.Role.DEVELOPER), h.Role("tool") is h.Role.TOOL,
                str(message.author.role.value))

    ours, theirs = (compare(s.h) for s in harmony.both())
    assert ours == theirs


@pytest.mark.parametrize("bad", [None, 3, {"role": "user"}])
def test_bad_previous_input_is_refused_alike(harmony, bad):
    ours, theirs = (outcome(previous_input_request(s.h), previous_input_messages=[bad]) for s in harmony.both())
    assert ours[0] == theirs[0]


def test_harmony_message_in_chat_messages(harmony):
    """ChatCompletionMessageParam admits a Harmony Message; parse_chat_input_to_harmony_message model_dumps it."""
    def parse(h):
        message = h.Message.from_role_and_content(h.Role.USER, "hi")
        return outcome(lambda: dicts(parse_chat_input(h, message, {})))

    ours, theirs = (parse(s.h) for s in harmony.both())
    assert ours[0] == theirs[0]
