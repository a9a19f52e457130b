"""TensorRT-LLM's harmony adapter, reproduced call for call, fastharmony (through the shim) against the reference.

Read from NVIDIA/TensorRT-LLM, tensorrt_llm/serve/harmony_adapter.py (its
wheel is several GB and needs CUDA, so the calls are rewritten here):
- HarmonyAdapter.harmony_system_message (model identity, effort, knowledge
  cutoff, start date, required channels), harmony_developer_message
  (`ToolDescription.new(name, description, parameters=...)`),
  harmony_assistant_message (tool calls with the content type
  `"<|constrain|>json"` written by hand), openai_to_harmony_tokens
  (`render_conversation_for_completion`), openai_to_harmony_prompt
  (`decode`), get_stop_tokens;
- harmony_output_to_openai: `_strip_incomplete_messages` then
  `parse_messages_from_completion_tokens`, catching HarmonyError,
  UnicodeDecodeError and ValueError, then reading channel, recipient,
  content_type and `content[i].text` of each message
  (_parse_tool_call_from_harmony_message);
- HarmonyStreamState.process_token_batch and
  process_token_batch_to_messages: `process` per token, with
  `current_channel`, `current_recipient` and `last_content_delta` read
  before and after, and `parser.messages` at the end of a batch.
"""

from __future__ import annotations

import json

import pytest
from clients import dicts, harmony  # noqa: F401  (harmony is a fixture)

TOOLS = [{"type": "function", "function": {"name": "calculate", "description": "Does arithmetic.",
                                           "parameters": {"type": "object",
                                                          "properties": {"expr": {"type": "string"}},
                                                          "required": ["expr"]}}},
         {"type": "function", "function": {"name": "now"}}]


def system_message(h, effort, instructions):
    content = (h.SystemContent.new()
               .with_model_identity("\n".join(instructions) or "You are ChatGPT, a large language model trained by OpenAI.")
               .with_reasoning_effort(effort).with_knowledge_cutoff("2024-06")
               .with_conversation_start_date("2025-10-10").with_required_channels(["analysis", "commentary", "final"]))
    return h.Message.from_role_and_content(h.Role.SYSTEM, content)


def developer_message(h, instructions, tools):
    content = h.DeveloperContent.new()
    if instructions:
        content = content.with_instructions("\n".join(instructions))
    descriptions = [h.ToolDescription.new(t["function"]["name"], t["function"].get("description", ""),
                                          parameters=t["function"].get("parameters", {}))
                    for t in tools or [] if t["function"].get("name")]
    if descriptions:
        content = content.with_function_tools(descriptions)
    return h.Message.from_role_and_content(h.Role.DEVELOPER, content)


def assistant_messages(h, msg):
    out = []
    if msg.get("reasoning"):
        out.append(h.Message.from_role_and_content(h.Role.ASSISTANT, msg["reasoning"]).with_channel("analysis"))
    for call in msg.get("tool_calls", []):
        out.append(h.Message.from_role_and_content(h.Role.ASSISTANT, call["function"].get("arguments", "{}"))
                   .with_channel("commentary").with_recipient(f"functions.{call['function']['name']}")
                   .with_content_type("<|constrain|>json"))
    if msg.get("content"):
        out.append(h.Message.from_role_and_content(h.Role.ASSISTANT, msg["content"]).with_channel("final"))
    return out


CHAT = [
    {"role": "system", "content": "You are a calculator."},
    {"role": "developer", "content": [{"type": "text", "text": "Show work."}]},
    {"role": "user", "content": "2+2?"},
    {"role": "assistant", "reasoning": "Use the tool.", "tool_calls": [
        {"id": "t1", "type": "function", "function": {"name": "calculate", "arguments": '{"expr": "2+2"}'}}]},
    {"role": "tool", "tool_call_id": "t1", "content": "4"},
    {"role": "tool", "name": "now", "content": "noon"},
]


