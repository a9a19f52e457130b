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
import itertools
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable, Dict, List, Optional

from .implementations import CACHED, ENCODING_NAME, Implementation


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
    agent: bool = False  # takes `turns`, and runs with the render cache too


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


# -- harmony-go's inputs ------------------------------------------------------
#
# The inputs of harmony-go's own benchmarks (benchmarks/go in
# euforicio/harmony-go: bench_test.go, large_conv.go), rebuilt with our
# classes, so that our rows can be set beside its published numbers. Its
# tool-call completion is TOOL_CALL_COMPLETION above (the parse and stream
# tool-call rows already use it). Two departures, both forced: harmony-go
# parses its completions with the role `assistant` given although they begin
# with `<|start|>assistant`, which openai-harmony refuses ("unexpected tokens
# remaining in message header") or misreads (recipient `<|start|>assistant`),
# so we parse them with no role; and Go's zero-valued system content becomes
# `SystemContent.new()` with the three fields it sets.

GO_BIG_BLOCK = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Vestibulum vulputate. " * 200
GO_REASONING = "Reasoning chunk consolidating evidence. " * 60
GO_FINAL = "Final answer summarizing the conversation."


def go_tool_call_conversation(h):
    Role = h.Role
    return h.Conversation.from_messages(
        [
            h.Message.from_role_and_content(Role.USER, "What is the weather in SF?"),
            h.Message.from_role_and_content(
                Role.ASSISTANT,
                'User asks: "What is the weather in SF?" We need to use lookup_weather tool.',
            ).with_channel("analysis"),
            h.Message.from_role_and_content(Role.ASSISTANT, '{"location": "San Francisco"}')
            .with_channel("commentary")
            .with_recipient("functions.lookup_weather")
            .with_content_type("<|constrain|>json"),
            h.Message.from_author_and_content(
                h.Author.new(Role.TOOL, "functions.lookup_weather"),
                '{"temperature": 20, "description": "sunny"}',
            ),
        ]
    )


def go_large_conversation(h):
    Role = h.Role
    system = (
        h.SystemContent.new()
        .with_model_identity("Test model")
        .with_knowledge_cutoff("2024-06")
        .with_conversation_start_date("2025-09-20")
    )
    developer = h.DeveloperContent.new().with_instructions("Follow tool schema precisely. " * 100)
    messages = [
        h.Message.from_role_and_content(Role.SYSTEM, system),
        h.Message.from_role_and_content(Role.DEVELOPER, developer).with_channel("analysis"),
    ]
    for i in range(8):
        messages.append(h.Message.from_role_and_content(Role.USER, f"User block {i}: {GO_BIG_BLOCK}"))
        messages.append(
            h.Message.from_role_and_content(
                Role.ASSISTANT, f"Assistant analysis {i}: {GO_BIG_BLOCK}"
            ).with_channel("analysis")
        )
    messages.append(h.Message.from_role_and_content(Role.ASSISTANT, GO_FINAL).with_channel("final"))
    return h.Conversation.from_messages(messages)


def go_large_completion_messages(h):
    return [
        h.Message.from_role_and_content(h.Role.ASSISTANT, GO_REASONING).with_channel("analysis"),
        h.Message.from_role_and_content(h.Role.ASSISTANT, GO_FINAL).with_channel("final"),
    ]


# -- an agent loop --------------------------------------------------------------
#
# A server running an agent re-renders the whole conversation at every turn.
# Each turn adds a user request, the assistant's reasoning, a tool call, the
# tool's output (a JSON forecast of ~3 KB) and an answer. Two operations:
# - the session: the conversation rendered as it stands after each of the
#   turns, in order, as the server would (with the render cache: emptied
#   first, so each operation pays every miss a real session pays);
# - the last turn: the conversation of all turns but the last, plus a last
#   turn that is new at every call (its texts carry a call number; the
#   variants are built beforehand), so a cache holds the earlier turns and
#   misses the new one, as at a real turn.
# fastharmony with its opt-in render cache runs as a third contestant where
# the package has one (load_harmony_encoding(..., render_cache=N)); its
# tokens must equal the uncached ones.

