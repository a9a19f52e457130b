"""Property-based tests of the Chat Completions adapter.

- Random completions (analysis, preambles, tool calls in every header form,
  built-in tool calls, final answers; text with emoji, CJK and Harmony-looking
  strings; the last stop token sometimes missing) give the message their parts
  describe, and the same message streamed in any split.
- Random truncations and random token soup never raise, and streaming them in
  any split gives the non-streaming message, as the SDK accumulates it.
- A completion put back into the next request as history renders as the
  model wrote it: nothing lost or moved between turns.
"""

from hypothesis import given
from hypothesis import strategies as st
from test_chat_completion import answer, check_ids, sdk_accumulated, sdk_choice, stream, tokens_of

from fastharmony import load_harmony_encoding
from fastharmony.chat import message_from_completion, render_request

enc = load_harmony_encoding("HarmonyGptOss")
START = tokens_of("<|start|>")
ASSISTANT_HEADER = tokens_of("<|start|>assistant")


def ordinary(text):
    """Text as model output: Harmony-looking strings in it are plain text."""
    return enc.encode(text, disallowed_special=())

# -- completions as their parts -------------------------------------------------------------

fragments = st.sampled_from(
    ["🦜", "日本語", "鱻", "𝄞", "é", "\n", " ", "<|end|>", "<|call|>", "to=functions.x", '{"a": [1, 2]}', "..."]
)
texts = st.lists(st.one_of(fragments, st.text(max_size=6)), max_size=8).map("".join)
names = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(
    lambda name: name not in ("python", "browser", "container", "functions", "all", "assistant", "user", "system", "developer")
)
# How a model writes a call's header (after <|start|>, or at the start of the completion).
CALL_HEADERS = [
    "assistant to=functions.{name}<|channel|>commentary <|constrain|>json",
    "assistant<|channel|>commentary to=functions.{name} <|constrain|>json",
    "assistant<|channel|>commentary to=functions.{name}<|constrain|>json",
    "assistant<|channel|>analysis to=functions.{name} json",
    "assistant<|channel|>commentary to={name} json",
    "functions.{name}<|channel|>commentary <|constrain|>json",  # not as the first message
]


@st.composite
def parts(draw):
    kind = draw(st.sampled_from(["analysis", "preamble", "final", "call", "builtin"]))
    if kind == "call":
        return ("call", draw(names), draw(texts), draw(st.sampled_from(CALL_HEADERS)))
    if kind == "builtin":
        return ("builtin", draw(st.sampled_from(["python", "browser.search", "browser.open"])), draw(texts))
    return (kind, draw(texts))


def render_parts(parts, drop_last_stop):
    tokens = []
    for index, part in enumerate(parts):
        kind = part[0]
        if kind == "call":
            _, name, arguments, header = part
            if index == 0 and header.startswith("functions."):
                header = CALL_HEADERS[0]
            header, body, stop = header.format(name=name), arguments, "<|call|>"
        elif kind == "builtin":
            header, body, stop = f"assistant<|channel|>analysis to={part[1]} code", part[2], "<|call|>"
        else:
            channel = {"analysis": "analysis", "preamble": "commentary", "final": "final"}[kind]
            header, body, stop = f"assistant<|channel|>{channel}", part[1], "<|end|>" if kind != "final" else "<|return|>"
        tokens += tokens_of(f"<|start|>{header}<|message|>") + ordinary(body) + tokens_of(stop)
    tokens = tokens[len(ASSISTANT_HEADER) :]  # the prompt ends with <|start|>assistant
    if drop_last_stop and tokens:
        tokens.pop()
    return tokens


def expected_message(parts):
    reasoning = [p[2] if p[0] == "builtin" else p[1] for p in parts if p[0] in ("analysis", "builtin")]
    content = [p[1] for p in parts if p[0] in ("preamble", "final")]
    calls = [(p[1], p[2]) for p in parts if p[0] == "call"]
    joined = lambda texts: "\n".join(text for text in texts if text) or None  # noqa: E731
    return answer(joined(content), joined(reasoning), *calls)


def splits(draw, n):
    """Random push sizes that add up to n (empty pushes included)."""
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=12)))
    bounds = [0, *cuts, n]
    return [b - a for a, b in zip(bounds, bounds[1:])]


