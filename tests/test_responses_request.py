"""Responses API request -> Harmony prompt: one test per convention.

Each prompt is checked token for token against the conversation a person
would build by hand with the reference (openai-harmony), and every request
used is first checked to be valid for the official `openai` SDK's types.
"""

import openai_harmony as H
import pytest
from responses_checks import enc, sdk_request

from fastharmony import HarmonyError
from fastharmony.responses import conversation_from_request, render_request

DATE = "2025-06-28"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Gets the weather.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "strict": True,
}


def prompt(request, **options):
    options.setdefault("start_date", DATE)
    return render_request(enc, request, **options)


def reference(ref, *messages):
    return ref.render_conversation_for_completion(H.Conversation.from_messages(list(messages)), H.Role.ASSISTANT)


def system(channels=("analysis", "final"), effort=None, browser=False, python=False):
    content = H.SystemContent.new().with_conversation_start_date(DATE).with_required_channels(list(channels))
    if effort is not None:
        content = content.with_reasoning_effort(effort)
    if browser:
        content = content.with_browser_tool()
    if python:
        content = content.with_python_tool()
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


def assistant(text, channel, recipient=None, content_type=None):
    message = H.Message.from_role_and_content(H.Role.ASSISTANT, text).with_channel(channel)
    if recipient is not None:
        message = message.with_recipient(recipient)
    if content_type is not None:
        message = message.with_content_type(content_type)
    return message


def call(name, arguments):
    return assistant(arguments, "commentary", f"functions.{name}", "<|constrain|>json")


def result(name, text):
    return H.Message.from_author_and_content(H.Author.new(H.Role.TOOL, f"functions.{name}"), text).with_recipient(
        "assistant").with_channel("commentary")  # fmt: skip


def weather():
    return H.ToolDescription.new(WEATHER["name"], WEATHER["description"], WEATHER["parameters"])


# -- system and developer messages ---------------------------------------------------------


def test_a_string_input_is_one_user_message(ref):
    assert prompt(sdk_request(input="Hi")) == reference(ref, system(), user("Hi"))


def test_the_prompt_ends_with_the_assistant_to_speak_next():
    assert enc.decode(prompt(sdk_request(input="Hi"))[-2:]) == "<|start|>assistant"


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_reasoning_effort_comes_from_the_request(ref, effort):
    expected = reference(ref, system(effort=H.ReasoningEffort(effort.capitalize())), user("Hi"))
    assert prompt(sdk_request(input="Hi", reasoning={"effort": effort})) == expected


def test_without_an_effort_the_model_reasons_at_medium():
    assert "Reasoning: medium" in enc.decode(prompt(sdk_request(input="Hi", reasoning={})))


@pytest.mark.parametrize("effort", ["minimal", "none", "xhigh"])
def test_efforts_gpt_oss_lacks_are_refused(effort):
    with pytest.raises(HarmonyError, match=r"reasoning\.effort"):
        prompt({"input": "Hi", "reasoning": {"effort": effort}})


def test_instructions_then_system_and_developer_messages_are_the_instructions(ref):
    request = sdk_request(
        instructions="Be brief.",
        input=[
            {"role": "system", "content": "Speak French."},
            {"role": "user", "content": "Hi"},
            {"role": "developer", "content": [{"type": "input_text", "text": "No emoji."}]},
        ],
    )
    expected = reference(ref, system(), developer("Be brief.\n\nSpeak French.\n\nNo emoji."), user("Hi"))
    assert prompt(request) == expected


def test_function_tools_are_the_developer_messages_functions_and_offer_commentary(ref):
    expected = reference(ref, system(("analysis", "commentary", "final")), developer(tools=[weather()]), user("Hi"))
    assert prompt(sdk_request(input="Hi", tools=[WEATHER])) == expected


def test_tool_choice_none_leaves_every_tool_out(ref):
    request = sdk_request(input="Hi", tools=[WEATHER, {"type": "web_search"}], tool_choice="none")
    assert prompt(request) == reference(ref, system(), user("Hi"))


@pytest.mark.parametrize("kind", ["web_search", "web_search_preview", "web_search_2025_08_26"])
def test_web_search_tools_are_the_browser_tool(ref, kind):
    expected = reference(ref, system(browser=True), user("Hi"))
    assert prompt(sdk_request(input="Hi", tools=[{"type": kind}])) == expected


def test_code_interpreter_is_the_python_tool(ref):
    request = sdk_request(input="Hi", tools=[{"type": "code_interpreter", "container": {"type": "auto"}}])
    assert prompt(request) == reference(ref, system(python=True), user("Hi"))


