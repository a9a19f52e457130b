"""Fuzzing: whatever comes in, the only exception that comes out is HarmonyError.

Servers feed fastharmony untrusted conversations (`from_dict`, `from_json`)
and whatever a model emits (token ids, batch or streaming). Hypothesis draws
arbitrary token sequences — formatting tokens, header words, broken UTF-8,
any id, and ids that are not valid at all — and arbitrary JSON-like values,
and checks that every call either succeeds or raises HarmonyError; that
streaming, chunked and batch parsing agree; and that non-strict parsing of
the malformed outputs real deployments report is the reference's.

Raise the example count with FASTHARMONY_EXAMPLES for long local runs.
"""

from __future__ import annotations

import json
import math

import msgspec
import openai_harmony
import pytest
from hypothesis import assume, event, given, note
from hypothesis import strategies as st

import fastharmony
from _parser_trace import same_error
from fastharmony import (
    Conversation,
    HarmonyError,
    Message,
    Role,
    StreamableParser,
    load_harmony_encoding,
)
from fastharmony._errors import HarmonyValueError

enc = load_harmony_encoding("HarmonyGptOss")

SPECIAL = {name: enc.encode(name, allowed_special="all")[0] for name in enc.special_tokens_set}
START, MESSAGE, CHANNEL, CONSTRAIN = (
    SPECIAL[f"<|{name}|>"] for name in ("start", "message", "channel", "constrain")
)
END, CALL, RETURN = SPECIAL["<|end|>"], SPECIAL["<|call|>"], SPECIAL["<|return|>"]
FORMATTING = [START, MESSAGE, CHANNEL, CONSTRAIN, END, CALL, RETURN]
LAST_TOKEN = 201_088
ROLES = [None, *Role]

# Header words and content pieces, as the text tokens a model emits.
WORDS = [
    "user", "assistant", "system", "developer", "tool", "analysis", "commentary", "final",
    " to=functions.get_weather", " to=", "to=browser.search", " json", " <|constrain|>json",
    "functions.lookup", " ", "  ", "\n", "\t", "\x0b", "\x1c", "\u00a0", "\u2028", "hello",
    "é", "日本", "🙂", '{"city":"Paris"}', "<|start|>", "<|end|>",
]
WORD_TOKENS = [enc.encode(word, disallowed_special=()) for word in WORDS]


def _broken_utf8() -> list:
    """Tokens whose bytes are not UTF-8 on their own (pieces of multibyte characters)."""
    broken = []
    for token in range(5000):
        try:
            enc.decode_bytes([token]).decode()
        except UnicodeDecodeError:
            broken.append(token)
    return broken


BROKEN_UTF8 = _broken_utf8()

fragments = st.one_of(
    st.sampled_from(FORMATTING).map(lambda token: [token]),
    st.sampled_from(WORD_TOKENS),
    st.sampled_from(BROKEN_UTF8).map(lambda token: [token]),
    st.integers(0, LAST_TOKEN).map(lambda token: [token]),
)

# Completions with the shape of real ones: each message's author, header and stop.
AUTHORS = ["user", "assistant", "system", "developer", "tool", "functions.lookup to=assistant", "wizard"]
HEADER_TAILS = [
    "", "<|channel|>final", "<|channel|>analysis", "<|channel|>commentary", ":alice",
    "<|channel|>commentary to=functions.get_weather <|constrain|>json",
    " to=functions.lookup<|channel|>commentary json", "<|channel|>final <|constrain|>json",
    " to=python<|channel|>analysis code", "<|channel|>commentary json extra words",
]
CONTENTS = ["", "Hi!", " a  b ", '{"city":"Paris"}', "é🙂日本", "<|end|>", "\n\n"]
STOP_TEXTS = ["<|end|>", "<|call|>", "<|return|>", ""]


