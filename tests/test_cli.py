"""The `fastharmony` command line on real inputs, run in this process.

Every output is compared with what the reference (openai-harmony, the `ref`
fixture) computes for the same input: inputs are built with the reference's own
classes and serialised with its `to_json`, so the CLI reads the reference's JSON
shape. Bad input must exit 1 with one line on stderr that says what and where;
usage errors exit 2.

Commands run in-process (tests/cli_runner.py); the few tests that need a real
process (a terminal, a live pipe, the process's own imports, the entry point)
spawn one.
"""

import json
import os
import pty
import queue
import subprocess
import sys
import threading

import openai_harmony as oh
import pytest

from cli_runner import TIMEOUT, run_cli, subprocess_cli, subprocess_env as _env


def run(*args, input=b"", **env):
    """`fastharmony ARGS` with INPUT on stdin: exit status, stdout, stderr."""
    return run_cli(args, input, **env)


def ok(*args, input=b"", **env) -> bytes:
    result = run(*args, input=input, **env)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return result.stdout


def compact(value) -> bytes:
    """The CLI's output format: compact JSON, UTF-8, and a newline."""
    return (json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def ref_dicts(messages):
    return [message.to_dict() for message in messages]


# -- real inputs, built with the reference's classes ------------------------------

WEATHER = oh.ToolDescription.new(
    "get_weather",
    "Gets the weather.",
    parameters={"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
)


def _system():
    return oh.Message.from_role_and_content(
        oh.Role.SYSTEM, oh.SystemContent.new().with_conversation_start_date("2025-08-05")
    )


def chat_with_final_answer():
    """Analysis before a final answer: auto-drop and the training <|return|> apply."""
    return oh.Conversation.from_messages(
        [
            _system(),
            oh.Message.from_role_and_content(oh.Role.USER, "What is 2 + 2? Answer in ünïcødé 🦜."),
            oh.Message.from_role_and_content(oh.Role.ASSISTANT, "Simple sum.").with_channel("analysis"),
            oh.Message.from_role_and_content(oh.Role.ASSISTANT, "4 — vier 🦜").with_channel("final"),
        ]
    )


def plain_chat():
    """No system message, named authors, text that spells special tokens."""
    return oh.Conversation.from_messages(
        [
            oh.Message.from_author_and_content(oh.Author.new(oh.Role.USER, "alice"), "Say <|end|> literally."),
            oh.Message.from_role_and_content(oh.Role.ASSISTANT, "<|end|>\nthere").with_channel("final"),
        ]
    )


def tool_call_chat():
    """System, developer with a function tool, user, analysis, tool call, tool result."""
    return oh.Conversation.from_messages(
        [
            _system(),
            oh.Message.from_role_and_content(
                oh.Role.DEVELOPER,
                oh.DeveloperContent.new().with_instructions("Be brief.").with_function_tools([WEATHER]),
            ),
            oh.Message.from_role_and_content(oh.Role.USER, "Weather in Tokyo?"),
            oh.Message.from_role_and_content(oh.Role.ASSISTANT, "Look it up.").with_channel("analysis"),
            oh.Message.from_role_and_content(oh.Role.ASSISTANT, '{"location":"Tokyo"}')
            .with_channel("commentary")
            .with_recipient("functions.get_weather")
            .with_content_type("<|constrain|>json"),
            oh.Message.from_author_and_content(
                oh.Author.new(oh.Role.TOOL, "functions.get_weather"), '{"sunny":true}'
            )
            .with_channel("commentary")
            .with_recipient("assistant"),
        ]
    )


CONVERSATIONS = {
    "final-answer": chat_with_final_answer,
    "plain": plain_chat,
    "tool-call": tool_call_chat,
}

# What a model writes after `<|start|>assistant`: analysis, then a tool call.
COMPLETION = (
    "<|channel|>analysis<|message|>Need the weather 🦜 first.<|end|>"
    "<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json"
    '<|message|>{"location":"Paris"}<|call|>'
)


@pytest.fixture(params=sorted(CONVERSATIONS))
def conversation(request):
    return CONVERSATIONS[request.param]()


# The reference renders a named user as `user:alice` but cannot parse that back
# ("Unknown role: user:alice"), so round trips leave the plain chat out.
@pytest.fixture(params=sorted(set(CONVERSATIONS) - {"plain"}))
def parseable_conversation(request):
    return CONVERSATIONS[request.param]()


# -- help, version, usage -----------------------------------------------------------

COMMAND_NAMES = [
    "stop", "render-msg", "render-convo", "render-completion", "render-training",
    "parse", "decode", "encode", "stream", "show", "demo",
]


def test_version_names_the_package_version():
    import fastharmony

    assert ok("--version") == f"fastharmony {fastharmony.__version__}\n".encode()


def test_help_lists_every_command():
    out = ok("--help").decode()
    for name in COMMAND_NAMES:
        assert f"    {name}" in out


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_every_command_has_help(name):
    out = ok(name, "--help").decode()
    assert out.startswith(f"usage: fastharmony {name}")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["stop", "--bogus"],
        ["parse", "--role", "wizard"],
        ["render-completion", "--role"],
        ["encode", "--allow-special", "--special-as-text"],
    ],
    ids=["no-command", "unknown-command", "unknown-option", "unknown-role", "missing-value", "contradiction"],
)
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"fastharmony" in result.stderr and b"Traceback" not in result.stderr