def test_builtin_tools_option_overrides_the_request(ref):
    assert prompt(sdk_request(input="Hi"), builtin_tools=["browser", "python"]) == reference(
        ref, system(browser=True, python=True), user("Hi"))  # fmt: skip


def test_tools_gpt_oss_lacks_are_refused():
    with pytest.raises(HarmonyError, match=r"tools\[0\]\.type"):
        prompt({"input": "Hi", "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}]})


def test_a_json_schema_text_format_ends_the_developer_message(ref):
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    request = sdk_request(input="Hi", text={"format": {"type": "json_schema", "name": "count", "schema": schema, "description": "A count."}})
    section = '# Response Formats\n\n## count\n\n// A count.\n{"type":"object","properties":{"n":{"type":"integer"}}}'
    dev = H.Message.from_role_and_contents(H.Role.DEVELOPER, [H.DeveloperContent.new(), H.TextContent(text=section)])
    assert prompt(request) == reference(ref, system(), dev, user("Hi"))


# -- input items --------------------------------------------------------------------------------


def test_text_parts_are_joined_by_newlines(ref):
    request = sdk_request(input=[{"role": "user", "content": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]}])
    assert prompt(request) == reference(ref, system(), user("a\nb"))


def test_image_parts_are_refused():
    request = {"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "https://x/y.png"}]}]}
    with pytest.raises(HarmonyError, match=r"input\[0\]\.content\[0\]\.type"):
        prompt(request)


def test_a_function_call_round_trip(ref):
    request = sdk_request(
        tools=[WEATHER],
        input=[
            {"role": "user", "content": "Weather in Oslo?"},
            {"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "Need weather."}]},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Oslo"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "Sunny"},
        ],
    )
    expected = reference(
        ref, system(("analysis", "commentary", "final")), developer(tools=[weather()]), user("Weather in Oslo?"),
        assistant("Need weather.", "analysis"), call("get_weather", '{"city":"Oslo"}'), result("get_weather", "Sunny"),
    )  # fmt: skip
    assert prompt(request) == expected


def test_previous_items_come_before_the_input(ref):
    previous = [
        {"role": "user", "content": "Weather in Oslo?"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}", "id": "fc_1", "status": "completed"},
    ]
    request = sdk_request(tools=[WEATHER], input=[{"type": "function_call_output", "call_id": "call_1", "output": "Sunny"}])
    expected = reference(
        ref, system(("analysis", "commentary", "final")), developer(tools=[weather()]), user("Weather in Oslo?"),
        call("get_weather", "{}"), result("get_weather", "Sunny"),
    )  # fmt: skip
    assert prompt(request, previous=previous) == expected


def test_an_unknown_call_id_is_an_error_naming_it():
    request = {"input": [{"type": "function_call_output", "call_id": "call_x", "output": "?"}]}
    with pytest.raises(HarmonyError, match=r"input\[0\]\.call_id: 'call_x'"):
        prompt(request)


def test_a_call_id_used_twice_binds_its_output_to_the_newer_call(ref):
    request = sdk_request(input=[
        {"type": "function_call", "call_id": "c", "name": "first", "arguments": "{}"},
        {"type": "function_call", "call_id": "c", "name": "second", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": "ok"},
    ])  # fmt: skip
    expected = reference(ref, system(), call("first", "{}"), call("second", "{}"), result("second", "ok"))
    assert prompt(request) == expected


def test_reasoning_items_use_their_content_else_their_summary_and_encrypted_only_ones_are_left_out(ref):
    request = sdk_request(input=[
        {"role": "user", "content": "Go"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Summary."}]},
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "gAAAA..."},
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
    ])  # fmt: skip
    expected = reference(ref, system(), user("Go"), assistant("Summary.", "analysis"), call("f", "{}"))
    assert prompt(request) == expected


def test_reasoning_of_a_finished_turn_is_dropped(ref):
    request = sdk_request(input=[
        {"role": "user", "content": "Q1"},
        {"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "Think 1."}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "A1", "annotations": []}], "id": "msg_1", "status": "completed"},
        {"role": "user", "content": "Q2"},
    ])  # fmt: skip
    assert prompt(request) == reference(ref, system(), user("Q1"), assistant("A1", "final"), user("Q2"))


def test_an_assistant_message_in_the_commentary_phase_is_a_preamble(ref):
    request = {"input": [{"role": "user", "content": "Go"}, {"type": "message", "role": "assistant", "phase": "commentary",
               "content": [{"type": "output_text", "text": "Looking.", "annotations": []}]}]}  # fmt: skip
    assert prompt(request) == reference(ref, system(), user("Go"), assistant("Looking.", "commentary"))


def test_built_in_tool_calls_are_rendered_as_the_model_made_them(ref):
    request = sdk_request(
        tools=[{"type": "web_search"}, {"type": "code_interpreter", "container": "cntr_1"}],
        input=[
            {"role": "user", "content": "Go"},
            {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"type": "search", "query": "q"}},
            {"type": "web_search_call", "id": "ws_2", "status": "completed", "action": {"type": "open_page", "url": "https://e.com"}},
            {"type": "web_search_call", "id": "ws_3", "status": "completed", "action": {"type": "find_in_page", "pattern": "p", "url": "https://e.com"}},
            {"type": "code_interpreter_call", "id": "ci_1", "status": "completed", "code": "1+1", "container_id": "cntr_1",
             "outputs": [{"type": "logs", "logs": "2"}]},
        ],
    )  # fmt: skip
    python_answer = H.Message.from_author_and_content(H.Author.new(H.Role.TOOL, "python"), "2").with_recipient(
        "assistant").with_channel("analysis")  # fmt: skip
    expected = reference(
        ref, system(browser=True, python=True), user("Go"),
        assistant('{"query":"q"}', "analysis", "browser.search", "code"),
        assistant('{"id":"https://e.com"}', "analysis", "browser.open", "code"),
        assistant('{"pattern":"p"}', "analysis", "browser.find", "code"),
        assistant("1+1", "analysis", "python", "code"), python_answer,
    )  # fmt: skip
    assert prompt(request) == expected


def test_output_items_go_back_as_input_as_the_model_wrote_them(ref):
    from responses_checks import counting_ids

    from fastharmony.responses import output_items_from_completion

    completion = (
        "<|channel|>analysis<|message|>Need weather.<|end|>"
        "<|start|>assistant<|channel|>commentary<|message|>Checking.<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Oslo"}<|call|>'
    )
    first = sdk_request(input="Weather?", tools=[WEATHER])
    items = output_items_from_completion(enc, enc.encode(completion, allowed_special="all"), request=first, ids=counting_ids())
    call_id = items[-1]["call_id"]
    second = sdk_request(tools=[WEATHER], input=[{"type": "function_call_output", "call_id": call_id, "output": "Sunny"}])
    tokens = prompt(second, previous=[{"role": "user", "content": "Weather?"}, *items])
    # What the model wrote reappears, each message as the reference renders it (a
    # call's recipient moves to the role part, as the reference puts it).
    expected = reference(
        ref, system(("analysis", "commentary", "final")), developer(tools=[weather()]), user("Weather?"),
        assistant("Need weather.", "analysis"), assistant("Checking.", "commentary"),
        call("get_weather", '{"city":"Oslo"}'), result("get_weather", "Sunny"),
    )  # fmt: skip
    assert tokens == expected


@pytest.mark.parametrize(
    "request_body, message",
    [
        ([], "request: expected a JSON object"),
        ({"input": 3}, "input"),
        ({"input": [{"type": "item_reference", "id": "x"}]}, r"input\[0\]\.type"),
        ({"input": [{"role": "wizard", "content": "x"}]}, r"input\[0\]\.role"),
        ({"input": [{"type": "function_call", "name": "f"}]}, r"input\[0\]"),
        ({"input": ["text"]}, r"input\[0\]"),
        ({"input": "x", "text": {"format": {"type": "json_schema", "name": "n", "schema": {"a": object()}}}}, r"text\.format\.schema"),
    ],
)
def test_bad_requests_are_refused_with_the_field_path(request_body, message):
    with pytest.raises(HarmonyError, match=message):
        prompt(request_body)


def test_a_2000_deep_schema_is_a_harmony_error():
    deep = {}
    for _ in range(2000):
        deep = {"a": deep}
    with pytest.raises(HarmonyError, match=r"text\.format\.schema"):
        prompt({"input": "x", "text": {"format": {"type": "json_schema", "name": "n", "schema": deep}}})


def test_the_conversation_is_what_is_rendered():
    request = sdk_request(input="Hi", instructions="Be brief.")
    conversation = conversation_from_request(request, start_date=DATE)
    from fastharmony import Role

    assert enc.render_conversation_for_completion(conversation, Role.ASSISTANT) == prompt(request)
