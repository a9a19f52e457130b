"""What the CLI reads: the same forms in every command, strict about keys.

- Token ids are a JSON list or integers separated by white space, for every
  command that reads them; `stream` reads them as they arrive, a long line
  included, writing as it goes.
- A key the message shape does not have is refused with its path (the
  Python API keeps the reference's leniency and ignores it).
- Errors name special tokens by their text and say what to do.
- Dates are dates; `encode` of nothing is `[]`.
"""

import io
import json
import sys

import openai_harmony as oh
import pytest

from cli_runner import run_cli

import fastharmony


def ok(*args, input=b""):
    result = run_cli(args, input)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return result.stdout


def error(*args, input=b"") -> str:
    result = run_cli(args, input)
    assert result.returncode == 1, result
    stderr = result.stderr.decode()
    assert stderr.startswith("fastharmony: error: ") and stderr.count("\n") == 1, stderr
    return stderr.removeprefix("fastharmony: error: ").rstrip("\n")


def compact(value) -> bytes:
    return (json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


CONVERSATION = oh.Conversation.from_messages(
    [
        oh.Message.from_role_and_content(oh.Role.USER, "What is 2 + 2?"),
        oh.Message.from_role_and_content(oh.Role.ASSISTANT, "Easy.").with_channel("analysis"),
        oh.Message.from_role_and_content(oh.Role.ASSISTANT, "4").with_channel("final"),
    ]
)


# -- token ids: one set of forms -----------------------------------------------------

@pytest.mark.parametrize("command", ["parse", "decode", "show", "chat-parse"])
@pytest.mark.parametrize("separator", [" ", "\n", "\t", " \r\n"])
def test_every_command_that_reads_token_ids_reads_integers_separated_by_white_space(ref, command, separator):
    tokens = ref.render_conversation(CONVERSATION, oh.RenderConversationConfig(auto_drop_analysis=False))
    if command == "chat-parse":
        tokens = ref.encode("<|channel|>final<|message|>Hi<|return|>", allowed_special="all")
    as_json = ok(command, input=json.dumps(tokens))
    assert ok(command, input=separator.join(map(str, tokens)) + "\n") == as_json


def test_decode_of_words_as_the_reference_decodes(ref):
    assert ok("decode", input="1 2 3") == ref.decode_utf8([1, 2, 3]).encode()


@pytest.mark.parametrize(
    "command, text, expected",
    [
        ("decode", "12 x 13", "tokens[1]: 'x' is not a token id"),
        ("parse", "200006 1.5", "tokens[1]: '1.5' is not a token id"),
        ("decode", "1 99999999", "tokens[1]: invalid token for decoding: 99999999"),
    ],
)
def test_a_bad_word_is_named_with_its_index(command, text, expected):
    assert error(command, input=text) == expected


def test_a_json_object_is_not_token_ids():
    assert error("parse", input='{"tokens": []}') == "tokens: expected a JSON list of token ids, got `object`"


def test_encode_of_no_text_is_no_tokens(ref):
    assert ok("encode", input=b"") == compact(ref.encode("")) == b"[]\n"


def test_encode_of_white_space_encodes_it(ref):
    assert ok("encode", input=b" \n") == compact(ref.encode(" \n"))


@pytest.mark.parametrize(
    "lines, tokens",
    [
        ("[200005, 17196]\n[200008, 12194, 200002]\n", [200005, 17196, 200008, 12194, 200002]),
        ("[200005,17196,200008] 12194 200002\n", [200005, 17196, 200008, 12194, 200002]),
        ("[]\n[]\n", []),
        ("[200005,\n17196]\n", None),
        ("[200005,,17196]\n", None),
        ("[200005 17196]\n", None),
        ("200005, 17196\n", None),
        ("[[200005]]\n", None),
        ("[200005,]\n", None),
        ("[200005, 17196\n", None),
    ],
)
def test_stream_reads_a_json_array_line_as_json(lines, tokens):
    """What json.loads refuses in a line, stream refuses, naming the line;
    otherwise it reads the same ids as when they are written as words."""
    result = run_cli(["stream"], lines)
    if tokens is None:
        assert result.returncode == 1
        assert result.stderr.startswith(b"fastharmony: error: line 1: malformed JSON: "), result.stderr
    else:
        assert result == run_cli(["stream"], " ".join(map(str, tokens)))


def test_stream_writes_as_it_goes_on_one_long_line(ref, monkeypatch):
    """A JSON array of 300,000 ids on one line: events are written while the
    line is still arriving, not after all of it is read."""
    message = ref.encode("<|channel|>final<|message|>", allowed_special="all") + [12194] * 100 + [200007]
    start = [200006, 173781]
    tokens = message + (start + message) * 2500
    data = json.dumps(tokens).encode()
    written_when_read = []
    out = io.BytesIO()

    class Arriving(io.RawIOBase):
        def __init__(self):
            self.at = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            written_when_read.append(len(out.getvalue()))
            chunk = data[self.at : self.at + min(len(buffer), 65536)]
            buffer[: len(chunk)] = chunk
            self.at += len(chunk)
            return len(chunk)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Arriving())))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, write_through=True))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BytesIO(), write_through=True))
    assert fastharmony.cli.main(["stream", "--role", "assistant"]) == 0
    assert len(written_when_read) > 10
    # Half-way through reading, about half of the events are out.
    halfway = written_when_read[len(written_when_read) // 2]
    assert 0.3 * len(out.getvalue()) < halfway < 0.7 * len(out.getvalue())
    assert out.getvalue().count(b'"event":"message"') == 2501


# -- unknown keys: refused with their path ------------------------------------------------

@pytest.mark.parametrize(
    "command, value, expected",
    [
        ("render-msg", {"role": "assistant", "chanel": "final", "content": "x"},
         "chanel: unknown key (did you mean 'channel'?"),
        ("render-convo", {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "contents": "x"}]},
         "messages[1].contents: unknown key (did you mean 'content'?"),
        ("render-convo", {"messages": [], "tools": []}, "tools: unknown key"),
        ("render-completion", [{"role": "user", "content": [{"type": "text", "text": "x", "lang": "en"}]}],
         "messages[0].content[0].lang: unknown key"),
        ("render-training", [{"role": "system", "content": [{"type": "system_content", "effort": "high"}]}],
         "messages[0].content[0].effort: unknown key"),
        ("render-convo", [{"role": "system", "content": [{"type": "system_content", "channel_config": {"valid": []}}]}],
         "messages[0].content[0].channel_config.valid: unknown key"),
        ("render-convo", [{"role": "developer", "content": [{"type": "developer_content", "tools": {
            "functions": {"name": "functions", "tools": [{"name": "f", "description": "d", "params": {}}]}}}]}],
         "messages[0].content[0].tools.functions.tools[0].params: unknown key (did you mean 'parameters'?"),
        ("show", [{"role": "user", "content": "x", "recipeint": "y"}], "messages[0].recipeint: unknown key"),
        ("show", {"role": "user", "content": "x", "nmae": "y"}, "nmae: unknown key (did you mean 'name'?"),
    ],
)
def test_an_unknown_key_is_refused_with_its_path(command, value, expected):
    assert error(command, input=json.dumps(value)).startswith(expected)