def test_importing_the_cli_does_not_load_the_vocabulary():
    # A real process: what is loaded is the process's state. The help of the
    # program and of a command imports that command's module only.
    code = (
        "import sys, fastharmony.cli;"
        "assert fastharmony.cli.main(['--help']) == 0;"
        "assert fastharmony.cli.main(['render-msg', '--help']) == 0;"
        "assert 'tiktoken' not in sys.modules;"
        "loaded = {m for m in sys.modules if m.startswith('fastharmony.cli.commands.')};"
        "assert loaded == {'fastharmony.cli.commands.render'}, loaded"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(), check=True, timeout=TIMEOUT, capture_output=True)


# -- stop -----------------------------------------------------------------------------


# The reference returns them in a hash set's order, which changes from run to
# run; the CLI sorts them.


def test_stop_lists_the_stop_tokens_in_order(ref):
    assert ok("stop") == compact(sorted(ref.stop_tokens()))


def test_stop_actions_lists_the_assistant_action_stop_tokens_in_order(ref):
    assert ok("stop", "--actions") == compact(sorted(ref.stop_tokens_for_assistant_actions()))


# -- rendering ------------------------------------------------------------------------


def test_render_msg_renders_each_message_as_the_reference(ref, conversation):
    for message in conversation.messages:
        assert ok("render-msg", input=message.to_json()) == compact(ref.render(message))


def test_render_msg_function_tools_option_changes_a_system_message(ref):
    message = _system()
    with_tools = ref.render(message, oh.RenderOptions(conversation_has_function_tools=True))
    assert with_tools != ref.render(message)
    assert ok("render-msg", "--function-tools", input=message.to_json()) == compact(with_tools)


def test_render_msg_accepts_content_as_a_plain_string(ref):
    message = oh.Message.from_role_and_content(oh.Role.USER, "Hi")
    assert ok("render-msg", input='{"role":"user","content":"Hi"}') == compact(ref.render(message))


@pytest.mark.parametrize("no_auto_drop", [False, True])
def test_render_convo_matches_the_reference(ref, conversation, no_auto_drop):
    config = oh.RenderConversationConfig(auto_drop_analysis=not no_auto_drop)
    flags = ["--no-auto-drop"] if no_auto_drop else []
    expected = ref.render_conversation(conversation, config)
    assert ok("render-convo", *flags, input=conversation.to_json()) == compact(expected)


def test_no_auto_drop_keeps_the_analysis_before_a_final_answer():
    convo = chat_with_final_answer().to_json()
    assert ok("render-convo", input=convo) != ok("render-convo", "--no-auto-drop", input=convo)


@pytest.mark.parametrize("role", ["assistant", "user", "tool"])
def test_render_completion_ends_with_the_next_turns_header(ref, conversation, role):
    expected = ref.render_conversation_for_completion(conversation, oh.Role(role))
    assert ok("render-completion", "--role", role, input=conversation.to_json()) == compact(expected)


