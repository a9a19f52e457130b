# The in-process workloads: their inputs and the one operation each one times.
#
# Rules of this file:
# - Inputs are built by the same code for both packages, from each package's
#   own classes (`h` is the module: fastharmony or openai_harmony). Before
#   anything is timed, the runner checks that both packages hold equal inputs
#   (`to_dict()` of the conversation, the token lists) and give equal outputs
#   (tokens, or parsed messages as dicts): a speed-up is only reported for the
#   same work with the same result.
# - `prepare(impl)` runs the operation once and returns a `Case`: the timed
#   operation, its output (plain data, for that comparison) and facts worth
#   printing (token counts). It raises `Unsupported` when the package lacks
#   the API the workload needs (fastharmony while it is being written): a
#   missing name, NotImplementedError, or a missing module of the package
#   itself. Every other exception is a real failure and propagates.
# - The tiktoken floor of a large render is the BPE work no renderer can skip:
#   the body of every rendered message (the text between `<|message|>` and the
#   token that ends it) encoded by a plain `tiktoken.Encoding`, one
#   `encode_ordinary` call per message. Headers (`<|start|>user<|message|>`)
#   are left out: a renderer can memoise them.

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional

from .implementations import Implementation


class Unsupported(Exception):
    """The package does not provide what this workload needs (yet)."""


class OutputMismatch(AssertionError):
    """Two packages disagree on a workload's input or output."""


@dataclass
class Case:
    op: Callable[[], Any]
    output: Any
    info: Dict[str, Any] = field(default_factory=dict)


@dataclass
class TimedWorkload:
    name: str  # for --only and the JSON
    title: str  # for the tables
    prepare: Callable[[Implementation], Case]
    with_floor: bool = False  # also time the tiktoken floor of the rendered tokens


# -- inputs -------------------------------------------------------------------

TOOL_CALL_COMPLETION = (
    "<|start|>assistant<|channel|>commentary to=functions.get_weather"
    '<|constrain|>json<|message|>{"latitude":48.8566,"longitude":2.3522}<|call|>'
)

INSTRUCTIONS = "Follow tool schema precisely. " * 100
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Vestibulum vulputate. " * 200
LARGE_BLOCKS = 8

REASONING = "Chain-of-thought summary start. " + "Reasoning chunk consolidating evidence. " * 120
REASONING_HALF = "Chain-of-thought summary start. " + "Reasoning chunk consolidating evidence. " * 60
ISSUE_LARGE_COMPLETION_TOKENS = 1288  # the count the performance issue quotes

WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {
        "location": {"type": "string", "description": "City and country, e.g. Paris, France"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
    },
    "required": ["location"],
}
FLIGHT_PARAMETERS = {
    "type": "object",
    "properties": {
        "origin": {"type": "string", "description": "IATA code of the departure airport"},
        "destination": {"type": "string", "description": "IATA code of the arrival airport"},
        "date": {"type": "string", "description": "Departure date, YYYY-MM-DD"},
        "passengers": {"type": "integer", "minimum": 1, "default": 1},
        "cabin": {"type": "string", "enum": ["economy", "premium", "business", "first"]},
    },
    "required": ["origin", "destination", "date"],
}


def tool_call_conversation(h):
    Role = h.Role
    return h.Conversation.from_messages(
        [
            h.Message.from_role_and_content(Role.USER, "What is the weather like in Tokyo right now?"),
            h.Message.from_role_and_content(
                Role.ASSISTANT, "The user wants the current weather in Tokyo. Call lookup_weather."
            ).with_channel("analysis"),
            h.Message.from_role_and_content(Role.ASSISTANT, '{"location": "Tokyo, Japan"}')
            .with_channel("commentary")
            .with_recipient("functions.lookup_weather")
            .with_content_type("<|constrain|>json"),
            h.Message.from_author_and_content(
                h.Author.new(Role.TOOL, "functions.lookup_weather"),
                '{"temperature": 21, "unit": "celsius", "sky": "clear"}',
            )
            .with_recipient("assistant")
            .with_channel("commentary"),
        ]
    )