def openai_to_harmony_tokens(s, chat=CHAT, tools=TOOLS):
    h = s.h
    text = lambda m: m["content"] if isinstance(m["content"], str) else "\n".join(p["text"] for p in m["content"])
    system = [text(m) for m in chat if m["role"] == "system"]
    developer = [text(m) for m in chat if m["role"] == "developer"]
    names = {c["id"]: c["function"]["name"] for m in chat for c in m.get("tool_calls", [])}
    messages = [system_message(h, h.ReasoningEffort.HIGH, system), developer_message(h, developer, tools)]
    for m in chat:
        if m["role"] == "user":
            messages.append(h.Message.from_role_and_content(h.Role.USER, text(m)))
        elif m["role"] == "assistant":
            messages.extend(assistant_messages(h, m))
        elif m["role"] == "tool":
            name = names.get(m.get("tool_call_id"), m.get("name", "tool"))
            name = name if "." in name else f"functions.{name}"
            messages.append(h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, name), text(m))
                            .with_recipient("assistant").with_channel("commentary"))
    tokens = s.enc.render_conversation_for_completion(h.Conversation.from_messages(messages), h.Role.ASSISTANT)
    # The reference lists the stop tokens in hash-set order, which changes from process to process.
    return dicts(messages), tokens, s.enc.decode(tokens), sorted(s.enc.stop_tokens_for_assistant_actions())


def test_openai_chat_to_harmony_prompt(harmony):
    ours, theirs = (openai_to_harmony_tokens(s) for s in harmony.both())
    assert ours == theirs


def strip_incomplete_messages(tokens):
    start, message = 200006, 200008
    tokens = tokens[:]
    while start in tokens:
        last = len(tokens) - 1 - tokens[::-1].index(start)
        if message in tokens[last + 1:]:
            break
        tokens = tokens[:last]
    return tokens


def harmony_output_to_openai(s, text):
    h = s.h
    tokens = strip_incomplete_messages(s.enc.encode(text, allowed_special="all"))
    try:
        messages = s.enc.parse_messages_from_completion_tokens(tokens, role=h.Role.ASSISTANT)
    except (h.HarmonyError, UnicodeDecodeError, ValueError) as error:
        return ("parse failed", type(error).__name__)
    result = {"reasoning": "", "preambles": [], "tool_calls": [], "final": ""}
    for m in messages:
        joined = "".join(c.text for c in m.content)
        if m.channel == "analysis":
            result["reasoning"] += joined
        elif m.channel == "commentary" and m.recipient and m.recipient != "assistant":
            if m.content_type and "<|constrain|>json" in m.content_type:
                json.loads(joined)
                result["tool_calls"].append((str(m.recipient).split("functions.")[-1], joined))
            elif m.content_type and "code" in m.content_type:
                result["tool_calls"].append((str(m.recipient), joined))
        elif m.channel == "commentary":
            result["preambles"].append(joined)
        elif m.channel == "final":
            result["final"] += joined
    return result


OUTPUTS = [
    '<|channel|>analysis<|message|>Compute.<|end|><|start|>assistant<|channel|>commentary to=functions.calculate '
    '<|constrain|>json<|message|>{"expr":"2+2"}<|call|>',
    '<|channel|>analysis<|message|>Easy.<|end|><|start|>assistant<|channel|>commentary<|message|>Working…<|end|>'
    '<|start|>assistant<|channel|>final<|message|>4<|return|>',
    '<|channel|>final<|message|>4<|end|><|start|>assistant<|channel|>final',  # an unfinished header is stripped
    '<|start|>assistant to=functions.calculate<|channel|>commentary json<|message|>{}<|call|>',
    '<|channel|>commentary to=python code<|message|>print(4)<|call|>',
]


@pytest.mark.parametrize("text", OUTPUTS)
def test_harmony_output_to_openai(harmony, text):
    ours, theirs = (harmony_output_to_openai(s, text) for s in harmony.both())
    assert ours == theirs


def test_streaming_token_batches(harmony):
    """HarmonyStreamState: the same parser across batches, transitions read around each process call."""
    text = OUTPUTS[0]

    def stream(s):
        h = s.h
        parser = h.StreamableParser(s.enc, role=h.Role.ASSISTANT)
        tokens = s.enc.encode(text, allowed_special="all")
        deltas, batches = [], []
        for begin in range(0, len(tokens), 3):
            for token in tokens[begin:begin + 3]:
                before = (parser.current_channel, parser.current_recipient)
                parser.process(token)
                changed = before != (parser.current_channel, parser.current_recipient)
                if changed or parser.last_content_delta:
                    deltas.append((changed, parser.current_channel, str(parser.current_recipient or ""),
                                   parser.last_content_delta))
            batches.append(dicts(parser.messages))
        return deltas, batches

    ours, theirs = (stream(s) for s in harmony.both())
    assert ours == theirs


def test_safe_decode_of_a_split_character(harmony):
    """_safe_decode_utf8 relies on decode() replacing a cut UTF-8 sequence."""
    def decode(s):
        tokens = s.enc.encode("é€😀")
        return [s.enc.decode(tokens[:i]) for i in range(len(tokens) + 1)]

    ours, theirs = (decode(s) for s in harmony.both())
    assert ours == theirs