def test_render_completion_defaults_to_the_assistant(ref, conversation):
    expected = ref.render_conversation_for_completion(conversation, oh.Role.ASSISTANT)
    assert ok("render-completion", input=conversation.to_json()) == compact(expected)


def test_render_completion_no_auto_drop(ref, conversation):
    config = oh.RenderConversationConfig(auto_drop_analysis=False)
    expected = ref.render_conversation_for_completion(conversation, oh.Role.ASSISTANT, config)
    out = ok("render-completion", "--no-auto-drop", input=conversation.to_json())
    assert out == compact(expected)


@pytest.mark.parametrize("no_auto_drop", [False, True])
def test_render_training_matches_the_reference(ref, conversation, no_auto_drop):
    config = oh.RenderConversationConfig(auto_drop_analysis=not no_auto_drop)
    flags = ["--no-auto-drop"] if no_auto_drop else []
    expected = ref.render_conversation_for_training(conversation, config)
    assert ok("render-training", *flags, input=conversation.to_json()) == compact(expected)


def test_render_training_ends_a_final_answer_with_return(ref):
    tokens = json.loads(ok("render-training", input=chat_with_final_answer().to_json()))
    assert tokens[-1] == ref.encode("<|return|>", allowed_special="all")[0]


def test_render_convo_accepts_a_bare_list_of_messages(ref, conversation):
    messages = json.dumps(ref_dicts(conversation.messages))
    assert ok("render-convo", input=messages) == compact(ref.render_conversation(conversation))


def test_input_from_a_file(ref, conversation, tmp_path):
    path = tmp_path / "convo.json"
    path.write_text(conversation.to_json())
    assert ok("render-convo", "-i", str(path)) == compact(ref.render_conversation(conversation))


# -- parse ----------------------------------------------------------------------------


def test_parse_reads_back_a_rendered_conversation(ref, parseable_conversation):
    conversation = parseable_conversation
    tokens = ref.render_conversation(conversation, oh.RenderConversationConfig(auto_drop_analysis=False))
    expected = ref_dicts(ref.parse_messages_from_completion_tokens(tokens))
    assert ok("parse", input=json.dumps(tokens)) == compact(expected)


def test_parse_with_a_role_reads_a_completion(ref):
    tokens = ref.encode(COMPLETION, allowed_special="all")
    expected = ref_dicts(ref.parse_messages_from_completion_tokens(tokens, oh.Role.ASSISTANT))
    assert len(expected) == 2
    assert ok("parse", "--role", "assistant", input=json.dumps(tokens)) == compact(expected)


def test_parse_non_strict_recovers_as_the_reference(ref):
    # A stop token where the header should end: strict mode refuses it.
    tokens = ref.encode("<|start|>assistant<|channel|>final<|end|>", allowed_special="all")
    with pytest.raises(oh.HarmonyError):
        ref.parse_messages_from_completion_tokens(tokens)
    expected = ref_dicts(ref.parse_messages_from_completion_tokens(tokens, strict=False))
    assert ok("parse", "--non-strict", input=json.dumps(tokens)) == compact(expected)
    assert run("parse", input=json.dumps(tokens)).returncode == 1


def test_parse_of_no_tokens_is_no_messages():
    assert ok("parse", input="[]") == b"[]\n"


# -- decode and encode ----------------------------------------------------------------


def test_decode_writes_the_text_exactly(ref, conversation):
    tokens = ref.render_conversation(conversation)
    assert ok("decode", input=json.dumps(tokens)) == ref.decode_utf8(tokens).encode()


def test_decode_lossy_replaces_invalid_utf8_as_the_reference(ref):
    tokens = ref.encode("a🦜b")[:2] + [180]
    assert ok("decode", "--lossy", input=json.dumps(tokens)) == ref.decode(tokens).encode()


@pytest.mark.parametrize("text", ["hello world", "ünïcødé 🦜\nzwei Zeilen\n", "  spaces  "])
def test_encode_reads_the_text_exactly(ref, text):
    assert ok("encode", input=text) == compact(ref.encode(text))


def test_encode_allow_special_turns_spellings_into_special_tokens(ref):
    text = "<|start|>user<|message|>Hi<|end|>"
    assert ok("encode", "--allow-special", input=text) == compact(ref.encode(text, allowed_special="all"))