def large_conversation(h):
    Role = h.Role
    system = (
        h.SystemContent.new()
        .with_model_identity("You are ChatGPT, a large language model trained by OpenAI.")
        .with_knowledge_cutoff("2024-06")
        .with_conversation_start_date("2025-06-28")
        .with_required_channels(["analysis", "commentary", "final"])
        .with_browser_tool()
    )
    developer = (
        h.DeveloperContent.new()
        .with_instructions(INSTRUCTIONS)
        .with_function_tools(
            [
                h.ToolDescription.new(
                    "lookup_weather", "Look up the current weather for a location.", WEATHER_PARAMETERS
                ),
                h.ToolDescription.new(
                    "search_flights", "Search one-way flights between two airports.", FLIGHT_PARAMETERS
                ),
            ]
        )
        .with_tools(h.ToolNamespaceConfig.python())
    )
    messages = [
        h.Message.from_role_and_content(Role.SYSTEM, system),
        h.Message.from_role_and_content(Role.DEVELOPER, developer),
    ]
    for _ in range(LARGE_BLOCKS):
        messages.append(h.Message.from_role_and_content(Role.USER, LOREM))
        messages.append(h.Message.from_role_and_content(Role.ASSISTANT, LOREM).with_channel("analysis"))
    messages.append(
        h.Message.from_role_and_content(
            Role.ASSISTANT, "In short: the passages above are placeholder text."
        ).with_channel("final")
    )
    return h.Conversation.from_messages(messages)


def tool_call_message(h):
    """The message that TOOL_CALL_COMPLETION spells."""
    return (
        h.Message.from_role_and_content(h.Role.ASSISTANT, '{"latitude":48.8566,"longitude":2.3522}')
        .with_channel("commentary")
        .with_recipient("functions.get_weather")
        .with_content_type("<|constrain|>json")
    )


def large_completion_messages(h):
    return [
        h.Message.from_role_and_content(h.Role.ASSISTANT, REASONING).with_channel("analysis"),
        h.Message.from_role_and_content(h.Role.ASSISTANT, REASONING_HALF).with_channel("final"),
    ]


# -- comparing outputs ----------------------------------------------------------


