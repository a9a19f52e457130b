"""Chat Completions request -> Harmony prompt: one test per convention.

Each prompt is checked token for token against the conversation a person
would build by hand with the reference (openai-harmony), and every request
used here is first checked to be a valid request for the official `openai`
SDK's types, so that the tests speak the API's real shapes.
"""

import datetime

import openai_harmony as H
import pytest
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming
from pydantic import TypeAdapter
from sdk_bodies import sdk_body

from fastharmony import HarmonyError, RenderConversationConfig, Role, load_harmony_encoding
from fastharmony.chat import conversation_from_request, render_request

enc = load_harmony_encoding("HarmonyGptOss")
DATE = "2025-06-28"
REQUEST = TypeAdapter(CompletionCreateParamsNonStreaming)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Gets the current weather in the provided location.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "The city"}},
            "required": ["location"],
        },
    },
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time"}}


def sdk_request(**fields):
    """A request body that the SDK's CompletionCreateParamsNonStreaming accepts."""
    return sdk_body(REQUEST, fields)


def prompt(request, **options):
    options.setdefault("start_date", DATE)
    return render_request(enc, request, **options)


def reference_prompt(ref, messages):
    conversation = H.Conversation.from_messages(messages)
    return ref.render_conversation_for_completion(conversation, H.Role.ASSISTANT)


def system(channels=("analysis", "final"), **changes):
    content = H.SystemContent.new().with_conversation_start_date(DATE)
    content = content.with_required_channels(list(channels))
    for name, value in changes.items():
        content = getattr(content, f"with_{name}")(value)
    return H.Message.from_role_and_content(H.Role.SYSTEM, content)


def developer(instructions=None, tools=None):
    content = H.DeveloperContent.new()
    if instructions is not None:
        content = content.with_instructions(instructions)
    if tools is not None:
        content = content.with_function_tools(tools)
    return H.Message.from_role_and_content(H.Role.DEVELOPER, content)


def user(text):
    return H.Message.from_role_and_content(H.Role.USER, text)


def assistant(text, channel, recipient=None):
    message = H.Message.from_role_and_content(H.Role.ASSISTANT, text).with_channel(channel)
    if recipient is not None:
        message = message.with_recipient(recipient).with_content_type("<|constrain|>json")
    return message


def tool_result(name, text):
    author = H.Author.new(H.Role.TOOL, f"functions.{name}")
    return (
        H.Message.from_author_and_content(author, text)
        .with_recipient("assistant")
        .with_channel("commentary")
    )


def weather_description():
    function = WEATHER_TOOL["function"]
    return H.ToolDescription.new(function["name"], function["description"], function["parameters"])


def call(call_id, name, arguments):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


# -- the system message --------------------------------------------------------------


def test_a_plain_request_is_a_system_message_and_the_user_message(ref):
    request = sdk_request(messages=[{"role": "user", "content": "What is 2 + 2?"}])
    assert prompt(request) == reference_prompt(ref, [system(), user("What is 2 + 2?")])


def test_the_prompt_ends_with_the_assistant_to_speak_next():
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}])
    assert enc.decode(prompt(request)).endswith("<|start|>user<|message|>Hi<|end|><|start|>assistant")


def test_commentary_is_offered_only_with_function_tools(ref):
    plain = sdk_request(messages=[{"role": "user", "content": "Hi"}])
    with_tools = sdk_request(messages=[{"role": "user", "content": "Hi"}], tools=[WEATHER_TOOL])
    assert "# Valid channels: analysis, final." in enc.decode(prompt(plain))
    text = enc.decode(prompt(with_tools))
    assert "# Valid channels: analysis, commentary, final." in text
    assert "Calls to these tools must go to the commentary channel: 'functions'." in text


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_reasoning_effort_comes_from_the_request(ref, effort):
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}], reasoning_effort=effort)
    expected = system(reasoning_effort=H.ReasoningEffort(effort.capitalize()))
    assert prompt(request) == reference_prompt(ref, [expected, user("Hi")])
    assert f"\nReasoning: {effort}\n" in enc.decode(prompt(request))