@st.composite
def token_streams(draw, role=None):
    """Free-form token soup, or completions shaped like real ones with a few
    tokens inserted, deleted or replaced. With a role, the stream begins after
    `<|start|>{role}`, as a completion does."""
    if draw(st.integers(0, 2)) == 0:
        return [token for part in draw(st.lists(fragments, max_size=40)) for token in part]
    text = ""
    for index in range(draw(st.integers(1, 3))):
        if index or role is None:
            text += "<|start|>" + draw(st.sampled_from(AUTHORS))
        content = draw(st.one_of(st.sampled_from(CONTENTS), st.text(max_size=6)))
        text += draw(st.sampled_from(HEADER_TAILS)) + "<|message|>" + content
        text += draw(st.sampled_from(STOP_TEXTS))
    tokens = enc.encode(text, allowed_special="all")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(tokens)))
        change = draw(st.sampled_from(["insert", "delete", "replace"]))
        new = [] if change == "delete" else draw(fragments)
        tokens[at : at + (change != "insert")] = new
    return tokens


def streams_with_role():
    return st.sampled_from(ROLES).flatmap(lambda role: st.tuples(st.just(role), token_streams(role)))


# Everything `process` may be handed that is not a token id.
invalid_ids = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=LAST_TOKEN + 1),
    st.integers(min_value=2**64, max_value=2**70),
    st.just(10**5000),
    st.floats(allow_nan=True),
    st.none(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.just([1]),
    st.just(object()),
)


# -- token streams ------------------------------------------------------------------


def outcome(call):
    try:
        return call(), None
    except HarmonyError as error:
        return None, error


def feed(tokens, role, strict, eos=True):
    """(parser, index of the failing token or None, its error): the tokens fed
    one by one up to the first error, then EOS (index len(tokens) if that fails)."""
    parser = StreamableParser(enc, role, strict=strict)
    for index, token in enumerate(tokens):
        try:
            parser.process(token)
        except HarmonyError as error:
            return parser, index, error
    if eos:
        try:
            parser.process_eos()
        except HarmonyError as error:
            return parser, len(tokens), error
    return parser, None, None


def observed(parser):
    """Everything a caller can read from a parser."""
    return (
        parser.state,
        parser.tokens,
        parser.current_role,
        parser.current_channel,
        parser.current_recipient,
        parser.current_content_type,
        parser.current_content,
        parser.last_content_delta,
        [message.to_dict() for message in parser.messages],
    )


@given(case=streams_with_role(), strict=st.booleans())
def test_any_token_stream_parses_or_raises_harmony_error(case, strict):
    role, tokens = case
    messages, error = outcome(lambda: enc.parse_messages_from_completion_tokens(tokens, role, strict=strict))
    event("raised" if error else "parsed")
    parser, _, stream_error = feed(tokens, role, strict)
    assert str(error) == str(stream_error)
    if error is None:
        assert [m.to_dict() for m in messages] == [m.to_dict() for m in parser.messages]


@given(case=streams_with_role(), strict=st.booleans(), data=st.data())
def test_process_tokens_in_any_chunks_is_process_one_by_one(case, strict, data):
    role, tokens = case
    cuts = sorted(data.draw(st.lists(st.integers(0, len(tokens)), max_size=6)))
    parser = StreamableParser(enc, role, strict=strict)
    position = 0
    for cut in [*cuts, len(tokens)]:
        try:
            parser.process_tokens(tokens[position:cut])
        except HarmonyError as error:
            expected, failed_at, expected_error = feed(tokens, role, strict, eos=False)
            assert failed_at is not None and position <= failed_at < cut
            assert str(error) == str(expected_error)
            assert observed(parser) == observed(expected)
            return
        expected, failed_at, _ = feed(tokens[:cut], role, strict, eos=False)
        assert failed_at is None
        assert observed(parser) == observed(expected)
        position = cut
    expected, _, expected_error = feed(tokens, role, strict)
    _, error = outcome(parser.process_eos)
    assert str(error) == str(expected_error)
    assert observed(parser) == observed(expected)