def plain(value: Any) -> Any:
    """Enums to their values, tuples to lists: data two packages can compare."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def first_difference(a: Any, b: Any, path: str = "$") -> Optional[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}: present on one side only"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items against {len(b)}"
        return None
    if a != b:
        return f"{path}: {a!r:.100} against {b!r:.100}"
    return None


# -- workloads --------------------------------------------------------------------


def _require(impl: Implementation, obj: Any, owner: str, *names: str) -> None:
    for name in names:
        if not hasattr(obj, name):
            raise Unsupported(f"{impl.label} has no {owner}.{name} yet")


def _messages(messages) -> List[Any]:
    return [plain(message.to_dict()) for message in messages]


def _check(impl: Implementation, what: str, actual: Any, expected: Any) -> None:
    difference = first_difference(actual, expected)
    if difference:
        raise OutputMismatch(f"{impl.label}: {what}: {difference}")


def _render_case(impl: Implementation, convo, *config) -> Case:
    enc = impl.encoding
    _require(impl, enc, "HarmonyEncoding", "render_conversation_for_completion")
    op = partial(enc.render_conversation_for_completion, convo, impl.module.Role.ASSISTANT, *config)
    tokens = op()
    return Case(
        op,
        output={"input": plain(convo.to_dict()), "tokens": list(tokens)},
        info={"tokens": len(tokens)},
    )


def prepare_render_tool_call(impl: Implementation) -> Case:
    return _render_case(impl, tool_call_conversation(impl.module))


def prepare_large_render_auto_drop(impl: Implementation) -> Case:
    return _render_case(impl, large_conversation(impl.module))


def prepare_large_render_keep_analysis(impl: Implementation) -> Case:
    config = impl.module.RenderConversationConfig(auto_drop_analysis=False)
    return _render_case(impl, large_conversation(impl.module), config)


def _tool_call_tokens(impl: Implementation) -> List[int]:
    # Rendering the equivalent Message would put the recipient before the
    # channel (`assistant to=functions.get_weather<|channel|>commentary`);
    # the model emits it after the channel, as here, so we encode that text.
    enc = impl.encoding
    _require(impl, enc, "HarmonyEncoding", "encode", "decode")
    tokens = enc.encode(TOOL_CALL_COMPLETION, allowed_special="all")
    _check(impl, "decoding the tool-call tokens", enc.decode(tokens), TOOL_CALL_COMPLETION)
    return list(tokens)


def _large_completion_tokens(impl: Implementation) -> List[int]:
    enc = impl.encoding
    _require(impl, enc, "HarmonyEncoding", "render")
    tokens: List[int] = []
    for message in large_completion_messages(impl.module):
        tokens.extend(enc.render(message))
    return tokens


def _parse_case(impl: Implementation, tokens: List[int], expected: List[Any]) -> Case:
    enc = impl.encoding
    _require(impl, enc, "HarmonyEncoding", "parse_messages_from_completion_tokens")
    # The tokens open with `<|start|>assistant`: no role is given up front.
    op = partial(enc.parse_messages_from_completion_tokens, tokens, None)
    messages = _messages(op())
    _check(impl, "parsed messages", messages, expected)
    return Case(op, output={"tokens": tokens, "messages": messages}, info={"tokens": len(tokens)})


def _stream_case(impl: Implementation, tokens: List[int], expected: List[Any]) -> Case:
    _require(impl, impl.module, impl.module_name, "StreamableParser")
    StreamableParser, enc = impl.module.StreamableParser, impl.encoding

    def op():
        parser = StreamableParser(enc, None)
        for token in tokens:
            parser.process(token)
        parser.process_eos()
        return parser

    messages = _messages(op().messages)
    _check(impl, "streamed messages", messages, expected)
    return Case(op, output={"tokens": tokens, "messages": messages}, info={"tokens": len(tokens)})


def prepare_parse_tool_call(impl: Implementation) -> Case:
    expected = _messages([tool_call_message(impl.module)])
    return _parse_case(impl, _tool_call_tokens(impl), expected)


def prepare_stream_tool_call(impl: Implementation) -> Case:
    expected = _messages([tool_call_message(impl.module)])
    return _stream_case(impl, _tool_call_tokens(impl), expected)


def prepare_parse_large_completion(impl: Implementation) -> Case:
    expected = _messages(large_completion_messages(impl.module))
    return _parse_case(impl, _large_completion_tokens(impl), expected)


def prepare_stream_large_completion(impl: Implementation) -> Case:
    expected = _messages(large_completion_messages(impl.module))
    return _stream_case(impl, _large_completion_tokens(impl), expected)


TIMED_WORKLOADS = [
    TimedWorkload("render-tool-call", "render tool-call", prepare_render_tool_call),
    TimedWorkload(
        "large-render-auto-drop",
        "large render, auto-drop",
        prepare_large_render_auto_drop,
        with_floor=True,
    ),
    TimedWorkload(
        "large-render-keep-analysis",
        "large render, keep-analysis",
        prepare_large_render_keep_analysis,
        with_floor=True,
    ),
    TimedWorkload("parse-tool-call", "parse tool-call", prepare_parse_tool_call),
    TimedWorkload("stream-tool-call", "stream tool-call", prepare_stream_tool_call),
    TimedWorkload("parse-large-completion", "parse large completion", prepare_parse_large_completion),
    TimedWorkload(
        "stream-large-completion", "stream large completion", prepare_stream_large_completion
    ),
]


def prepare(workload: TimedWorkload, impl: Implementation) -> Case:
    if impl.encoding is None:
        raise Unsupported(impl.unavailable)
    try:
        return workload.prepare(impl)
    except NotImplementedError as exc:
        raise Unsupported(f"{impl.label}: not implemented yet ({exc})") from None
    except ModuleNotFoundError as exc:
        # A module of the package itself that is not written yet; a missing
        # dependency is a real error.
        if not (exc.name or "").startswith(impl.module_name + "."):
            raise
        raise Unsupported(f"{impl.label}: needs {exc.name}, not written yet") from None


def floor_case(rendered: List[int], floor_enc) -> Case:
    """The tiktoken floor of a render (see the header); `rendered` are its tokens."""
    from fastharmony import _vocab

    message_token = _vocab.SPECIAL_TOKENS["<|message|>"]
    bodies: List[List[int]] = []
    body: Optional[List[int]] = None
    for token in rendered:
        if token >= _vocab.N_ORDINARY_TOKENS:
            if body is not None:
                bodies.append(body)
            body = [] if token == message_token else None
        elif body is not None:
            body.append(token)
    if body is not None:
        bodies.append(body)
    texts = [floor_enc.decode_bytes(tokens).decode("utf-8") for tokens in bodies]
    encode_ordinary = floor_enc.encode_ordinary

    def op():
        for text in texts:
            encode_ordinary(text)

    floor_tokens = sum(len(encode_ordinary(text)) for text in texts)
    return Case(
        op,
        output=None,
        info={
            "texts": len(texts),
            "floor_tokens": floor_tokens,
            "body_tokens_in_render": sum(map(len, bodies)),
        },
    )