def test_without_reasoning_effort_the_model_reasons_at_medium():
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}])
    assert "\nReasoning: medium\n" in enc.decode(prompt(request))


@pytest.mark.parametrize("effort", ["minimal", "none", "xhigh"])
def test_reasoning_efforts_gpt_oss_lacks_are_refused(effort):
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}], reasoning_effort=effort)
    with pytest.raises(ValueError, match=rf"^reasoning_effort: .*'low', 'medium' or 'high', got '{effort}'"):
        prompt(request)


def test_identity_knowledge_cutoff_and_date_are_options(ref):
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}])
    tokens = render_request(
        enc,
        request,
        start_date=datetime.date(2025, 1, 2),
        model_identity="You are Otto.",
        knowledge_cutoff="2024-09",
    )
    expected = system(model_identity="You are Otto.", knowledge_cutoff="2024-09")
    expected.content[0].conversation_start_date = "2025-01-02"
    assert tokens == reference_prompt(ref, [expected, user("Hi")])


def test_the_date_defaults_to_today():
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}])
    text = enc.decode(render_request(enc, request))
    assert f"Current date: {datetime.date.today().isoformat()}\n" in text


# -- the developer message ------------------------------------------------------------


def test_system_and_developer_messages_become_the_instructions_in_order(ref):
    request = sdk_request(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
            {"role": "user", "content": "Hi"},
        ]
    )
    expected = [system(), developer("Be brief.\n\nAnswer in French."), user("Hi")]
    assert prompt(request) == reference_prompt(ref, expected)


def test_no_developer_message_without_instructions_tools_or_response_format():
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}], tools=[], tool_choice="auto")
    roles = [m.author.role for m in conversation_from_request(request, start_date=DATE).messages]
    assert roles == [Role.SYSTEM, Role.USER]


def test_function_tools_become_the_developer_messages_functions(ref):
    request = sdk_request(
        messages=[{"role": "system", "content": "Use a friendly tone."}, {"role": "user", "content": "Weather?"}],
        tools=[WEATHER_TOOL, TIME_TOOL],
    )
    tools = [weather_description(), H.ToolDescription.new("get_time", "")]
    expected = [
        system(channels=("analysis", "commentary", "final")),
        developer("Use a friendly tone.", tools),
        user("Weather?"),
    ]
    assert prompt(request) == reference_prompt(ref, expected)


def test_tool_choice_none_leaves_the_tools_out(ref):
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}], tools=[WEATHER_TOOL], tool_choice="none")
    assert prompt(request) == reference_prompt(ref, [system(), user("Hi")])


@pytest.mark.parametrize(
    "tool_choice", ["auto", "required", {"type": "function", "function": {"name": "get_weather"}}]
)
def test_other_tool_choices_leave_the_prompt_as_it_is(tool_choice):
    base = sdk_request(messages=[{"role": "user", "content": "Hi"}], tools=[WEATHER_TOOL])
    chosen = sdk_request(messages=[{"role": "user", "content": "Hi"}], tools=[WEATHER_TOOL], tool_choice=tool_choice)
    assert prompt(chosen) == prompt(base)


SHOPPING_SCHEMA = {
    "type": "object",
    "properties": {"items": {"type": "array", "description": "entries on the shopping list", "items": {"type": "string"}}},
}
SHOPPING_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "shopping_list", "description": "A shopping list", "schema": SHOPPING_SCHEMA, "strict": True},
}
SHOPPING_SECTION = (
    "# Response Formats\n\n## shopping_list\n\n// A shopping list\n"
    '{"type":"object","properties":{"items":{"type":"array","description":"entries on the shopping list",'
    '"items":{"type":"string"}}}}'
)


def developer_tokens(text):
    """A developer message whose content is `text`, encoded in one piece."""
    return enc.encode("<|start|>developer<|message|>", allowed_special="all") + enc.encode(text) + enc.encode(
        "<|end|>", allowed_special="all"
    )


