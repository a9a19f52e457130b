"""SGLang's use of openai_harmony, reproduced call for call, fastharmony (through the shim) against the reference.

Read from the sglang 0.5.23 wheel (`pip download --no-deps sglang`); SGLang
needs torch and CUDA kernels, so its functions are rewritten here, keeping
every call they make on Harmony objects:
- sglang/srt/entrypoints/harmony_utils.py: get_system_message,
  get_developer_message, parse_response_input (roles as plain strings,
  "system" turned into "developer" with a prefix, `phase` to channel),
  parse_response_output, parse_chat_input, render_for_completion,
  get_stop_tokens_for_assistant_actions, get_streamable_parser_for_assistant,
  parse_output_message, parse_remaining_state;
- sglang/srt/entrypoints/context.py: HarmonyContext (a tool result
  `Message(author=..., content=[...], recipient=Role.ASSISTANT)`) and
  StreamingHarmonyContext (`messages` read from the parser; a tool result
  rendered with `encoding.render` and fed token by token into the assistant
  parser after `msg.recipient = "assistant"`; the prompt's tail after the last
  token fed back into the parser).
"""

from __future__ import annotations

from types import SimpleNamespace

from clients import dicts, harmony  # noqa: F401  (harmony is a fixture)

EFFORT = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "minimal": "LOW", "xhigh": "HIGH", "max": "HIGH"}


def get_system_message(h, reasoning_effort=None, browser_description=None, python_description=None):
    content = h.SystemContent.new()
    if reasoning_effort is not None:
        content = content.with_reasoning_effort(getattr(h.ReasoningEffort, EFFORT[reasoning_effort]))
    content = content.with_conversation_start_date("2025-09-01")
    if browser_description is not None:
        content = content.with_tools(browser_description)
    if python_description is not None:
        content = content.with_tools(python_description)
    return h.Message.from_role_and_content(h.Role.SYSTEM, content)


def get_developer_message(h, instructions=None, tools=None):
    content = h.DeveloperContent.new()
    if instructions is not None:
        content = content.with_instructions(instructions)
    functions = [t for t in tools or [] if t.type == "function"]
    if functions:
        content = content.with_function_tools([
            h.ToolDescription.new(name=t.name, description=t.description, parameters=t.parameters) for t in functions])
    return h.Message.from_role_and_content(h.Role.DEVELOPER, content)


def parse_response_input(h, item, previous):
    if "type" not in item or item["type"] == "message":
        role, content, prefix = item["role"], item["content"], ""
        if role == "system":
            role, prefix = "developer", "Instructions:\n"
        if isinstance(content, str):
            msg = h.Message.from_role_and_content(role, prefix + content)
        else:
            chunks = [c for c in content if c.get("type") in ("text", "input_text", "output_text")]
            msg = h.Message.from_role_and_contents(
                role, [h.TextContent(text=(prefix if i == 0 else "") + c.get("text", "")) for i, c in enumerate(chunks)])
        if role == "assistant" and item.get("phase") is not None:
            msg = msg.with_channel("final" if item["phase"] == "final_answer" else "commentary")
        return msg
    if item["type"] == "function_call_output":
        call = next(p for p in reversed(previous) if p.get("type") == "function_call" and p["call_id"] == item["call_id"])
        return h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, f"functions.{call['name']}"), item["output"])
    if item["type"] == "reasoning":
        text = "\n".join(part.get("text", "") for part in item.get("summary") or item.get("content") or [])
        return h.Message.from_role_and_content(h.Role.ASSISTANT, text).with_channel("analysis")
    return (h.Message.from_role_and_content(h.Role.ASSISTANT, item.get("arguments") or "{}").with_channel("commentary")
            .with_recipient(f"functions.{item['name']}").with_content_type("json"))


def parse_output_message(h, message):
    """harmony_utils.parse_output_message, reduced to the item kinds and texts it produces."""
    if message.author.role != "assistant":
        return []
    recipient = message.recipient
    if recipient is not None and recipient.startswith("browser."):
        return [("web_search_call", recipient, message.content[0].text)]
    if recipient is not None and recipient.startswith("python"):
        return [("code_interpreter_call", "".join(c.text for c in message.content))]
    if message.channel == "analysis":
        return [("reasoning", c.text) for c in message.content]
    if message.channel == "commentary" and recipient is not None:
        return [("function_call", recipient.removeprefix("functions."), c.text) for c in message.content]
    return [("message", "final_answer" if message.channel == "final" else "commentary", str(message.author.role),
             [c.text for c in message.content])]