@given(case=streams_with_role(), bad=invalid_ids, data=st.data(), strict=st.booleans())
def test_an_invalid_token_id_is_rejected_where_it_is_received(case, bad, data, strict):
    role, tokens = case
    at = data.draw(st.integers(0, len(tokens)))
    stream = [*tokens[:at], bad, *tokens[at:]]
    _, failed_before, _ = feed(tokens[:at], role, strict, eos=False)
    # Batch: HarmonyError; the invalid id's own error if nothing failed before it.
    with pytest.raises(HarmonyError) as batch:
        enc.parse_messages_from_completion_tokens(stream, role, strict=strict)
    if failed_before is None:
        assert isinstance(batch.value, HarmonyValueError)
        assert str(batch.value).startswith("Invalid token for decoding")
    # Streaming, one call for everything.
    parser = StreamableParser(enc, role, strict=strict)
    with pytest.raises(HarmonyError):
        parser.process_tokens(stream)
    # One by one: the bad id raises when it is processed, and leaves the parser as it was.
    parser = StreamableParser(enc, role, strict=strict)
    for token in tokens[:at]:
        try:
            parser.process(token)
        except HarmonyError:
            return
    before = observed(parser)
    with pytest.raises(HarmonyValueError, match="Invalid token for decoding"):
        parser.process(bad)
    assert observed(parser) == before
    # ... and so do decode and decode_bytes.
    with pytest.raises(HarmonyValueError, match="Invalid token for decoding"):
        enc.decode(stream)
    with pytest.raises(HarmonyValueError, match="Invalid token for decoding"):
        enc.decode_bytes(stream)


@given(anything=st.one_of(invalid_ids, st.integers(), st.lists(invalid_ids, max_size=3), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)))
def test_parsing_entry_points_take_any_argument(anything):
    for call in (
        lambda: enc.parse_messages_from_completion_tokens(anything),
        lambda: enc.parse_messages_from_completion_tokens([START], anything),
        lambda: StreamableParser(enc, None).process(anything),
        lambda: StreamableParser(enc, None).process_tokens(anything),
        lambda: StreamableParser(enc, anything),
        lambda: StreamableParser(anything, None),
        lambda: enc.decode(anything),
        lambda: enc.decode_utf8(anything),
        lambda: enc.decode_bytes(anything),
        lambda: enc.decode([1], anything),
        lambda: enc.is_special_token(anything),
        lambda: enc.encode(anything),
        lambda: enc.encode("<|start|>", allowed_special=anything),
        lambda: enc.encode("<|start|>", disallowed_special=anything),
        lambda: load_harmony_encoding(anything),
    ):
        outcome(call)


# -- non-strict parsing: the malformed outputs of real deployments -----------------

# An assistant's completion as a model emits it after `<|start|>assistant`, as
# (header text, content, stop), each message a candidate for one defect.
completion_messages = st.tuples(
    st.sampled_from([
        "<|channel|>analysis", "<|channel|>final", "<|channel|>commentary",
        "<|channel|>commentary to=functions.get_weather <|constrain|>json",
        " to=functions.lookup<|channel|>commentary json",
        "<|channel|>final <|constrain|>json",
    ]),
    st.sampled_from(["Let me think.", "It is sunny.", '{"city":"Paris"}', "", " a  b ", "é🙂"]),
    st.sampled_from(["<|end|>", "<|call|>", "<|return|>"]),
)
DEFECTS = ["none", "stop before <|message|>", "stray text before <|start|>", "no stop at EOS"]


def malformed_completion(messages, defects):
    parts = []
    for index, ((header, content, stop), defect) in enumerate(zip(messages, defects)):
        if index:
            if defect == "stray text before <|start|>":
                parts.append(" Sure.")
            parts.append("<|start|>assistant")
        if defect == "stop before <|message|>":
            parts.append(f"{header} {content}{stop}")
        elif defect == "no stop at EOS" and index == len(messages) - 1:
            parts.append(f"{header}<|message|>{content}")
        else:
            parts.append(f"{header}<|message|>{content}{stop}")
    return enc.encode("".join(parts), allowed_special="all")


def reference_outcome(ref, tokens, role, strict):
    their_role = None if role is None else openai_harmony.Role(role.value)
    try:
        messages = ref.parse_messages_from_completion_tokens(tokens, their_role, strict=strict)
    except openai_harmony.HarmonyError as error:
        return None, str(error)
    return [json.loads(m.to_json()) for m in messages], None