def test_a_json_schema_response_format_ends_the_developer_message(ref):
    request = sdk_request(
        messages=[{"role": "system", "content": "You are a helpful shopping assistant"}, {"role": "user", "content": "Coffee, soda"}],
        response_format=SHOPPING_FORMAT,
    )
    expected_text = "# Instructions\n\nYou are a helpful shopping assistant\n\n" + SHOPPING_SECTION
    system_tokens = ref.render(system())
    user_tokens = ref.render(user("Coffee, soda"))
    assistant_start = enc.encode("<|start|>assistant", allowed_special="all")
    assert prompt(request) == system_tokens + developer_tokens(expected_text) + user_tokens + assistant_start


def test_the_response_format_follows_the_tools(ref):
    request = sdk_request(
        messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL], response_format=SHOPPING_FORMAT
    )
    reference_developer = ref.render(developer(tools=[weather_description()]))
    developer_text = ref.decode_utf8(reference_developer[3:-1])  # between <|message|> and <|end|>
    conversation = conversation_from_request(request, start_date=DATE)
    rendered = enc.render(conversation.messages[1])
    assert rendered == developer_tokens(developer_text + "\n\n" + SHOPPING_SECTION)


def test_a_response_format_alone_makes_the_developer_message_and_may_lack_a_description():
    request = sdk_request(
        messages=[{"role": "user", "content": "List"}],
        response_format={"type": "json_schema", "json_schema": {"name": "list", "schema": {"type": "array"}}},
    )
    developer_message = conversation_from_request(request, start_date=DATE).messages[1]
    assert enc.render(developer_message) == developer_tokens('# Response Formats\n\n## list\n\n{"type":"array"}')


@pytest.mark.parametrize("response_format", [{"type": "text"}, {"type": "json_object"}])
def test_text_and_json_object_formats_leave_the_prompt_as_it_is(response_format):
    base = sdk_request(messages=[{"role": "user", "content": "Hi"}])
    formatted = sdk_request(messages=[{"role": "user", "content": "Hi"}], response_format=response_format)
    assert prompt(formatted) == prompt(base)


# -- user content --------------------------------------------------------------------


def test_user_text_parts_are_joined_by_newlines(ref):
    request = sdk_request(
        messages=[{"role": "user", "content": [{"type": "text", "text": "Look:"}, {"type": "text", "text": "2 + 2"}]}]
    )
    assert prompt(request) == reference_prompt(ref, [system(), user("Look:\n2 + 2")])


@pytest.mark.parametrize(
    "part",
    [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"type": "file", "file": {"file_id": "file-1"}},
    ],
)
def test_image_audio_and_file_parts_are_refused(part):
    request = sdk_request(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "First"},
            {"role": "user", "content": [part, {"type": "text", "text": "What is this?"}]},
        ]
    )
    expected = rf"^messages\[2\]\.content\[0\]\.type: {part['type']} parts are not supported \(gpt-oss reads text only\)$"
    with pytest.raises(HarmonyError, match=expected):
        prompt(request)


# -- assistant history -----------------------------------------------------------------


def test_assistant_reasoning_is_analysis_and_content_is_final(ref):
    request = sdk_request(
        messages=[
            {"role": "user", "content": "2 + 2?"},
            {"role": "assistant", "content": "4", "reasoning_content": "Simple arithmetic."},
        ]
    )
    # The last message is a final answer: its reasoning goes, as the reference drops it.
    expected = [system(), user("2 + 2?"), assistant("Simple arithmetic.", "analysis"), assistant("4", "final")]
    assert prompt(request) == reference_prompt(ref, expected)


def test_reasoning_is_also_accepted_as_reasoning(ref):
    messages = [{"role": "user", "content": "Weather?"}]
    one = sdk_request(
        messages=messages + [{"role": "assistant", "reasoning_content": "Use the tool.", "tool_calls": [call("c1", "get_weather", "{}")]}],
        tools=[WEATHER_TOOL],
    )
    other = sdk_request(
        messages=messages + [{"role": "assistant", "reasoning": "Use the tool.", "tool_calls": [call("c1", "get_weather", "{}")]}],
        tools=[WEATHER_TOOL],
    )
    assert prompt(one) == prompt(other)
    assert "<|channel|>analysis<|message|>Use the tool.<|end|>" in enc.decode(prompt(other))