RESPONSE_INPUT = [
    {"type": "message", "role": "system", "content": "Be brief."},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather?"},
                                                    {"type": "input_image", "image_url": "x"}]},
    {"type": "message", "role": "assistant", "phase": "commentary", "content": "Checking."},
    {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Call it."}]},
    {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"Rome"}'},
    {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
    {"type": "message", "role": "assistant", "phase": "final_answer",
     "content": [{"type": "output_text", "text": "Sunny."}]},
    {"type": "message", "role": "user", "content": "Thanks"},
]


def responses_prompt(s):
    h = s.h
    tools = [SimpleNamespace(type="function", name="get_weather", description="Weather.",
                             parameters={"type": "object", "properties": {"city": {"type": "string"}}}),
             SimpleNamespace(type="web_search_preview")]
    messages = [get_system_message(h, "xhigh", h.ToolNamespaceConfig.browser(), h.ToolNamespaceConfig.python()),
                get_developer_message(h, "Use tools.", tools)]
    messages += [parse_response_input(h, item, RESPONSE_INPUT) for item in RESPONSE_INPUT]
    conversation = h.Conversation.from_messages(messages)
    return dicts(messages), s.enc.render_conversation_for_completion(conversation, h.Role.ASSISTANT)


def test_responses_prompt(harmony):
    ours, theirs = (responses_prompt(s) for s in harmony.both())
    assert ours == theirs


def test_chat_input_and_stop_tokens(harmony):
    def build(s):
        h = s.h
        chat = [SimpleNamespace(role="user", content="hi"),
                SimpleNamespace(role="assistant", content=[SimpleNamespace(text="hel"), SimpleNamespace(text="lo")])]
        messages = [h.Message.from_role_and_contents(m.role, [h.TextContent(text=m.content)] if isinstance(m.content, str)
                                                     else [h.TextContent(text=c.text) for c in m.content]) for m in chat]
        conversation = h.Conversation.from_messages(messages)
        return (s.enc.render_conversation_for_completion(conversation, h.Role.ASSISTANT),
                sorted(s.enc.stop_tokens_for_assistant_actions()))

    ours, theirs = (build(s) for s in harmony.both())
    assert ours == theirs


OUTPUT = ('<|channel|>analysis<|message|>Plan.<|end|>'
          '<|start|>assistant<|channel|>analysis to=browser.search code<|message|>{"query":"rome"}<|call|>'
          '<|start|>assistant<|channel|>analysis to=python code<|message|>print(2)<|call|>'
          '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json'
          '<|message|>{"city":"Rome"}<|call|>'
          '<|start|>assistant<|channel|>commentary<|message|>One moment.<|end|>'
          '<|start|>assistant<|channel|>final<|message|>Sunny, 25°C.<|return|>')


def test_output_messages_to_response_items(harmony):
    def items(s):
        tokens = s.enc.encode(OUTPUT, allowed_special="all")
        parsed = s.enc.parse_messages_from_completion_tokens(tokens, s.h.Role.ASSISTANT)
        return [item for message in parsed for item in parse_output_message(s.h, message)]

    ours, theirs = (items(s) for s in harmony.both())
    assert ours == theirs


def test_harmony_context_non_streaming(harmony):
    """HarmonyContext.append_output feeds output ids, then call_search_tool answers with recipient=Role.ASSISTANT."""
    def run(s):
        h = s.h
        parser = h.StreamableParser(s.enc, role=h.Role.ASSISTANT)
        messages = [get_system_message(h), h.Message.from_role_and_content(h.Role.USER, "Search rome")]
        tokens = s.enc.encode(OUTPUT.split("<|start|>assistant<|channel|>analysis to=python")[0], allowed_special="all")
        for token in tokens:
            parser.process(token)
        messages.extend(parser.messages)
        last = messages[-1]
        result = h.Message(author=h.Author(role=h.Role.TOOL, name=last.recipient),
                           content=[h.TextContent(text="[0] Rome: sunny")], recipient=h.Role.ASSISTANT)
        messages.append(result)
        conversation = h.Conversation.from_messages(messages)
        return dicts(messages), s.enc.render_conversation_for_completion(conversation, h.Role.ASSISTANT)

    ours, theirs = (run(s) for s in harmony.both())
    assert ours == theirs


def test_streaming_context_feeds_a_rendered_tool_result_to_the_parser(harmony):
    """StreamingHarmonyContext.append_output with a tool message, then render_for_completion's tail."""
    def run(s):
        h, enc = s.h, s.enc
        parser = h.StreamableParser(enc, role=h.Role.ASSISTANT)
        call = OUTPUT.split("<|start|>assistant<|channel|>analysis to=python")[0]
        for token in enc.encode(call, allowed_special="all"):
            parser.process(token)
        states = [str(parser.state)]
        tool = h.Message(author=h.Author(role=h.Role.TOOL, name="browser.search"),
                         content=[h.TextContent(text="[0] Rome")], channel="analysis")
        if tool.author.role == h.Role.TOOL and tool.recipient is None:
            tool.recipient = "assistant"
        tokens = enc.render(tool)
        for token in tokens:
            parser.process(token)
        last_tok = tokens[-1]
        states.append(str(parser.state))
        prompt = enc.render_conversation_for_completion(
            h.Conversation.from_messages([get_system_message(h)] + parser.messages), h.Role.ASSISTANT)
        tail = []
        index = -1
        while prompt[index] != last_tok:
            tail.append(prompt[index])
            index -= 1
        for token in reversed(tail):
            parser.process(token)
        states.append(str(parser.state))
        return (states, dicts(parser.messages), parser.current_role, last_tok in enc.stop_tokens_for_assistant_actions(),
                parser.current_content, prompt)

    ours, theirs = (run(s) for s in harmony.both())
    assert ours == theirs


def test_remaining_state_of_a_cut_stream(harmony):
    """parse_remaining_state reads current_content, current_role and current_recipient of an unfinished message."""
    def run(s):
        h = s.h
        parser = h.StreamableParser(s.enc, role=h.Role.ASSISTANT)
        cut = '<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":'
        for token in s.enc.encode(cut, allowed_special="all"):
            parser.process(token)
        return (parser.current_content, parser.current_role == h.Role.ASSISTANT, parser.current_recipient,
                parser.current_channel, parser.current_content_type, str(parser.state))

    ours, theirs = (run(s) for s in harmony.both())
    assert ours == theirs