AGENT_TURNS = 50
AGENT_CACHE_SIZE = 4096  # messages: more than a session holds
AGENT_LAST_TURN_VARIANTS = 2000


def _forecast(turn: int) -> str:
    hours = [
        f'{{"hour": {hour}, "temperature_c": {10 + (turn * 7 + hour * 3) % 17}, '
        f'"precipitation_mm": {((turn + hour) % 5) * 0.4:.1f}, "wind_kmh": {(turn * 11 + hour) % 40}, '
        f'"sky": "{["clear", "cloudy", "rain", "fog"][(turn + hour) % 4]}"}}'
        for hour in range(24)
    ]
    return f'{{"city": "City {turn}", "unit": "celsius", "hourly": [{", ".join(hours)}]}}'


def agent_opening(h) -> List[Any]:
    Role = h.Role
    system = (
        h.SystemContent.new()
        .with_model_identity("You are ChatGPT, a large language model trained by OpenAI.")
        .with_knowledge_cutoff("2024-06")
        .with_conversation_start_date("2025-06-28")
    )
    developer = h.DeveloperContent.new().with_instructions("Use the tools.").with_function_tools(
        [h.ToolDescription.new("lookup_weather", "Look up the forecast for a city.", WEATHER_PARAMETERS)]
    )
    return [
        h.Message.from_role_and_content(Role.SYSTEM, system),
        h.Message.from_role_and_content(Role.DEVELOPER, developer),
    ]


def agent_turn(h, turn: int, call: int = 0) -> List[Any]:
    """The five messages of one turn; `call` makes their texts new."""
    Role = h.Role
    tag = f" (call {call})" if call else ""
    return [
        h.Message.from_role_and_content(Role.USER, f"What will the weather be in City {turn} tomorrow?{tag}"),
        h.Message.from_role_and_content(
            Role.ASSISTANT, f"The user asks about City {turn}; lookup_weather gives the forecast.{tag}"
        ).with_channel("analysis"),
        h.Message.from_role_and_content(Role.ASSISTANT, f'{{"location": "City {turn}"}}')
        .with_channel("commentary")
        .with_recipient("functions.lookup_weather")
        .with_content_type("<|constrain|>json"),
        h.Message.from_author_and_content(
            h.Author.new(Role.TOOL, "functions.lookup_weather"), _forecast(turn) + tag
        )
        .with_recipient("assistant")
        .with_channel("commentary"),
        h.Message.from_role_and_content(
            Role.ASSISTANT, f"Tomorrow in City {turn}: mild, with showers in the afternoon.{tag}"
        ).with_channel("final"),
    ]


def agent_turns(h, turns: int = AGENT_TURNS) -> List[Any]:
    """The conversation after each turn (Conversation objects sharing messages)."""
    messages = agent_opening(h)
    conversations = []
    for turn in range(turns):
        messages += agent_turn(h, turn)
        conversations.append(h.Conversation.from_messages(list(messages)))
    return conversations


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


def prepare_go_render_tool_call(impl: Implementation) -> Case:
    return _render_case(impl, go_tool_call_conversation(impl.module))


def prepare_go_large_render_auto_drop(impl: Implementation) -> Case:
    return _render_case(impl, go_large_conversation(impl.module))


def prepare_go_large_render_keep_analysis(impl: Implementation) -> Case:
    config = impl.module.RenderConversationConfig(auto_drop_analysis=False)
    return _render_case(impl, go_large_conversation(impl.module), config)


def _go_large_completion_tokens(impl: Implementation) -> List[int]:
    # As harmony-go builds them: the two messages rendered as a conversation
    # that keeps analysis.
    h, enc = impl.module, impl.encoding
    convo = h.Conversation.from_messages(go_large_completion_messages(h))
    return list(enc.render_conversation(convo, h.RenderConversationConfig(auto_drop_analysis=False)))


