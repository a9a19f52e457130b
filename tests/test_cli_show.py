"""Pictures for people: `show` (totals, the per-token view, what auto-drop
removes), `decode --color` and `demo --json`. Counts and ids are checked
against the reference."""

import json
import re

import openai_harmony as oh
import pytest

from cli_runner import run_cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def ok(*args, input=b""):
    result = run_cli(args, input)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


ANSWERED = oh.Conversation.from_messages(
    [
        oh.Message.from_role_and_content(oh.Role.USER, "What is 2 + 2?"),
        oh.Message.from_role_and_content(oh.Role.ASSISTANT, "Easy.").with_channel("analysis"),
        oh.Message.from_role_and_content(oh.Role.ASSISTANT, "4\n").with_channel("final"),
        oh.Message.from_role_and_content(oh.Role.USER, "And 3 + 3?"),
    ]
)
KEEP = oh.RenderConversationConfig(auto_drop_analysis=False)


def test_show_ends_with_the_total_token_count(ref):
    total = len(ref.render_conversation(ANSWERED, KEEP))
    assert ok("show", input=ANSWERED.to_json()).splitlines()[-1].startswith(f"4 messages, {total} tokens")


def test_show_of_tokens_counts_every_token(ref):
    tokens = ref.render_conversation_for_completion(ANSWERED, oh.Role.ASSISTANT, KEEP)
    assert ok("show", input=json.dumps(tokens)).splitlines()[-1].startswith(f"4 messages, {len(tokens)} tokens")


def test_show_marks_the_analysis_that_rendering_drops(ref):
    dropped = ref.render_conversation(ANSWERED)
    kept = ref.render_conversation(ANSWERED, KEEP)
    assert len(dropped) < len(kept)
    lines = ok("show", input=ANSWERED.to_json()).splitlines()
    headings = [line for line in lines if line.startswith("#")]
    marked = ["(dropped when rendered" in heading for heading in headings]
    assert marked == [False, True, False, False]
    assert lines[-1].endswith("rendering (with auto-drop) leaves out 1 analysis message")


def test_show_marks_the_dropped_analysis_in_parsed_tokens_too(ref):
    tokens = ref.render_conversation(ANSWERED, KEEP)
    headings = [line for line in ok("show", input=json.dumps(tokens)).splitlines() if line.startswith("#")]
    assert ["(dropped when rendered" in heading for heading in headings] == [False, True, False, False]


def test_show_tokens_lists_each_token_with_its_id_and_text(ref):
    message = ANSWERED.messages[2]
    out = ok("show", "--tokens", input=message.to_json())
    lines = out.splitlines()
    rendered = ref.render(message)
    token_lines = lines[1:-1]
    assert [int(line.split()[0]) for line in token_lines] == rendered
    for line, token in zip(token_lines, rendered):
        text = line.split(None, 1)[1]
        spelled = ref.decode_utf8([token])
        if token >= 200000:
            assert text == spelled
        else:  # ordinary text quoted, so that spaces and line breaks show
            assert json.loads(text) == spelled
    assert '"\\n"' in out


def test_show_tokens_colours_by_message_and_by_special_or_ordinary(ref):
    out = ok("show", "--tokens", "--color", "always", input=ANSWERED.to_json())
    special = set(re.findall(r"\x1b\[1;35m(<\|[a-z_]+\|>)\x1b\[0m", out))
    assert {"<|start|>", "<|message|>", "<|end|>", "<|channel|>"} <= special
    # Each message's ordinary tokens share one colour; consecutive messages differ.
    colours = []
    for block in out.split("\x1b[2m#")[1:]:
        colours.append(set(re.findall(r'\x1b\[(3[0-9])m"', block)))
    assert all(len(c) == 1 for c in colours)
    assert all(a != b for a, b in zip(colours, colours[1:]))
    assert ANSI.sub("", out) == ok("show", "--tokens", input=ANSWERED.to_json())


def test_show_tokens_of_a_prompt_lists_the_open_header(ref):
    tokens = ref.render_conversation_for_completion(ANSWERED, oh.Role.ASSISTANT, KEEP)
    lines = ok("show", "--tokens", input=json.dumps(tokens)).splitlines()
    at = lines.index("#4 (header of the next turn, awaiting completion)")
    assert [int(line.split()[0]) for line in lines[at + 1 : -1]] == tokens[-2:]


def test_decode_color_colours_special_tokens_only(ref):
    tokens = ref.render(ANSWERED.messages[0])
    out = ok("decode", "--color", "always", input=json.dumps(tokens))
    assert out.startswith("\x1b[1;35m<|start|>\x1b[0muser\x1b[1;35m<|message|>\x1b[0mWhat is 2 + 2?")
    assert ANSI.sub("", out) == ref.decode_utf8(tokens)
    assert ok("decode", "--color", "never", input=json.dumps(tokens)) == ref.decode_utf8(tokens)


def test_demo_json_saves_the_example_conversation(ref):
    from fastharmony.cli import _demo

    out = ok("demo", "--json")
    assert out == _demo.conversation().to_json() + "\n"
    saved = oh.Conversation.from_json(out)
    assert json.loads(ok("render-convo", input=out)) == ref.render_conversation(saved)