def test_encode_special_as_text_keeps_spellings_as_text(ref):
    text = "<|start|>user"
    expected = ref.encode(text, disallowed_special=())
    assert ok("encode", "--special-as-text", input=text) == compact(expected)


def test_encode_then_decode_round_trips():
    text = "round ✓ trip\n"
    tokens = ok("encode", input=text)
    assert ok("decode", input=tokens) == text.encode()


# -- stream ---------------------------------------------------------------------------


def reference_events(ref, tokens, role=None, strict=True):
    """The events `stream` must write, computed with the reference's parser:
    a list per token, then the events of the end of input."""
    parser = oh.StreamableParser(ref, role, strict=strict)
    per_token, sent = [], 0

    def new_messages():
        nonlocal sent
        messages = parser.messages
        events = [{"event": "message", "message": m.to_dict()} for m in messages[sent:]]
        sent = len(messages)
        return events

    for token in tokens:
        parser.process(token)
        events = []
        if parser.last_content_delta:
            events.append(
                {
                    "event": "delta",
                    "role": parser.current_role.value if parser.current_role else None,
                    "channel": parser.current_channel,
                    "recipient": parser.current_recipient,
                    "content_type": parser.current_content_type,
                    "delta": parser.last_content_delta,
                }
            )
        per_token.append(events + new_messages())
    parser.process_eos()
    return per_token, new_messages()


def event_lines(events):
    return b"".join(compact(event) for event in events)


def expected_stream_output(ref, tokens, role=None, strict=True):
    per_token, at_end = reference_events(ref, tokens, role, strict)
    return event_lines([e for events in per_token for e in events] + at_end)


@pytest.mark.parametrize(
    "layout",
    ["spaces", "newlines", "json-lines", "mixed"],
)
def test_stream_reads_every_input_layout(ref, layout):
    tokens = ref.encode(COMPLETION, allowed_special="all")
    if layout == "spaces":
        text = " ".join(map(str, tokens))
    elif layout == "newlines":
        text = "\n".join(map(str, tokens)) + "\n"
    elif layout == "json-lines":
        text = "".join(json.dumps(tokens[i : i + 5]) + "\n" for i in range(0, len(tokens), 5))
    else:
        half = len(tokens) // 2
        text = json.dumps(tokens[:half]) + "\n" + "\t".join(map(str, tokens[half:])) + "\r\n"
    out = ok("stream", "--role", "assistant", input=text)
    assert out == expected_stream_output(ref, tokens, oh.Role.ASSISTANT)


def test_stream_without_a_role_reads_a_whole_conversation(ref, parseable_conversation):
    conversation = parseable_conversation
    tokens = ref.render_conversation(conversation, oh.RenderConversationConfig(auto_drop_analysis=False))
    out = ok("stream", input=" ".join(map(str, tokens)))
    assert out == expected_stream_output(ref, tokens)
    assert out.count(b'"event":"message"') == len(conversation.messages)


def test_stream_completes_an_unterminated_message_at_the_end_of_input(ref):
    tokens = ref.encode("<|channel|>final<|message|>no stop token", allowed_special="all")
    out = ok("stream", "--role", "assistant", input=json.dumps(tokens))
    assert out == expected_stream_output(ref, tokens, oh.Role.ASSISTANT)
    assert out.splitlines()[-1].startswith(b'{"event":"message"')


def test_stream_non_strict_recovers_as_the_reference(ref):
    tokens = ref.encode("<|start|>assistant<|channel|>final<|end|>", allowed_special="all")
    out = ok("stream", "--non-strict", input=json.dumps(tokens))
    assert out == expected_stream_output(ref, tokens, strict=False)