def check_every_split(draw, tokens, truncated):
    choice = message_from_completion(enc, tokens, truncated=truncated)
    sdk_choice(choice)
    message = check_ids(choice["message"])
    for pushes in (splits(draw, len(tokens)), [1] * len(tokens)):
        deltas, reason = stream(tokens, pushes, truncated)
        assert reason == choice["finish_reason"]
        assert check_ids(sdk_accumulated(deltas, reason)) == message
    return message, choice["finish_reason"]


@given(st.lists(parts(), max_size=6), st.booleans(), st.data())
def test_a_completion_gives_the_message_its_parts_describe_in_any_split(parts, drop_last_stop, data):
    tokens = render_parts(parts, drop_last_stop)
    message, reason = check_every_split(data.draw, tokens, truncated=False)
    assert message == expected_message(parts)
    assert reason == ("tool_calls" if any(p[0] == "call" for p in parts) else "stop")


@given(st.lists(parts(), min_size=1, max_size=5), st.data())
def test_a_truncated_completion_streams_as_it_parses(parts, data):
    tokens = render_parts(parts, drop_last_stop=False)
    cut = data.draw(st.integers(0, len(tokens)))
    _, reason = check_every_split(data.draw, tokens[:cut], truncated=True)
    assert reason == "length"


SOUP = sorted(
    {
        *tokens_of("<|start|><|end|><|message|><|channel|><|constrain|><|call|><|return|>"),
        *enc.encode(" assistant to=functions.f analysis commentary final json user functions.g python browser.search"),
        *enc.encode("🦜日本語"),
    }
)


@given(st.lists(st.one_of(st.sampled_from(SOUP), st.integers(0, 199_997)), max_size=60), st.booleans(), st.data())
def test_token_soup_never_raises_and_streams_as_it_parses(tokens, truncated, data):
    check_every_split(data.draw, tokens, truncated)


# -- round trips ------------------------------------------------------------------------------

WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
QUESTION = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Tokyo?"}]
non_empty = texts.filter(bool)


def render(messages):
    return render_request(enc, {"messages": messages, "tools": [WEATHER]}, start_date="2025-06-28")


@given(non_empty, st.none() | non_empty, st.lists(st.tuples(names, texts), min_size=1, max_size=3))
def test_tool_calls_come_back_in_the_next_request_as_the_model_wrote_them(reasoning, preamble, calls):
    completion = tokens_of("<|channel|>analysis<|message|>") + ordinary(reasoning) + tokens_of("<|end|>")
    if preamble is not None:
        completion += tokens_of("<|start|>assistant<|channel|>commentary<|message|>") + ordinary(preamble) + tokens_of("<|end|>")
    for name, arguments in calls:
        completion += tokens_of(f"<|start|>assistant to=functions.{name}<|channel|>commentary <|constrain|>json<|message|>")
        completion += ordinary(arguments) + tokens_of("<|call|>")
    message = message_from_completion(enc, completion)["message"]
    results = [{"role": "tool", "tool_call_id": c["id"], "content": "{}"} for c in message["tool_calls"]]
    next_prompt = render(QUESTION + [message] + results)
    expected = render(QUESTION) + completion
    for name, _ in calls:
        expected += tokens_of(f"<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>{{}}<|end|>")
    assert next_prompt == expected + ASSISTANT_HEADER


@given(texts, non_empty)
def test_a_final_answer_comes_back_without_its_reasoning(reasoning, final):
    completion = tokens_of("<|channel|>analysis<|message|>") + ordinary(reasoning) + tokens_of("<|end|>")
    completion += tokens_of("<|start|>assistant<|channel|>final<|message|>") + ordinary(final) + tokens_of("<|return|>")
    message = message_from_completion(enc, completion)["message"]
    follow_up = {"role": "user", "content": "Thanks"}
    next_prompt = render(QUESTION + [message, follow_up])
    answer_tokens = tokens_of("<|start|>assistant<|channel|>final<|message|>") + ordinary(final) + tokens_of("<|end|>")
    user_tokens = tokens_of("<|start|>user<|message|>Thanks<|end|>")
    assert next_prompt == render(QUESTION)[: -len(ASSISTANT_HEADER)] + answer_tokens + user_tokens + ASSISTANT_HEADER
