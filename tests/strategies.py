"""Hypothesis strategies for Harmony conversations as plain data.

The specs have the dict shape that `Message.from_dict` reads in both libraries,
so one drawn spec loads into fastharmony and into openai-harmony alike. They
aim at the corners: every role with and without a name, nameless tool
messages, contents in the wrong kind of message, the channels that
`auto_drop_analysis` looks at, recipients including `all`, `<|constrain|>`
content types, several text parts, system and developer contents with any
subset of fields (unset, explicitly None, or set), tool namespaces with simple
JSON Schemas, and text built from hostile pieces: emoji, CJK, combining marks,
line and paragraph separators, and spellings of special tokens. Text never
holds a lone surrogate (hypothesis' default): the reference's JSON layer
refuses those, a case the rule tests cover.
"""

import copy

from hypothesis import strategies as st

import openai_harmony

ROLES = ["system", "developer", "user", "assistant", "tool"]

# -- text ------------------------------------------------------------------------

HOSTILE_PIECES = [
    "<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|call|>",
    "<|return|>", "<|endoftext|>", "<|startoftext|>", "<|reserved_200013|>", "<|", "|>", "<|x|>",
    "\r\n", "\n", "\r", "\n\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\t", " ", "   ",
    "\x00", "\u200d", "\ufeff", "\ufffd", "\u00a0",
    "🤖", "👩\u200d👩\u200d👧", "🇫🇷", "e\u0301", "a\u0308\u0323", "\u0301",
    "中文", "日本語のテキスト", "한국어", "العربية", "עברית",
    "to=", " to=functions.f", "analysis", "final", "commentary", "functions", "all", ":", "'s",
    "123456789", "3.14", "\\", '"', "{", "}", "[]", "//", "# ", "##", "?", ",",
]

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=6)), max_size=8
).map("".join)
short_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=4)), min_size=1, max_size=3
).map("".join)


def maybe(strategy, usual):
    """Mostly one of the usual values, sometimes anything the strategy draws."""
    return st.one_of(st.sampled_from(usual), strategy)


names = maybe(short_text, ["alice", "functions.get_weather", "browser.search", "python", "bob"])
channels = maybe(short_text, [None, None, "analysis", "final", "final", "commentary"])
recipients = maybe(short_text, [None, None, None, "all", "functions.get_weather", "python", "user"])
content_types = maybe(
    short_text,
    [None, None, None, "json", "<|constrain|>json", "<|constrain|>", "<|constrain|> json", "text"],
)

# -- tool declarations (simple schemas; test_tools fuzzes schemas in depth) -------------

scalar_schemas = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "number", "integer", "boolean"])},
    optional={
        "description": short_text,
        "default": st.one_of(st.integers(-5, 5), st.booleans(), short_text),
    },
)
enum_schemas = st.fixed_dictionaries(
    {"type": st.just("string"), "enum": st.lists(short_text, min_size=1, max_size=3)},
    optional={"description": short_text},
)
array_schemas = st.fixed_dictionaries({"type": st.just("array"), "items": scalar_schemas})
property_schemas = st.one_of(scalar_schemas, enum_schemas, array_schemas)


@st.composite
def object_schemas(draw):
    properties = draw(st.dictionaries(maybe(short_text, ["city", "query", "n", "unit"]), property_schemas, max_size=3))
    schema = {"type": "object", "properties": properties}
    if properties and draw(st.booleans()):
        schema["required"] = draw(st.lists(st.sampled_from(sorted(properties)), unique=True))
    return schema


tool_descriptions = st.fixed_dictionaries(
    {
        "name": maybe(short_text, ["get_weather", "search", "lookup"]),
        "description": maybe(hostile_text, ["Gets the weather.", "Line one.\nLine two.", ""]),
    },
    optional={"parameters": st.one_of(st.none(), object_schemas())},
)


@st.composite
def tool_namespaces(draw):
    """(key, namespace dict): usually the key is the namespace's name, sometimes not."""
    name = draw(maybe(short_text, ["functions", "functions", "browser", "python", "zeta", "alpha"]))
    namespace = {"name": name, "tools": draw(st.lists(tool_descriptions, max_size=3))}
    if draw(st.booleans()):
        namespace["description"] = draw(st.one_of(st.none(), maybe(hostile_text, ["Tools.", "a\nb"])))
    key = name if draw(st.integers(0, 4)) else draw(maybe(short_text, ["functions", "a", "z"]))
    return key, namespace


BUILT_IN_NAMESPACES = [
    openai_harmony.ToolNamespaceConfig.browser().model_dump(),
    openai_harmony.ToolNamespaceConfig.python().model_dump(),
]


@st.composite
def tool_dicts(draw):
    tools = dict(draw(st.lists(tool_namespaces(), max_size=3)))
    for namespace in draw(st.lists(st.sampled_from(BUILT_IN_NAMESPACES), max_size=2)):
        tools[namespace["name"]] = copy.deepcopy(namespace)
    return tools


# -- contents and messages ------------------------------------------------------------

UNSET = object()


def optional_field(spec, key, value):
    if value is not UNSET:
        spec[key] = value


@st.composite
def system_contents(draw, with_tools):
    spec = {"type": "system_content"}
    fields = {
        "model_identity": maybe(hostile_text, ["You are a helpful assistant."]),
        "reasoning_effort": st.sampled_from(["Low", "Medium", "High"]),
        "conversation_start_date": maybe(short_text, ["2025-08-05"]),
        "knowledge_cutoff": maybe(short_text, ["2024-06"]),
        "channel_config": st.fixed_dictionaries(
            {
                "valid_channels": st.lists(maybe(short_text, ["analysis", "commentary", "final"]), max_size=4),
                "channel_required": st.booleans(),
            }
        ),
    }
    if with_tools:
        fields["tools"] = tool_dicts()
    for key, values in fields.items():
        # Unset (the default), explicitly None, or a value.
        optional_field(spec, key, draw(st.one_of(st.just(UNSET), st.none(), values)))
    return spec


@st.composite
def developer_contents(draw, with_tools):
    spec = {"type": "developer_content"}
    optional_field(spec, "instructions", draw(st.one_of(st.just(UNSET), st.none(), hostile_text)))
    if with_tools:
        optional_field(spec, "tools", draw(st.one_of(st.just(UNSET), st.none(), tool_dicts())))
    return spec


text_parts = hostile_text.map(lambda text: {"type": "text", "text": text})


@st.composite
def message_specs(draw, with_tools=False):
    role = draw(st.sampled_from(ROLES))
    spec = {"role": role}
    if role == "tool":
        # Rarely nameless: the reference refuses a tool message without a name.
        spec["name"] = draw(names) if draw(st.integers(0, 9)) else None
    else:
        spec["name"] = draw(st.one_of(st.none(), st.none(), names))
    if draw(st.integers(0, 4)) == 0:
        spec["content"] = draw(hostile_text)  # the plain-string shorthand
    else:
        structured = {
            "system": system_contents(with_tools),
            "developer": developer_contents(with_tools),
        }.get(role)
        if draw(st.integers(0, 24)) == 0:
            # Rarely a structured content in any message: refused outside its own role.
            structured = st.one_of(system_contents(with_tools), developer_contents(with_tools))
        parts = text_parts if structured is None else st.one_of(structured, structured, text_parts)
        spec["content"] = draw(st.lists(parts, min_size=1, max_size=3))
    for key, values in (("channel", channels), ("recipient", recipients), ("content_type", content_types)):
        value = draw(values)
        if value is not None:
            spec[key] = value
    return spec


def conversation_specs(with_tools=False):
    return st.lists(message_specs(with_tools), max_size=6)