def reference_stream(ref, tokens, role, strict):
    their_role = None if role is None else openai_harmony.Role(role.value)
    parser = openai_harmony.StreamableParser(ref, their_role, strict=strict)
    seen = []
    for token in tokens:
        try:
            parser.process(token)
        except openai_harmony.HarmonyError as error:
            seen.append(("error", str(error)))
            break
        seen.append((parser.state.value, parser.current_content, parser.last_content_delta,
                     parser.current_channel, parser.current_recipient, len(parser.messages)))
    return seen


def our_stream(tokens, role, strict):
    parser = StreamableParser(enc, role, strict=strict)
    seen = []
    for token in tokens:
        try:
            parser.process(token)
        except HarmonyError as error:
            seen.append(("error", str(error)))
            break
        seen.append((parser.state.value, parser.current_content, parser.last_content_delta,
                     parser.current_channel, parser.current_recipient, len(parser.messages)))
    return seen


@given(
    messages=st.lists(completion_messages, min_size=1, max_size=3),
    data=st.data(),
    strict=st.booleans(),
    with_role=st.booleans(),
)
def test_malformed_completions_parse_as_the_reference_parses_them(ref, messages, data, strict, with_role):
    defects = data.draw(st.lists(st.sampled_from(DEFECTS), min_size=len(messages), max_size=len(messages)))
    tokens = malformed_completion(messages, defects)
    role = Role.ASSISTANT
    if not with_role:
        tokens = [START, *enc.encode("assistant"), *tokens]
        role = None
    event(f"strict={strict} " + ",".join(sorted(set(defects))))
    expected, expected_error = reference_outcome(ref, tokens, role, strict)
    ours, error = outcome(lambda: enc.parse_messages_from_completion_tokens(tokens, role, strict=strict))
    note(f"reference: {expected!r} {expected_error!r}")
    if expected_error is not None:
        # Ours may quote only the first 200 characters of a long header.
        assert error is not None and same_error(str(error), expected_error)
    else:
        assert error is None
        assert [json.loads(m.to_json()) for m in ours] == expected
    theirs, mine = reference_stream(ref, tokens, role, strict), our_stream(tokens, role, strict)
    if theirs and mine and theirs[-1][0] == mine[-1][0] == "error" and same_error(mine[-1][1], theirs[-1][1]):
        mine[-1] = theirs[-1]
    assert mine == theirs


# -- untrusted conversations: from_dict and from_json ---------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**80),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["user", "assistant", "system", "developer", "tool", "text",
                     "system_content", "developer_content", "wizard", "\ud800", "<|start|>"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Python values JSON has no room for, which from_dict may still be handed.
python_values = st.one_of(
    st.binary(max_size=4),
    st.tuples(st.integers()),
    st.frozensets(st.integers(), max_size=2),
    st.just(object()),
    st.just(10**5000),
    st.dictionaries(st.integers(), st.integers(), max_size=2),
    st.just(math.nan),
)
FIELDS = ["role", "name", "content", "channel", "recipient", "content_type"]
CONTENT_FIELDS = {
    "text": ["text"],
    "system_content": ["model_identity", "reasoning_effort", "conversation_start_date",
                       "knowledge_cutoff", "channel_config", "tools"],
    "developer_content": ["instructions", "tools"],
}


@st.composite
def message_dicts(draw, values=json_values):
    """Messages that are nearly valid: a valid skeleton, a few fields replaced
    (by plausible values, mostly, or by anything)."""
    replacement = st.one_of(st.none(), st.text(max_size=8), values)
    role = draw(st.sampled_from(["user", "assistant", "system", "developer", "tool"]))
    kind = draw(st.sampled_from(list(CONTENT_FIELDS)))
    part = {"type": kind}
    if kind == "text":
        part["text"] = draw(st.text(max_size=10))
    for field in draw(st.lists(st.sampled_from(CONTENT_FIELDS[kind] + ["type"]), max_size=2)):
        part[field] = draw(replacement)
    if kind != "text" and draw(st.booleans()):
        tool = {"name": draw(st.text(max_size=6)), "description": "d"}
        if draw(st.booleans()):
            tool["parameters"] = draw(st.one_of(values, st.dictionaries(st.text(max_size=8), values, max_size=4)))
        part["tools"] = {"functions": {"name": "functions", "tools": [tool]}}
    message = {"role": role, "content": draw(st.sampled_from([[part], "hi", [part, part]]))}
    if role == "tool" or draw(st.booleans()):
        message["name"] = "functions.f"
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=2)):
        message[field] = draw(replacement)
    return message


