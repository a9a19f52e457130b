"""Hypothesis strategies for training conversations, as plain data.

Unlike strategies.py (which aims at every corner a renderer must survive),
these draw what a training corpus holds: well-formed multi-turn
conversations in which every assistant message is something the model could
have sampled, so that its tokens parse back into it. A turn is a user
message and the assistant's answer: reasoning, preambles, calls to function
tools (`commentary`, `<|constrain|>json`) and to built-in tools (`python`,
`browser.search` on `analysis`) each followed by the tool's result, and
usually a final answer. Texts come from strategies.py's hostile pieces
(spellings of special tokens, emoji, separators), which must stay text.

Specs load into both libraries with `Conversation.from_dict`; OpenAI chat
records are drawn too, for the input conversion.
"""

from hypothesis import strategies as st

from strategies import BUILT_IN_NAMESPACES, hostile_text

FUNCTIONS_NAMESPACE = {
    "name": "functions",
    "tools": [
        {
            "name": "get_weather",
            "description": "Gets the weather.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                "required": ["city"],
            },
        }
    ],
}


def text_message(role, text, channel=None, recipient=None, content_type=None, name=None):
    spec = {"role": role, "content": [{"type": "text", "text": text}]}
    if name is not None:
        spec["name"] = name
    for key, value in (("channel", channel), ("recipient", recipient), ("content_type", content_type)):
        if value is not None:
            spec[key] = value
    return spec


@st.composite
def system_messages(draw):
    content = {"type": "system_content", "conversation_start_date": "2025-06-28"}
    if draw(st.booleans()):
        content["reasoning_effort"] = draw(st.sampled_from(["Low", "Medium", "High"]))
    if draw(st.booleans()):
        content["channel_config"] = {"valid_channels": ["analysis", "commentary", "final"], "channel_required": True}
    builtins = draw(st.lists(st.sampled_from(BUILT_IN_NAMESPACES), unique_by=lambda n: n["name"], max_size=2))
    if builtins:
        content["tools"] = {namespace["name"]: namespace for namespace in builtins}
    return {"role": "system", "content": [content]}


@st.composite
def developer_messages(draw):
    content = {"type": "developer_content", "instructions": draw(hostile_text)}
    if draw(st.booleans()):
        content["tools"] = {"functions": FUNCTIONS_NAMESPACE}
    return {"role": "developer", "content": [content]}


CALLS = [
    # (recipient, channel, content type, tool name, channel of the result)
    ("functions.get_weather", "commentary", "<|constrain|>json", "functions.get_weather", "commentary"),
    ("python", "analysis", "code", "python", "analysis"),
    ("browser.search", "analysis", None, "browser.search", "analysis"),
]


@st.composite
def assistant_turns(draw, final=None):
    """The messages of one assistant turn (after a user message)."""
    out = []
    for _ in range(draw(st.integers(0, 2))):  # steps: reasoning, a preamble, a call and its result
        if draw(st.booleans()):
            out.append(text_message("assistant", draw(hostile_text), "analysis"))
        recipient, channel, content_type, tool, result_channel = draw(st.sampled_from(CALLS))
        if channel == "commentary" and draw(st.booleans()):
            out.append(text_message("assistant", draw(hostile_text), "commentary"))
        out.append(text_message("assistant", draw(hostile_text), channel, recipient, content_type))
        out.append(text_message("tool", draw(hostile_text), result_channel, "assistant", name=tool))
    if draw(st.booleans()):
        out.append(text_message("assistant", draw(hostile_text), "analysis"))
    if final if final is not None else draw(st.integers(0, 4)):
        out.append(text_message("assistant", draw(hostile_text), "final"))
    return out


@st.composite
def training_conversations(draw, max_turns=3):
    """A conversation spec ({"messages": [...]}) as a corpus holds it."""
    messages = []
    if draw(st.integers(0, 3)):
        messages.append(draw(system_messages()))
    if draw(st.booleans()):
        messages.append(draw(developer_messages()))
    for _ in range(draw(st.integers(1, max_turns))):
        messages.append(text_message("user", draw(hostile_text)))
        messages += draw(assistant_turns())
    return {"messages": messages}


# -- OpenAI chat records ----------------------------------------------------------------

FUNCTION_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Gets the weather.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
plain_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@st.composite
def openai_records(draw):
    """A Chat Completions transcript with reasoning, tool calls and results."""
    messages = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(plain_text)})
    calls = 0
    for _ in range(draw(st.integers(1, 3))):
        messages.append({"role": "user", "content": draw(plain_text)})
        for _ in range(draw(st.integers(0, 2))):
            message = {"role": "assistant", "tool_calls": []}
            if draw(st.booleans()):
                message["reasoning_content"] = draw(plain_text)
            if draw(st.booleans()):
                message["content"] = draw(plain_text)
            ids = []
            for _ in range(draw(st.integers(1, 2))):
                calls += 1
                ids.append(f"call_{calls}")
                message["tool_calls"].append(
                    {"id": ids[-1], "type": "function",
                     "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
                )
            messages.append(message)
            for call_id in ids:
                messages.append({"role": "tool", "tool_call_id": call_id, "content": draw(plain_text)})
        answer = {"role": "assistant", "content": draw(st.one_of(plain_text, st.none()))}
        if draw(st.booleans()):
            answer["reasoning_content"] = draw(plain_text)
        if draw(st.booleans()):
            answer["tool_calls"] = draw(st.sampled_from([None, []]))
        messages.append(answer)
    record = {"messages": messages}
    if draw(st.booleans()):
        record["tools"] = [FUNCTION_TOOL]
    return record
