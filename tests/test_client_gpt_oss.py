"""gpt-oss's use of openai_harmony, reproduced call for call, fastharmony (through the shim) against the reference.

Read from the gpt-oss 0.0.9 wheel (`pip download --no-deps gpt-oss`; it needs
Python 3.12, so it is not imported here). Reproduced, with every call they
make on Harmony objects:
- gpt_oss/responses_api/api_server.py: the prompt built from a Responses
  request (system content, browser and python tool namespaces, developer
  instructions and function tools, input items), the non-streaming output
  (`parse_messages_from_completion_tokens`, `entry.to_dict()`), and the
  streaming loop (`StreamableParser`, `state == StreamState.EXPECT_START`,
  `messages[-1]`, `last_content_delta`, a tool result rendered with
  `render_conversation_for_completion` and fed back into the parser);
- gpt_oss/responses_api/types.py: `ReasoningEffort` as a pydantic field type;
- gpt_oss/tools/tool.py: `Tool.error_message` (a `Message` built with an
  unknown `id=` keyword and a single `TextContent` as content) and
  `_maybe_update_inplace_and_validate_channel` (assigning `message.channel`);
- gpt_oss/tools/simple_browser/simple_browser_tool.py and
  python_docker/docker_tool.py: `tool_config` (`ToolNamespaceConfig.browser()`
  with `name` and `description` assigned; `ToolNamespaceConfig(name=...,
  description=..., tools=[])`) and `make_response`;
- gpt_oss/chat.py: the system message shown with `render_conversation`, the
  user-message frame cut from `render(...)`, tool results with the channel of
  the call.
"""

from __future__ import annotations

import uuid
from typing import Literal, Union

import pydantic
from clients import dicts, harmony, outcome  # noqa: F401  (harmony is a fixture)

START_DATE = "2025-08-05"


def tool_configs(h):
    browser = h.ToolNamespaceConfig.browser()
    browser.name = "browser"
    browser.description = "Tool for browsing.\nCite as 【{cursor}†L{line_start}】.\nsources=web"
    python = h.ToolNamespaceConfig(name="python", description="Run Python in a sandbox.", tools=[])
    return browser, python


def responses_prompt(s, instructions, input_items, effort="medium"):
    """api_server.py: the messages and prompt tokens of one Responses request."""
    h = s.h
    system = h.SystemContent.new().with_conversation_start_date(START_DATE)
    system = system.with_reasoning_effort({"low": h.ReasoningEffort.LOW, "medium": h.ReasoningEffort.MEDIUM,
                                           "high": h.ReasoningEffort.HIGH}[effort])
    browser, python = tool_configs(h)
    system = system.with_tools(browser).with_tools(python)
    messages = [h.Message.from_role_and_content(h.Role.SYSTEM, system)]
    developer = h.DeveloperContent.new().with_instructions(instructions)  # instructions may be None
    developer = developer.with_function_tools([
        h.ToolDescription.new("get_weather", "Gets the weather.",
                              {"type": "object", "properties": {"city": {"type": "string"}}}),
    ])
    messages.append(h.Message.from_role_and_content(h.Role.DEVELOPER, developer))
    calls = {}
    for item in input_items:
        if item["type"] == "message":
            if isinstance(item["content"], str):
                messages.append(h.Message.from_role_and_content(item["role"], item["content"]))
            else:
                for part in item["content"]:
                    messages.append(h.Message.from_role_and_content(item["role"], part["text"]))
            if item["role"] == h.Role.ASSISTANT:
                messages[-1] = messages[-1].with_channel("final")
        elif item["type"] == "reasoning":
            for part in item["content"]:
                messages.append(h.Message.from_role_and_content(h.Role.ASSISTANT, part["text"]).with_channel("analysis"))
        elif item["type"] == "function_call":
            calls[item["call_id"]] = item
            messages.append(h.Message.from_role_and_content(h.Role.ASSISTANT, item["arguments"])
                            .with_recipient(f"functions.{item['name']}").with_channel("commentary"))
        else:
            call = calls[item["call_id"]]
            messages.append(h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, f"functions.{call['name']}"),
                                                              item["output"])
                            .with_recipient("assistant").with_channel("commentary"))
    tokens = s.enc.render_conversation_for_completion(h.Conversation.from_messages(messages), h.Role.ASSISTANT)
    return dicts(messages), tokens, s.enc.decode_utf8(tokens)


INPUT = [
    {"type": "message", "role": "user", "content": "Weather in Oslo?"},
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Let me check."}]},
    {"type": "reasoning", "content": [{"type": "reasoning_text", "text": "Use get_weather."}]},
    {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"Oslo"}'},
    {"type": "function_call_output", "call_id": "c1", "output": '{"temp": -3}'},
]


def test_responses_prompt(harmony):
    for instructions in ["Answer in French.", None]:
        ours, theirs = (responses_prompt(s, instructions, INPUT) for s in harmony.both())
        assert ours == theirs


def test_responses_prompt_for_a_plain_string_input(harmony):
    ours, theirs = (responses_prompt(s, "Hi.", [{"type": "message", "role": "user", "content": "Hello"}], "low")
                    for s in harmony.both())
    assert ours == theirs


COMPLETION = ('<|channel|>analysis<|message|>User wants weather.<|end|>'
              '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json'
              '<|message|>{"city":"Oslo"}<|call|>')