@pytest.mark.parametrize("separator", ["\n", " "], ids=["newline", "space"])
def test_stream_writes_each_event_before_the_next_token_arrives(ref, separator):
    """A real pipe: write one token, read its events back, then write the next
    (separated by spaces, no line is ever finished until the end)."""
    tokens = ref.encode(COMPLETION, allowed_special="all")
    per_token, at_end = reference_events(ref, tokens, oh.Role.ASSISTANT)
    assert sum(map(len, per_token)) > 5
    process = subprocess.Popen(
        [sys.executable, "-m", "fastharmony", "stream", "--role", "assistant"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        bufsize=0,
    )
    lines: "queue.Queue[bytes]" = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    try:
        for token, events in zip(tokens, per_token):
            process.stdin.write(f"{token}{separator}".encode())
            process.stdin.flush()
            for event in events:
                assert lines.get(timeout=TIMEOUT) == compact(event)
        process.stdin.close()
        for event in at_end:
            assert lines.get(timeout=TIMEOUT) == compact(event)
        assert process.wait(timeout=TIMEOUT) == 0
        reader.join(timeout=TIMEOUT)
        assert lines.empty()
    finally:
        process.kill()
        process.wait()


def test_stream_writes_the_events_before_a_bad_token(ref):
    tokens = ref.encode("<|channel|>final<|message|>Hello", allowed_special="all")
    result = run("stream", "--role", "assistant", input=" ".join(map(str, tokens)) + "\nx\n")
    assert result.returncode == 1
    per_token, _ = reference_events(ref, tokens, oh.Role.ASSISTANT)
    assert result.stdout == event_lines([e for events in per_token for e in events])
    assert result.stderr == b"fastharmony: error: line 2: 'x' is not a token id\n"


# -- show and demo --------------------------------------------------------------------


def test_show_lists_the_messages_plainly_when_piped():
    out = ok("show", input=tool_call_chat().to_json()).decode()
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0].startswith("#0  system")
    assert "#4  assistant  channel: commentary  to: functions.get_weather  type: <|constrain|>json" in out
    assert "ends: <|call|>" in out
    assert "#5  tool functions.get_weather  channel: commentary  to: assistant" in out
    assert '  {"sunny":true}' in lines


def on_a_terminal(*args, input=b"", **env) -> str:
    """`fastharmony ARGS` with its stdout on a pseudo-terminal; what it wrote there."""
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "fastharmony", *args],
            input=input.encode() if isinstance(input, str) else input,
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=_env(**env),
            timeout=TIMEOUT,
        )
        os.close(terminal)
        terminal = None
        assert result.returncode == 0, result.stderr.decode()
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode().replace("\r\n", "\n")
    finally:
        os.close(controller)
        if terminal is not None:
            os.close(terminal)


def test_show_colours_special_tokens_on_a_terminal():
    out = on_a_terminal("show", input=tool_call_chat().to_json())
    assert "\x1b[1;35m<|constrain|>\x1b[0mjson" in out


def test_show_on_a_terminal_respects_no_color():
    out = on_a_terminal("show", input=tool_call_chat().to_json(), NO_COLOR="1")
    assert "\x1b[" not in out and "<|constrain|>json" in out


def test_decode_ends_the_line_on_a_terminal_only(ref):
    tokens = json.dumps(ref.encode("no newline"))
    assert on_a_terminal("decode", input=tokens) == "no newline\n"
    assert ok("decode", input=tokens) == b"no newline"


def test_show_colours_special_tokens_when_asked():
    out = ok("show", "--color", "always", input=tool_call_chat().to_json()).decode()
    assert "\x1b[1;35m<|constrain|>\x1b[0mjson" in out
    assert "\x1b[1;35m<|call|>\x1b[0m" in out


def test_show_leaves_text_that_spells_a_special_token_uncoloured():
    out = ok("show", "--color", "always", input=plain_chat().to_json()).decode()
    assert "Say <|end|> literally." in out


def test_show_names_the_author_of_a_named_message(ref):
    count = len(ref.render(plain_chat().messages[0]))
    out = ok("show", input=plain_chat().to_json()).decode()
    assert f"#0  user alice  ({count} tokens)  ends: <|end|>" in out


def test_show_tokens_of_a_prompt_marks_the_open_header(ref):
    tokens = ref.render_conversation_for_completion(chat_with_final_answer(), oh.Role.ASSISTANT)
    out = ok("show", input=json.dumps(tokens)).decode()
    assert out.splitlines()[-2] == "#3 <|start|>assistant  (header of the next turn, awaiting completion)"
    assert out.splitlines()[-1] == f"3 messages, {len(tokens)} tokens"
    assert "#2  assistant  channel: final" in out