def test_tool_calls_are_commentary_json_messages_after_reasoning_and_preamble(ref):
    request = sdk_request(
        messages=[
            {"role": "user", "content": "Weather in Tokyo and Paris?"},
            {
                "role": "assistant",
                "reasoning_content": "Need both cities.",
                "content": "Checking two cities.",
                "tool_calls": [
                    call("call_a", "get_weather", '{"location":"Tokyo"}'),
                    call("call_b", "get_weather", '{"location":"Paris"}'),
                ],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": '{"temperature":20}'},
            {"role": "tool", "tool_call_id": "call_b", "content": [{"type": "text", "text": '{"temperature":15}'}]},
        ],
        tools=[WEATHER_TOOL],
    )
    expected = [
        system(channels=("analysis", "commentary", "final")),
        developer(tools=[weather_description()]),
        user("Weather in Tokyo and Paris?"),
        assistant("Need both cities.", "analysis"),
        assistant("Checking two cities.", "commentary"),
        assistant('{"location":"Tokyo"}', "commentary", "functions.get_weather"),
        assistant('{"location":"Paris"}', "commentary", "functions.get_weather"),
        tool_result("get_weather", '{"temperature":20}'),
        tool_result("get_weather", '{"temperature":15}'),
    ]
    assert prompt(request) == reference_prompt(ref, expected)
    text = enc.decode(prompt(request))
    assert (
        '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"location":"Tokyo"}<|call|>'
        in text
    )
    assert '<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temperature":20}<|end|>' in text


def test_tool_call_arguments_given_as_an_object_are_sent_as_compact_json():
    # Not the SDK's shape (it sends a string), but some clients do this.
    request = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "get_weather", "arguments": {"location": "Köln"}}}]},
        ]
    }
    conversation = conversation_from_request(request, start_date=DATE)
    assert conversation.messages[-1].content[0].text == '{"location":"Köln"}'


def test_empty_assistant_content_adds_no_message():
    request = sdk_request(messages=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None}, {"role": "assistant", "content": ""}])
    assert [m.author.role for m in conversation_from_request(request, start_date=DATE).messages] == [Role.SYSTEM, Role.USER]


def test_an_assistant_refusal_is_its_answer(ref):
    request = sdk_request(
        messages=[
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": None, "refusal": "I can't help with that."},
            {"role": "user", "content": "Why?"},
        ]
    )
    expected = [system(), user("Hi"), assistant("I can't help with that.", "final"), user("Why?")]
    assert prompt(request) == reference_prompt(ref, expected)


# -- tool results ------------------------------------------------------------------------


def test_a_tool_result_is_authored_by_the_function_its_call_named(ref):
    request = sdk_request(
        messages=[
            {"role": "user", "content": "Time?"},
            {"role": "assistant", "tool_calls": [call("call_t", "get_time", "{}")]},
            {"role": "tool", "tool_call_id": "call_t", "content": "12:00"},
        ],
        tools=[TIME_TOOL],
    )
    messages = conversation_from_request(request, start_date=DATE).messages
    assert messages[-1].author.name == "functions.get_time"
    assert messages[-1].recipient == "assistant" and messages[-1].channel == "commentary"


def test_an_explicit_name_serves_when_the_call_is_not_in_the_history():
    request = {"messages": [{"role": "user", "content": "Time?"}, {"role": "tool", "tool_call_id": "gone", "name": "get_time", "content": "12:00"}]}
    assert conversation_from_request(request, start_date=DATE).messages[-1].author.name == "functions.get_time"


def test_an_unknown_tool_call_id_is_an_error():
    request = sdk_request(
        messages=[
            {"role": "user", "content": "Time?"},
            {"role": "assistant", "tool_calls": [call("call_t", "get_time", "{}")]},
            {"role": "tool", "tool_call_id": "call_x", "content": "12:00"},
        ]
    )
    with pytest.raises(ValueError, match=r"^messages\[2\]\.tool_call_id: 'call_x' is not the id of a tool call"):
        prompt(request)