def conversations(values=json_values):
    messages = st.lists(message_dicts(values), max_size=3)
    return st.one_of(
        st.builds(lambda messages: {"messages": messages}, messages),
        st.builds(lambda messages: {"messages": messages}, messages),
        st.builds(lambda messages: {"messages": messages}, values),
        values,
    )


conversation_dicts = conversations()


def use(value):
    """What a server does with a conversation it accepted; only HarmonyError may escape."""
    messages = value.messages if isinstance(value, Conversation) else [value]
    for call in (
        lambda: enc.render_conversation(messages),
        lambda: enc.render_conversation_for_completion(messages, Role.ASSISTANT),
        lambda: enc.render_conversation_for_training(messages),
        lambda: value.to_json(),
        lambda: value.to_dict(),
        *[lambda m=m: enc.render(m) for m in messages],
    ):
        result, error = outcome(call)
        event("used" if error is None else f"refused on use: {type(error).__name__}")


@given(data=st.one_of(conversation_dicts, conversations(st.one_of(json_values, python_values)), python_values))
def test_conversation_from_dict_accepts_or_raises_harmony_error(data):
    conversation, error = outcome(lambda: Conversation.from_dict(data))
    event("accepted" if error is None else "refused")
    if error is None:
        use(conversation)


@given(data=st.one_of(message_dicts(), message_dicts(st.one_of(json_values, python_values)), json_values, python_values))
def test_message_from_dict_accepts_or_raises_harmony_error(data):
    message, error = outcome(lambda: Message.from_dict(data))
    event("accepted" if error is None else "refused")
    if error is None:
        use(message)


def _json_text(value):
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


@given(data=conversation_dicts, as_bytes=st.booleans())
def test_conversation_from_json_accepts_or_raises_harmony_error(data, as_bytes):
    text = _json_text(data)
    payload = text.encode("utf-8", "surrogatepass") if as_bytes else text
    conversation, error = outcome(lambda: Conversation.from_json(payload))
    event("accepted" if error is None else "refused")
    if error is None:
        use(conversation)
        # What was read from JSON writes JSON that reads back the same (after
        # one round: `null` for a field with a default is not written, and reads
        # back as the default, as with the reference's to_dict/from_dict), or refuses.
        written, error = outcome(conversation.to_json)
        if error is None:
            again = Conversation.from_json(written)
            third = Conversation.from_json(again.to_json())
            assert third.to_json() == again.to_json()
            first, error = outcome(lambda: enc.render_conversation(again))
            second, second_error = outcome(lambda: enc.render_conversation(third))
            assert (first, str(error)) == (second, str(second_error))


@given(data=st.one_of(message_dicts(), json_values))
def test_message_from_json_accepts_or_raises_harmony_error(data):
    message, error = outcome(lambda: Message.from_json(_json_text(data)))
    if error is None:
        use(message)


@given(
    payload=st.one_of(
        st.binary(max_size=40),
        st.text(max_size=40),
        st.builds(lambda prefix, depth: prefix + "[" * depth, st.sampled_from(['{"messages":', "", '{"messages":[{"role":"user","content":']), st.integers(0, 200_000)),
        st.builds(
            lambda depth: '{"messages":[{"role":"developer","content":[{"type":"developer_content","tools":{"f":{"name":"f","tools":[{"name":"t","description":"d","parameters":'
            + '{"a":' * depth + "1" + "}" * depth + "}]}}}]}]}",
            st.integers(0, 100_000),
        ),
    )
)
def test_from_json_of_any_bytes_or_depth_raises_only_harmony_error(payload):
    for load in (Conversation.from_json, Message.from_json):
        value, error = outcome(lambda: load(payload))
        if error is None:
            use(value)