def test_show_reads_what_parse_writes(ref):
    tokens = ref.encode(COMPLETION, allowed_special="all")
    messages = ok("parse", "--role", "assistant", input=json.dumps(tokens))
    from_messages = ok("show", input=messages).decode()
    from_tokens = ok("show", "--role", "assistant", input=json.dumps(tokens)).decode()
    assert "Need the weather 🦜 first." in from_messages
    # The same messages; only the token counts differ (the role's header was
    # not in the tokens), in the headings and in the totals of the last line.
    strip = lambda text: [line.split("  (")[0] for line in text.splitlines()[:-1]]
    assert strip(from_messages) == strip(from_tokens)
    assert from_messages.splitlines()[-1].startswith("2 messages, ")
    assert from_tokens.splitlines()[-1] == f"2 messages, {len(tokens)} tokens"


def test_show_escapes_control_characters():
    out = ok("show", input='{"role":"user","content":"bell\\u0007 and \\u001b[31mred"}').decode()
    assert "bell\\x07 and \\x1b[31mred" in out


def test_demo_prints_the_prompt_its_ids_and_the_parsed_completion(ref):
    from fastharmony.cli import _demo

    out = ok("demo").decode()
    assert "\x1b[" not in out
    prompt = ref.render_conversation_for_completion(
        oh.Conversation.from_json(_demo.conversation().to_json()), oh.Role.ASSISTANT
    )
    sections = out.split("\n\n")
    ids_section = next(s for s in sections if s.startswith(f"3. Its {len(prompt)} token ids"))
    ids = [int(t) for t in ids_section.split("\n", 1)[1].replace("\n", " ").replace(",", " ").split()]
    assert ids == prompt
    prompt_text = ref.decode_utf8(prompt)
    for stop in ("<|end|>", "<|call|>"):  # the demo breaks the line after each stop token
        prompt_text = prompt_text.replace(stop, stop + "\n")
    assert prompt_text in out
    completion = ref.encode(_demo.COMPLETION, allowed_special="all")
    parsed = ref.parse_messages_from_completion_tokens(completion, oh.Role.ASSISTANT)
    assert [m.recipient for m in parsed] == [None, "functions.get_weather"]
    assert '  {"location":"Paris"}' in out.splitlines()


def test_demo_colours_on_request():
    assert "\x1b[1;35m<|start|>\x1b[0m" in ok("demo", "--color", "always").decode()


# -- bad input: exit 1, one line naming what and where ----------------------------------

CONVO = lambda *messages: json.dumps({"messages": list(messages)})

