"""`fastharmony training-render`, run in-process."""

import json

import pytest

from fastharmony import Conversation, Message, Role, load_harmony_encoding
from fastharmony.training import LossMask, render_examples
from cli_runner import run_cli

enc = load_harmony_encoding("HarmonyGptOss")


def conversation(n):
    return Conversation.from_messages([
        Message.from_role_and_content(Role.USER, f"{n}+{n}?"),
        Message.from_role_and_content(Role.ASSISTANT, "Adding.").with_channel("analysis"),
        Message.from_role_and_content(Role.ASSISTANT, str(2 * n)).with_channel("final"),
    ])


CORPUS = [conversation(n) for n in range(12)]


def run(*argv, stdin=b""):
    result = run_cli(["training-render", *argv], stdin)
    return result.returncode, result.stderr.decode()


def write_corpus(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def read_jsonl(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_jsonl_output_holds_the_examples_of_render_examples_and_a_summary(tmp_path):
    corpus = write_corpus(tmp_path / "data.jsonl", [c.to_json() for c in CORPUS])
    status, err = run("-i", corpus, "-o", str(tmp_path / "out.jsonl"), "--channels", "final")
    assert status == 0
    expected = render_examples(enc, CORPUS, mask=LossMask(channels={"final"}))
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [row["input_ids"] for row in rows] == [e.input_ids for e in expected]
    assert [row["assistant_masks"] for row in rows] == [list(e.loss_mask) for e in expected]
    assert [row["labels"] for row in rows] == [e.labels() for e in expected]
    tokens = sum(len(e.input_ids) for e in expected)
    trained = sum(e.num_trained for e in expected)
    assert f"12 examples, {tokens:,} tokens, {trained:,} trained" in err
    assert "M tokens/s" in err


def test_parquet_output_with_two_workers_and_openai_records(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="the test extra installs pyarrow")
    records = [{"messages": [{"role": "user", "content": f"{n}?"},
                             {"role": "assistant", "reasoning_content": "Hm.", "content": str(n)}]} for n in range(9)]
    corpus = write_corpus(tmp_path / "chat.jsonl", [json.dumps(r) for r in records])
    out = tmp_path / "out.parquet"
    status, err = run("-i", corpus, "-o", str(out), "--source", "openai", "--date", "2025-06-28",
                      "--workers", "2", "--chunk-size", "2")
    assert status == 0, err
    table = pq.read_table(out).to_pydict()
    expected = render_examples(enc, records, source="openai", start_date="2025-06-28")
    assert table["input_ids"] == [e.input_ids for e in expected]
    assert table["assistant_masks"] == [list(e.loss_mask) for e in expected]


def test_a_bad_record_stops_the_run_with_its_line_number_and_leaves_no_output(tmp_path):
    lines = [CORPUS[0].to_json(), "", CORPUS[1].to_json(), '{"messages": [{"role": "robot"}]}', CORPUS[2].to_json()]
    corpus = write_corpus(tmp_path / "data.jsonl", lines)
    status, err = run("-i", corpus, "-o", str(tmp_path / "out.jsonl"))
    assert status == 1
    assert err.startswith(f"fastharmony: error: {corpus}:4: ")
    assert "robot" in err
    assert not list(tmp_path.glob("out.jsonl*"))


def test_skip_bad_reports_each_bad_record_and_counts_them(tmp_path):
    lines = ["not json", CORPUS[0].to_json(), '{"messages": 3}', CORPUS[1].to_json()]
    corpus = write_corpus(tmp_path / "data.jsonl", lines)
    status, err = run("-i", corpus, "-o", str(tmp_path / "out.jsonl"), "--skip-bad")
    assert status == 0
    assert f"{corpus}:1: skipped: " in err and f"{corpus}:3: skipped: " in err
    assert "2 bad records skipped" in err
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 2


def test_stdin_and_per_turn(tmp_path):
    two_turns = Conversation.from_messages(CORPUS[0].messages + CORPUS[1].messages)
    status, err = run("-i", "-", "-o", str(tmp_path / "out.jsonl"), "--per-turn", stdin=two_turns.to_json().encode())
    assert status == 0
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 2


def test_without_o_the_examples_go_to_stdout_as_json_lines():
    result = run_cli(["training-render"], CORPUS[0].to_json().encode() + b"\n" + CORPUS[1].to_json().encode())
    assert result.returncode == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["input_ids"] for row in rows] == [e.input_ids for e in render_examples(enc, CORPUS[:2])]
    assert "2 examples" in result.stderr.decode() and "-> stdout" in result.stderr.decode()


@pytest.mark.parametrize("argv, message", [
    (["-o", "x.csv"], "the output is a .parquet or .jsonl file"),
    (["-o", "x.jsonl", "--source", "openai"], "--source openai needs --date"),
    (["-o", "x.jsonl", "--roles", "tool"], "tool results are never trained"),
    (["-o", "x.jsonl", "--workers", "0"], "--workers must be at least 1"),
])
def test_usage_errors_exit_2(tmp_path, argv, message):
    corpus = write_corpus(tmp_path / "data.jsonl", [CORPUS[0].to_json()])
    argv = [a if not a.startswith("x.") else str(tmp_path / a) for a in argv]
    status, err = run("-i", corpus, *argv)
    assert status == 2
    assert message in err


def test_a_progress_bar_when_asked(tmp_path):
    pytest.importorskip("tqdm", reason="the test extra installs tqdm")
    corpus = write_corpus(tmp_path / "data.jsonl", [c.to_json() for c in CORPUS])
    status, err = run("-i", corpus, "-o", str(tmp_path / "out.jsonl"), "--progress")
    assert status == 0
    assert "rendering: 100%" in err
