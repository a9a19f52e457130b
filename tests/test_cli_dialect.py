"""harmony-go's dialect: what a user of the Go port types works here, with the
results openai-harmony gives for the same meaning.

- Go's flag syntax: one dash before a long option (`-role X`, `-role=X`),
  booleans with a value (`-auto-drop=false`, `-non-strict=true`).
- harmony-go's JSON: system and developer content nested under their type's
  name, reasoning effort in lower case.
- `parse` (and `show`, `stream`) without --role read a completion that starts
  inside a header as the assistant's, as harmony-go's `parse` does; tokens
  that start with <|start|> carry their own header, with or without --role.

harmony-go's own parity tests run against fastharmony in
test_cli_harmony_go.py.
"""

import json

import openai_harmony as oh
import pytest

from cli_runner import run_cli


def ok(*args, input=b""):
    result = run_cli(args, input)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def compact(value) -> bytes:
    return (json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


ANSWERED = oh.Conversation.from_messages(
    [
        oh.Message.from_role_and_content(oh.Role.USER, "What is 2 + 2?"),
        oh.Message.from_role_and_content(oh.Role.ASSISTANT, "Easy.").with_channel("analysis"),
        oh.Message.from_role_and_content(oh.Role.ASSISTANT, "4").with_channel("final"),
    ]
)
KEEP = oh.RenderConversationConfig(auto_drop_analysis=False)


# -- Go's flag syntax -------------------------------------------------------------------

@pytest.mark.parametrize(
    "flags, role, config",
    [
        (["-role", "user"], oh.Role.USER, None),
        (["-role=user"], oh.Role.USER, None),
        (["--role=user"], oh.Role.USER, None),
        (["-auto-drop=false"], oh.Role.ASSISTANT, KEEP),
        (["--auto-drop=false"], oh.Role.ASSISTANT, KEEP),
        (["-auto-drop=0"], oh.Role.ASSISTANT, KEEP),
        (["-auto-drop=true"], oh.Role.ASSISTANT, None),
        (["-auto-drop"], oh.Role.ASSISTANT, None),
        (["-no-auto-drop"], oh.Role.ASSISTANT, KEEP),
        (["-role", "tool", "-auto-drop=false"], oh.Role.TOOL, KEEP),
    ],
)
def test_go_flags_mean_what_they_mean_in_harmony_go(ref, flags, role, config):
    expected = ref.render_conversation_for_completion(ANSWERED, role, config)
    assert ok("render-completion", *flags, input=ANSWERED.to_json()) == compact(expected)


def test_go_booleans_take_a_value(ref):
    tokens = ref.encode("<|start|>assistant<|channel|>final<|end|>", allowed_special="all")
    recovered = compact([m.to_dict() for m in ref.parse_messages_from_completion_tokens(tokens, strict=False)])
    assert ok("parse", "-non-strict=true", input=json.dumps(tokens)) == recovered
    assert run_cli(["parse", "-non-strict=false"], json.dumps(tokens)).returncode == 1


def test_render_training_takes_go_auto_drop(ref):
    expected = ref.render_conversation_for_training(ANSWERED, KEEP)
    assert ok("render-training", "-auto-drop=false", input=ANSWERED.to_json()) == compact(expected)


@pytest.mark.parametrize("flags", [["-auto-drop=maybe"], ["-rol", "user"], ["-x"]])
def test_what_go_would_refuse_is_a_usage_error(flags):
    assert run_cli(["render-completion", *flags], ANSWERED.to_json()).returncode == 2


# -- harmony-go's JSON shapes -------------------------------------------------------------

SYSTEM = {
    "model_identity": "You are ChatGPT, a large language model trained by OpenAI.",
    "reasoning_effort": "high",
    "conversation_start_date": "2025-06-28",
    "channel_config": {"valid_channels": ["analysis", "final"], "channel_required": True},
}
DEVELOPER = {
    "instructions": "Answer in riddles.",
    "tools": {"functions": {"name": "functions", "tools": [{"name": "get_location", "description": "Gets it."}]}},
}


def go_conversation():
    return {
        "messages": [
            {"role": "system", "content": [{"type": "system_content", "system_content": SYSTEM}]},
            {"role": "developer", "content": [{"type": "developer_content", "developer_content": DEVELOPER}]},
            {"role": "user", "content": [{"type": "text", "text": "Where am I?"}]},
        ]
    }


def reference_conversation():
    flat_system = dict(SYSTEM, reasoning_effort="High", type="system_content")
    return oh.Conversation.from_json(json.dumps(
        {
            "messages": [
                {"role": "system", "content": [flat_system]},
                {"role": "developer", "content": [dict(DEVELOPER, type="developer_content")]},
                {"role": "user", "content": "Where am I?"},
            ]
        }
    ))


@pytest.mark.parametrize("command", ["render-convo", "render-completion", "render-training"])
def test_harmony_go_shapes_render_as_the_reference_renders_their_meaning(ref, command):
    expected = {
        "render-convo": ref.render_conversation,
        "render-completion": lambda c: ref.render_conversation_for_completion(c, oh.Role.ASSISTANT),
        "render-training": ref.render_conversation_for_training,
    }[command](reference_conversation())
    assert ok(command, input=json.dumps(go_conversation())) == compact(expected)


def test_the_nested_shape_is_not_the_default_system_message(ref):
    # Before: the nested content was ignored and the default system message rendered.
    default = ref.render(oh.Message.from_role_and_content(oh.Role.SYSTEM, oh.SystemContent.new()))
    rendered = json.loads(ok("render-msg", input=json.dumps(go_conversation()["messages"][0])))
    assert rendered != default
    assert "Reasoning: high" in ref.decode_utf8(rendered)


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_lowercase_effort_is_the_references_effort(ref, effort):
    message = {"role": "system", "content": [{"type": "system_content", "reasoning_effort": effort}]}
    expected = ref.render(
        oh.Message.from_role_and_content(oh.Role.SYSTEM, oh.SystemContent.new().with_reasoning_effort(oh.ReasoningEffort(effort.title())))
    )
    assert ok("render-msg", input=json.dumps(message)) == compact(expected)


def test_an_unknown_key_inside_the_nested_shape_is_refused_with_its_path():
    message = {"role": "system", "content": [{"type": "system_content", "system_content": {"effort": "high"}}]}
    result = run_cli(["render-msg"], json.dumps(message))
    assert result.returncode == 1
    assert result.stderr.startswith(b"fastharmony: error: content[0].system_content.effort: unknown key")


# -- where the tokens begin ---------------------------------------------------------------

COMPLETION = (
    "<|channel|>analysis<|message|>Think.<|end|>"
    "<|start|>assistant<|channel|>final<|message|>Done.<|return|>"
)


def test_parse_without_a_role_reads_a_completion_as_the_assistants(ref):
    tokens = ref.encode(COMPLETION, allowed_special="all")
    expected = compact([m.to_dict() for m in ref.parse_messages_from_completion_tokens(tokens, oh.Role.ASSISTANT)])
    assert ok("parse", input=json.dumps(tokens)) == expected
    assert ok("parse", "--role", "assistant", input=json.dumps(tokens)) == expected


def test_a_completion_that_starts_inside_a_header_works_in_show_and_stream_too(ref):
    tokens = json.dumps(ref.encode(COMPLETION, allowed_special="all"))
    assert ok("show", input=tokens) == ok("show", "--role", "assistant", input=tokens)
    assert ok("stream", input=tokens) == ok("stream", "--role", "assistant", input=tokens)


@pytest.mark.parametrize("role", ["assistant", "user", "tool"])
def test_tokens_that_start_with_start_carry_their_own_header_whatever_the_role(ref, role):
    text = "<|start|>assistant to=functions.f<|channel|>commentary<|constrain|>json<|message|>{}<|call|>"
    tokens = ref.encode(text, allowed_special="all")
    expected = compact([m.to_dict() for m in ref.parse_messages_from_completion_tokens(tokens, None)])
    assert ok("parse", "-role", role, input=json.dumps(tokens)) == expected
    assert ok("stream", "--role", role, input=json.dumps(tokens)) == ok("stream", input=json.dumps(tokens))


def test_a_role_still_says_whose_header_a_completion_starts_in(ref):
    tokens = ref.encode("<|message|>Hi<|end|>", allowed_special="all")
    expected = compact([m.to_dict() for m in ref.parse_messages_from_completion_tokens(tokens, oh.Role.USER)])
    assert ok("parse", "--role", "user", input=json.dumps(tokens)) == expected


from hypothesis import given, strategies as st  # noqa: E402

GO_WORDS = st.sampled_from(
    ["-role", "-role=user", "-role=wizard", "--role", "user", "-auto-drop", "-auto-drop=false", "-auto-drop=",
     "-auto-drop=x", "--auto-drop=0", "-no-auto-drop", "-non-strict=true", "-non-strict=F", "-lossy=1", "-i", "-",
     "--", "-h", "-help", "-tokens", "-color=never", "-=", "-", "-r", "-rol=user"]
)


@given(command=st.sampled_from(["render-completion", "render-training", "parse", "stream", "show", "decode"]),
       argv=st.lists(st.one_of(GO_WORDS, st.text(max_size=4)), max_size=5))
def test_any_mix_of_go_and_our_spellings_exits_cleanly(command, argv):
    result = run_cli([command, *argv], '{"messages":[{"role":"user","content":"Hi"}]}')
    assert result.returncode in (0, 1, 2), result
    assert b"Traceback" not in result.stderr