def test_the_python_api_keeps_the_references_leniency(ref):
    value = {"role": "assistant", "chanel": "final", "content": "x"}
    ours = fastharmony.Message.from_dict(value)
    assert ours.channel is None
    assert ref.render(oh.Message.from_dict(value)) == fastharmony.load_harmony_encoding("HarmonyGptOss").render(ours)


def test_parameters_are_a_json_schema_with_any_keys(ref):
    tool = {"name": "f", "description": "d", "parameters": {"type": "object", "x-anything": 1}}
    message = {"role": "developer", "content": [{"type": "developer_content", "tools": {
        "functions": {"name": "functions", "tools": [tool]}}}]}
    assert ok("render-msg", input=json.dumps(message)) == compact(ref.render(oh.Message.from_dict(message)))


# -- errors name tokens by their text and say what to do ----------------------------

def test_an_unexpected_token_is_named_by_its_text():
    text = error("parse", input="[200006, 1428, 200008, 12, 200007, 200005]")
    assert text.startswith("tokens[5]: unexpected token <|channel|> (200005) while expecting start token <|start|> (200006)")
    assert "must begin with <|start|>" in text


def test_a_prompt_parsed_as_a_completion_says_what_to_do():
    text = error("parse", input="[200006, 1428, 200008, 12, 200007, 200006, 173781]")
    assert text.startswith("end of tokens: unexpected EOS while waiting for message header to complete")
    assert "fastharmony show" in text


def test_stream_names_tokens_by_their_text_too():
    text = error("stream", input="200006 1428 200008 12 200007\n200008\n")
    assert text.startswith("line 2: unexpected token <|message|> (200008)")


# -- dates and months --------------------------------------------------------------------

@pytest.mark.parametrize("date", ["2025-13-45", "2025-02-30", "25-01-01", "2025-1-1", "today"])
def test_a_start_date_that_is_not_a_date_is_a_usage_error(date):
    result = run_cli(["chat-render", "--start-date", date], b'{"messages":[]}')
    assert result.returncode == 2
    assert f"'{date}' is not a date written YYYY-MM-DD" in result.stderr.decode()


def test_a_knowledge_cutoff_that_is_not_a_month_is_a_usage_error():
    result = run_cli(["chat-render", "--knowledge-cutoff", "2024-13"], b'{"messages":[]}')
    assert result.returncode == 2 and "'2024-13' is not a month written YYYY-MM" in result.stderr.decode()


def test_a_real_start_date_is_used(ref):
    out = ok("chat-render", "--start-date", "2024-02-29", input='{"messages":[{"role":"user","content":"Hi"}]}')
    assert "Current date: 2024-02-29" in ref.decode_utf8(json.loads(out))