def test_a_tool_result_without_id_or_name_is_an_error():
    request = {"messages": [{"role": "tool", "content": "12:00"}]}
    with pytest.raises(HarmonyError, match=r"^messages\[0\]\.tool_call_id: missing"):
        prompt(request)


# -- reasoning between turns -----------------------------------------------------------------


def tool_turn(question, reasoning, call_id, answer_reasoning=None, answer=None):
    turn = [
        {"role": "user", "content": question},
        {"role": "assistant", "reasoning_content": reasoning, "tool_calls": [call(call_id, "get_time", "{}")]},
        {"role": "tool", "tool_call_id": call_id, "content": "12:00"},
    ]
    if answer is not None:
        turn.append({"role": "assistant", "reasoning_content": answer_reasoning, "content": answer})
    return turn


def test_reasoning_during_a_chain_of_tool_calls_is_kept(ref):
    request = sdk_request(messages=tool_turn("Time?", "Use the clock.", "c1"), tools=[TIME_TOOL])
    expected = [
        system(channels=("analysis", "commentary", "final")),
        developer(tools=[H.ToolDescription.new("get_time", "")]),
        user("Time?"),
        assistant("Use the clock.", "analysis"),
        assistant("{}", "commentary", "functions.get_time"),
        tool_result("get_time", "12:00"),
    ]
    assert prompt(request) == reference_prompt(ref, expected)


def two_tool_turns():
    """A request of two turns that call get_time: the first ends in a final
    answer (with reasoning before the call and before the answer), the second
    is still calling."""
    first = tool_turn("Time?", "Use the clock.", "c1", "Got it.", "It is noon.")
    second = tool_turn("And now?", "Ask again.", "c2")
    return sdk_request(messages=first + second, tools=[TIME_TOOL])


def test_reasoning_that_led_to_a_final_answer_is_dropped_in_later_turns(ref):
    request = two_tool_turns()
    expected = [
        system(channels=("analysis", "commentary", "final")),
        developer(tools=[H.ToolDescription.new("get_time", "")]),
        user("Time?"),
        assistant("{}", "commentary", "functions.get_time"),
        tool_result("get_time", "12:00"),
        assistant("It is noon.", "final"),
        user("And now?"),
        assistant("Ask again.", "analysis"),
        assistant("{}", "commentary", "functions.get_time"),
        tool_result("get_time", "12:00"),
    ]
    assert prompt(request) == reference_prompt(ref, expected)


def test_the_reference_default_alone_would_render_the_first_turns_reasoning_again(ref):
    # Why conversation_from_request drops it itself: the reference drops
    # analysis only when the last assistant message is a final answer.
    everything = [
        user("Time?"),
        assistant("Use the clock.", "analysis"),
        assistant("{}", "commentary", "functions.get_time"),
        tool_result("get_time", "12:00"),
        assistant("Got it.", "analysis"),
        assistant("It is noon.", "final"),
        user("And now?"),
        assistant("Ask again.", "analysis"),
    ]
    assert "Use the clock." in ref.decode_utf8(reference_prompt(ref, everything))
    request = two_tool_turns()
    text = enc.decode(prompt(request))
    assert "Use the clock." not in text and "Got it." not in text and "Ask again." in text


def test_keep_reasoning_keeps_the_reasoning_of_finished_turns_for_transcripts(ref):
    # Training data is a transcript, not a prompt: with keep_reasoning=True
    # nothing is left out; every other rule is the request's.
    request = two_tool_turns()
    expected = [
        system(channels=("analysis", "commentary", "final")),
        developer(tools=[H.ToolDescription.new("get_time", "")]),
        user("Time?"),
        assistant("Use the clock.", "analysis"),
        assistant("{}", "commentary", "functions.get_time"),
        tool_result("get_time", "12:00"),
        assistant("Got it.", "analysis"),
        assistant("It is noon.", "final"),
        user("And now?"),
        assistant("Ask again.", "analysis"),
        assistant("{}", "commentary", "functions.get_time"),
        tool_result("get_time", "12:00"),
    ]
    conversation = conversation_from_request(request, start_date=DATE, keep_reasoning=True)
    keep_all = RenderConversationConfig(auto_drop_analysis=False)
    assert enc.render_conversation(conversation, keep_all) == ref.render_conversation(
        H.Conversation.from_messages(expected), H.RenderConversationConfig(auto_drop_analysis=False)
    )
    dropped = conversation_from_request(request, start_date=DATE)
    assert [m for m in conversation.messages if m.channel != "analysis" or m in dropped.messages] == dropped.messages