def prepare_go_parse_large_completion(impl: Implementation) -> Case:
    expected = _messages(go_large_completion_messages(impl.module))
    return _parse_case(impl, _go_large_completion_tokens(impl), expected)


def prepare_go_stream_large_completion(impl: Implementation) -> Case:
    expected = _messages(go_large_completion_messages(impl.module))
    return _stream_case(impl, _go_large_completion_tokens(impl), expected)


def _agent_case(impl: Implementation, whole_session: bool, turns: int) -> Case:
    enc, h = impl.encoding, impl.module
    render = enc.render_conversation_for_completion
    assistant = h.Role.ASSISTANT
    conversations = agent_turns(h, turns)
    last = conversations[-1]
    clear = getattr(enc, "clear_render_cache", None) if impl.key == CACHED else None
    if whole_session:

        def op():
            if clear is not None:
                clear()
            for convo in conversations:
                render(convo, assistant)

    else:
        # Built before the timing, so that only rendering is timed: more last
        # turns than the timed loops take (a repeated one would hit a cache).
        earlier = last.messages[: -len(agent_turn(h, 0))]
        variants = [
            h.Conversation.from_messages(earlier + agent_turn(h, turns - 1, call))
            for call in range(1, AGENT_LAST_TURN_VARIANTS + 1)
        ]
        next_variant = itertools.cycle(variants).__next__

        def op():
            return render(next_variant(), assistant)

        render(last, assistant)  # the earlier turns, as the session left them
    tokens = list(render(last, assistant))
    return Case(
        op,
        output={"input": plain(last.to_dict()), "tokens": tokens},
        info={"tokens": len(tokens), "turns": turns, "messages": len(last.messages)},
    )


def prepare_agent_session(impl: Implementation, turns: int = AGENT_TURNS) -> Case:
    return _agent_case(impl, True, turns)


def prepare_agent_last_turn(impl: Implementation, turns: int = AGENT_TURNS) -> Case:
    return _agent_case(impl, False, turns)


def cached_variant(impl: Implementation) -> Implementation:
    """fastharmony with its render cache on; Unsupported where it has none."""
    load = getattr(impl.module, "load_harmony_encoding", None)
    try:
        encoding = load(ENCODING_NAME, render_cache=AGENT_CACHE_SIZE)
    except TypeError:  # no render_cache argument
        raise Unsupported(f"{impl.label} has no render cache yet") from None
    return replace(impl, key=CACHED, encoding=encoding)


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
    TimedWorkload(
        "agent-session",
        "agent loop: a session, re-rendered at every turn",
        prepare_agent_session,
        agent=True,
    ),
    TimedWorkload("agent-last-turn", "agent loop: the last turn", prepare_agent_last_turn, agent=True),
    TimedWorkload("go-render-tool-call", "harmony-go input: render tool-call", prepare_go_render_tool_call),
    TimedWorkload(
        "go-large-render-auto-drop",
        "harmony-go input: large render, auto-drop",
        prepare_go_large_render_auto_drop,
    ),
    TimedWorkload(
        "go-large-render-keep-analysis",
        "harmony-go input: large render, keep-analysis",
        prepare_go_large_render_keep_analysis,
    ),
    TimedWorkload(
        "go-parse-large-completion",
        "harmony-go input: parse large completion",
        prepare_go_parse_large_completion,
    ),
    TimedWorkload(
        "go-stream-large-completion",
        "harmony-go input: stream large completion",
        prepare_go_stream_large_completion,
    ),
]


def prepare(workload: TimedWorkload, impl: Implementation, agent_turns: int = AGENT_TURNS) -> Case:
    if impl.encoding is None:
        raise Unsupported(impl.unavailable)
    try:
        if workload.agent:
            return workload.prepare(impl, turns=agent_turns)
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