def test_non_streaming_output_items(harmony):
    def output(s):
        tokens = s.enc.encode(COMPLETION, allowed_special="all")
        items = []
        for entry in s.enc.parse_messages_from_completion_tokens(tokens, s.h.Role.ASSISTANT):
            entry_dict = entry.to_dict()
            recipient = entry_dict.get("recipient", "")
            if recipient:
                items.append(("function_call", recipient.removeprefix("functions."), entry_dict["content"][0]["text"]))
            elif entry_dict.get("channel") == "analysis":
                items.append(("reasoning", entry_dict["content"][0]["text"]))
        return items

    ours, theirs = (output(s) for s in harmony.both())
    assert ours == theirs


def test_streaming_with_a_browser_call_and_its_result(harmony):
    """The streaming loop: the model calls browser.search, the tool's answer is fed back."""
    completion = ('<|channel|>analysis<|message|>Search it.<|end|>'
                  '<|start|>assistant<|channel|>analysis to=browser.search code<|message|>{"query":"oslo"}<|call|>')

    def stream(s):
        h, enc = s.h, s.enc
        parser = h.StreamableParser(enc, role=h.Role.ASSISTANT)
        events = []
        for token in enc.encode(completion, allowed_special="all"):
            parser.process(token)
            if parser.state == h.StreamState.EXPECT_START and parser.messages:
                previous = parser.messages[-1]
                events.append(("done", previous.channel, previous.recipient, previous.content[0].text))
            if parser.last_content_delta:
                events.append((parser.current_channel, parser.current_recipient, parser.last_content_delta))
            if token in enc.stop_tokens_for_assistant_actions():
                last = parser.messages[-1]
                result = [h.Message(author=h.Author.new(h.Role.TOOL, last.recipient),
                                    content=[h.TextContent(text="[0] Oslo weather")]).with_recipient("assistant")
                          .with_channel(last.channel)]
                new_tokens = enc.render_conversation_for_completion(h.Conversation.from_messages(result), h.Role.ASSISTANT)
                events.append(enc.decode_utf8(new_tokens))
                for new_token in new_tokens:
                    parser.process(new_token)
        return events, str(parser.state), parser.current_role, dicts(parser.messages)

    ours, theirs = (stream(s) for s in harmony.both())
    assert ours == theirs


def test_reasoning_effort_as_a_pydantic_field(harmony):
    def validate(h):
        class ReasoningConfig(pydantic.BaseModel):
            effort: Union[Literal["low", "medium", "high"], h.ReasoningEffort] = h.ReasoningEffort.LOW

        return [repr(ReasoningConfig(**given).effort) for given in ({}, {"effort": "high"},
                                                                    {"effort": h.ReasoningEffort.MEDIUM})]

    ours, theirs = (validate(s.h) for s in harmony.both())
    assert [r.split(":")[-1] for r in ours] == [r.split(":")[-1] for r in theirs]


def test_tool_error_message_with_unknown_keyword_and_bare_content(harmony):
    """tools/tool.py Tool.error_message: `id=` is not a field, content is one TextContent, not a list."""
    def error_message(h):
        return outcome(lambda: h.Message(id=uuid.uuid4(), author=h.Author(role=h.Role.TOOL, name="browser"),
                                         content=h.TextContent(text="boom"), channel=None).with_recipient("assistant"))

    ours, theirs = (error_message(s.h) for s in harmony.both())
    assert ours[0] == theirs[0]
    if ours[0] == "ok":
        assert dicts([ours[1]]) == dicts([theirs[1]])


def test_tool_response_takes_the_channel_of_the_call(harmony):
    """tools/tool.py _maybe_update_inplace_and_validate_channel and the tools' make_response."""
    def respond(s):
        h = s.h
        call = h.Message.from_role_and_content(h.Role.ASSISTANT, "print(1)").with_channel("analysis") \
            .with_recipient("python")
        reply = h.Message(author=h.Author(role=h.Role.TOOL, name="python"),
                          content=[h.TextContent(text="1\n")]).with_recipient("assistant")
        if reply.channel != call.channel and reply.channel is None:
            reply.channel = call.channel
        return dicts([reply]), s.enc.render(reply)

    ours, theirs = (respond(s) for s in harmony.both())
    assert ours == theirs


def test_chat_cli_views(harmony):
    """chat.py: the system message as text and the user-message frame cut out of a rendered message."""
    def views(s):
        h, enc = s.h, s.enc
        system = (h.SystemContent.new().with_reasoning_effort(h.ReasoningEffort.HIGH)
                  .with_conversation_start_date(START_DATE).with_tools(tool_configs(h)[0]))
        developer = h.DeveloperContent.new().with_instructions("Be nice.")
        messages = [h.Message.from_role_and_content(h.Role.SYSTEM, system),
                    h.Message.from_role_and_content(h.Role.DEVELOPER, developer)]
        text = enc.decode(enc.render_conversation(h.Conversation.from_messages(messages)))
        empty = enc.render(h.Message.from_role_and_content(h.Role.USER, ""))
        return text, enc.decode(empty[:-1]), enc.decode(empty[-1:]), system.conversation_start_date

    ours, theirs = (views(s) for s in harmony.both())
    assert ours == theirs