# -- the command line ------------------------------------------------------------------

# Every command with each of its options, as a user would type them.
CLI_COMMANDS = [
    ["render-msg"], ["render-msg", "--function-tools"],
    ["render-convo"], ["render-convo", "--no-auto-drop"],
    ["render-completion"], ["render-completion", "--role", "user"],
    ["render-training"],
    ["parse"], ["parse", "--role", "assistant"], ["parse", "--non-strict"],
    ["parse", "--role", "assistant", "--non-strict"],
    ["decode"], ["decode", "--lossy"],
    ["encode"], ["encode", "--allow-special"], ["encode", "--special-as-text"],
    ["stream"], ["stream", "--role", "assistant", "--non-strict"],
    ["show"], ["show", "--role", "assistant", "--color", "always"],
    ["chat-render"], ["chat-parse"], ["chat-parse", "--truncated"],
]


def run_cli(argv, data: bytes):
    """(exit status, stdout bytes, stderr text) of `fastharmony ARGV` in this
    process, with `data` on stdin. Any exception escaping main is a bug."""
    import contextlib
    import io
    import sys

    from fastharmony import cli

    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="utf-8")
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = stdin, stdout
    try:
        with contextlib.redirect_stderr(stderr):
            try:
                status = cli.main(argv)
            except SystemExit as exit:  # argparse: usage errors, --help
                status = exit.code
    finally:
        sys.stdin, sys.stdout = saved
    stdout.flush()
    return status, stdout.buffer.getvalue(), stderr.getvalue()


def assert_clean_exit(status, stderr):
    assert "Traceback" not in stderr
    assert status in (0, 1, 2), stderr
    if status == 1 and stderr:
        assert stderr.startswith("fastharmony: error: ") and stderr.count("\n") == 1, stderr


def _token_text(tokens) -> bytes:
    return json.dumps(tokens).encode()


cli_inputs = st.one_of(
    st.binary(max_size=60),
    st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")),
    json_values.map(lambda value: _json_text(value).encode("utf-8", "surrogatepass")),
    message_dicts().map(lambda value: _json_text(value).encode("utf-8", "surrogatepass")),
    conversation_dicts.map(lambda value: _json_text(value).encode("utf-8", "surrogatepass")),
    st.lists(message_dicts(), max_size=3).map(lambda value: _json_text(value).encode("utf-8", "surrogatepass")),
    token_streams().map(_token_text),
    st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=3)), max_size=6).map(_token_text),
    token_streams().map(lambda tokens: " ".join(map(str, tokens)).encode()),
    st.integers(0, 50_000).map(lambda depth: b"[" * depth + b"]" * depth),
)


@given(argv=st.sampled_from(CLI_COMMANDS), data=cli_inputs)
def test_the_cli_exits_cleanly_on_any_input(argv, data):
    status, _, stderr = run_cli(argv, data)
    event(f"exit {status}")
    assert_clean_exit(status, stderr)


def test_the_cli_refuses_json_nested_too_deep_in_one_line():
    status, _, stderr = run_cli(["render-convo"], b"[" * 3000)
    assert status == 1 and stderr.startswith("fastharmony: error: ")


def test_the_cli_refuses_invalid_utf8_inside_json_strings_in_one_line():
    status, _, stderr = run_cli(["show"], b'[{"a":"\xed\xa0\x80"}]')
    assert status == 1 and stderr.startswith("fastharmony: error: ")


@given(argv=st.lists(st.one_of(st.sampled_from(
    ["render-msg", "parse", "stream", "show", "--role", "wizard", "--color", "sometimes", "-i",
     "/nonexistent", "--non-strict", "--lossy", "--help", "--version", "", "-", "--", "-x"]),
    st.text(max_size=5)), max_size=5))
def test_the_cli_exits_cleanly_on_any_arguments(argv):
    status, _, stderr = run_cli(argv, b'{"role": "user", "content": "Hi"}')
    assert_clean_exit(status, stderr)