def test_the_prompt_is_the_rendered_conversation():
    first = tool_turn("Time?", "Use the clock.", "c1", "Got it.", "It is noon.")
    request = sdk_request(messages=first + [{"role": "user", "content": "Thanks"}], tools=[TIME_TOOL])
    conversation = conversation_from_request(request, start_date=DATE)
    assert prompt(request) == enc.render_conversation_for_completion(conversation, Role.ASSISTANT)


# -- bad requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_body, message",
    [
        ("not a dict", r"^request: expected a JSON object \(dict\), got str$"),
        ({}, r"missing required field `messages`"),
        ({"messages": [{"role": "wizard", "content": "x"}]}, r"^messages\[0\]\.role: Unknown role: 'wizard'$"),
        ({"messages": [{"role": "user", "content": 3}]}, r"^messages\[0\]\.content: expected `str \| array`, got `int`$"),
        ({"messages": [{"role": "user", "content": [{"type": "video"}]}]}, r"^messages\[0\]\.content\[0\]\.type: unknown content type 'video'$"),
        ({"messages": [{"role": "user", "content": [{"type": "refusal", "refusal": "no"}]}]}, r"^messages\[0\]\.content\[0\]\.type: refusal parts belong in assistant messages only$"),
        ({"messages": [{"role": "function", "name": "f", "content": "x"}]}, r"^messages\[0\]\.role: 'function' messages are the legacy form"),
        ({"messages": [{"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}}]}, r"^messages\[0\]\.function_call: the legacy"),
        ({"messages": [], "functions": [{"name": "f"}]}, r"^functions: the legacy `functions` parameter"),
        ({"messages": [], "tools": [{"type": "custom", "custom": {"name": "x"}}]}, r"^tools\[0\]\.type: only function tools are supported, got 'custom'$"),
        ({"messages": [], "tools": [{"type": "function"}]}, r"^tools\[0\]\.function: missing"),
        ({"messages": [], "tools": [{"type": "function", "function": {"name": 7}}]}, r"^tools\[0\]\.function\.name: expected `str`, got `int`$"),
        (
            {"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "custom", "custom": {"name": "x", "input": ""}}]}]},
            r"^messages\[0\]\.tool_calls\[0\]\.type: only function tool calls are supported, got 'custom'$",
        ),
        ({"messages": [], "response_format": {"type": "json"}}, r"^response_format\.type: unknown type 'json'$"),
        ({"messages": [], "tool_choice": "sometimes"}, r"^tool_choice: "),
    ],
)
def test_bad_requests_are_refused_with_the_field_path(request_body, message):
    with pytest.raises(HarmonyError, match=message) as info:
        conversation_from_request(request_body, start_date=DATE)
    assert isinstance(info.value, ValueError)


def test_options_are_checked():
    with pytest.raises(ValueError, match=r"^start_date: expected str"):
        conversation_from_request({"messages": []}, start_date=20250628)
    with pytest.raises(ValueError, match=r"^model_identity: expected str"):
        conversation_from_request({"messages": []}, model_identity=1)


def test_fields_that_do_not_shape_the_prompt_are_ignored(ref):
    request = sdk_request(
        messages=[{"role": "user", "content": "Hi", "name": "ann"}],
        temperature=0.2,
        max_tokens=5,
        stream_options={"include_usage": True},
        n=1,
        stop=["\n"],
    )
    assert prompt(request) == reference_prompt(ref, [system(), user("Hi")])