BAD_INPUTS = {
    "malformed-json": (["render-convo"], '{"messages": [', "fastharmony: error: invalid Conversation JSON"),
    "wrong-type": (["render-convo"], CONVO({"role": "user", "content": 5}), "messages[0].content: expected"),
    "malformed-token-json": (["decode"], "[200006, 1428", "fastharmony: error: tokens: malformed JSON: input data was truncated"),
    "not-an-object": (["render-msg"], "[1]", "fastharmony: error: invalid Message"),
    "unknown-role": (
        ["render-convo"],
        CONVO({"role": "wizard", "content": "x"}),
        "fastharmony: error: messages[0].role: Unknown role: 'wizard'",
    ),
    "unknown-role-message": (["render-msg"], '{"role":"wizard","content":"x"}', "error: role: Unknown role: 'wizard'"),
    "unknown-content-type": (
        ["render-completion"],
        CONVO({"role": "user", "content": [{"type": "image", "url": "x"}]}),
        "messages[0].content[0].type: unknown content type 'image'",
    ),
    "tool-without-name": (
        ["render-convo"],
        CONVO({"role": "user", "content": "x"}, {"role": "tool", "content": "x"}),
        "fastharmony: error: messages[1]: tools should have a name",
    ),
    "tool-without-name-message": (["render-msg"], '{"role":"tool","content":"x"}', "tools should have a name"),
    "non-integer-token": (["parse"], "[200006, 1.5]", "fastharmony: error: tokens[1]: expected `int`, got `float`"),
    "string-token": (["decode"], '[1, "2"]', "fastharmony: error: tokens[1]: expected `int`, got `str`"),
    "out-of-range-token": (["decode"], "[1, 2, 99999999]", "fastharmony: error: tokens[2]: invalid token for decoding: 99999999"),
    "out-of-range-token-parse": (
        ["parse"],
        "[200006, 1428, 200008, 99999999]",
        "fastharmony: error: tokens[3]: invalid token for decoding: 99999999",
    ),
    "negative-token": (["parse"], "[-1]", "fastharmony: error: tokens[0]: invalid token for decoding: -1"),
    "tokens-not-a-list": (["parse"], '{"tokens": []}', "tokens: expected a JSON list of token ids"),
    "truncated-header": (
        ["parse"],
        "[200006, 1428]",
        "fastharmony: error: end of tokens: unexpected EOS while waiting for message header to complete",
    ),
    "unexpected-token": (
        ["parse"],
        "[200006, 1428, 200008, 12, 200007, 200005]",
        "fastharmony: error: tokens[5]: unexpected token <|channel|> (200005) while expecting start token <|start|> (200006)",
    ),
    "invalid-utf8-decode": (["decode"], "[180]", "fastharmony: error: the tokens decode to invalid UTF-8 at byte 0; --lossy"),
    "invalid-utf8-text": (["encode"], b"ab\xffc", "fastharmony: error: input: invalid UTF-8 at byte 2"),
    "disallowed-special": (["encode"], "hi <|end|>", "'<|end|>'. Pass --allow-special"),
    "stream-non-integer": (["stream"], "200006 1428\n12 abc\n", "fastharmony: error: line 2: 'abc' is not a token id"),
    "stream-out-of-range": (["stream"], "[200006, 99999999]\n", "fastharmony: error: line 1: invalid token for decoding: 99999999"),
    "stream-bad-json-line": (["stream"], "[200006,\n", "fastharmony: error: line 1: malformed JSON"),
    "stream-truncated-header": (
        ["stream"],
        "200006 1428\n",
        "fastharmony: error: end of input: unexpected EOS while waiting for message header",
    ),
    "show-unexpected-token": (
        ["show"],
        "[200006, 1428, 200008, 12, 200007, 200008]",
        "fastharmony: error: tokens[5]: unexpected token <|message|> (200008) while expecting start token <|start|> (200006) "
        "(after a message's stop token, the next message must begin with <|start|>)",
    ),
    "chat-image-part": (
        ["chat-render"],
        json.dumps({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}),
        "fastharmony: error: messages[0].content[0].type: image_url parts are not supported",
    ),
    "chat-unknown-tool-call-id": (
        ["chat-render"],
        json.dumps({"messages": [{"role": "tool", "tool_call_id": "nope", "content": "x"}]}),
        "fastharmony: error: messages[0].tool_call_id: 'nope' is not the id of a tool call",
    ),
    "chat-malformed-json": (["chat-render"], '{"messages": [', "fastharmony: error: malformed JSON"),
    "chat-out-of-range-token": (["chat-parse"], "[1, 2, 99999999]", "fastharmony: error: tokens[2]: invalid token for decoding: 99999999"),
}
EMPTY_INPUTS = {
    name: ([name], ws, "fastharmony: error: input is empty: expected ")
    for name, ws in [
        ("render-msg", ""), ("render-convo", " \n"), ("render-completion", ""), ("render-training", ""),
        ("parse", ""), ("decode", "\n"), ("show", ""), ("chat-render", ""), ("chat-parse", ""),
    ]
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS) + [f"empty-{name}" for name in sorted(EMPTY_INPUTS)])
def test_bad_input_exits_1_with_one_line(case):
    args, text, expected = BAD_INPUTS.get(case) or EMPTY_INPUTS[case.removeprefix("empty-")]
    result = run(*args, input=text)
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert stderr.startswith("fastharmony: error: ")
    assert expected in stderr


def test_a_missing_input_file_exits_1(tmp_path):
    result = run("parse", "-i", str(tmp_path / "nope.json"))
    assert result.returncode == 1
    assert result.stderr.decode() == f"fastharmony: error: cannot read {tmp_path / 'nope.json'}: No such file or directory\n"


def test_the_stream_of_an_empty_input_is_empty():
    assert ok("stream", input="") == b""
