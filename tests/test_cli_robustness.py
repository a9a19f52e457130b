"""The CLI's promise: never a traceback, whatever the operating system does.

Closed or failing descriptors, unreadable files, readers that go away, numbers
Python cannot hold: each ends with one line `fastharmony: error: ...` and
status 1, or, for a reader that goes away (`| head`), quietly with status 141,
as `yes | head` ends `yes` (128 + SIGPIPE) — the same for every command.

Most run in this process with the standard streams replaced; a handful need
a real process (descriptors closed before Python starts, a real pipe).
"""

import io
import json
import subprocess
import sys

import pytest

from cli_runner import TIMEOUT, run_cli, subprocess_env

MESSAGE = b'{"role":"user","content":"Hi"}'
CONVERSATION = b'{"messages":[{"role":"user","content":"Hi"}]}'
TOKENS = b"[200006,1428,200008,12194,200007]"
REQUEST = b'{"messages":[{"role":"user","content":"Hi"}]}'

# Every command with an input it accepts.
EVERY_COMMAND = {
    "stop": b"",
    "render-msg": MESSAGE,
    "render-convo": CONVERSATION,
    "render-completion": CONVERSATION,
    "render-training": CONVERSATION,
    "parse": TOKENS,
    "decode": TOKENS,
    "encode": b"Hi",
    "stream": TOKENS,
    "show": TOKENS,
    "demo": b"",
    "chat-render": REQUEST,
    "chat-parse": b"[200005,17196,200008,12194,200002]",
    "responses-render": b'{"input":"Hi"}',
    "responses-parse": b"[200005,17196,200008,12194,200002]",
    "training-render": CONVERSATION,
}


def test_every_command_is_covered():
    from fastharmony import cli

    assert set(EVERY_COMMAND) == set(cli.COMMANDS)


def one_error_line(result, expected: str):
    assert result.returncode == 1, result
    stderr = result.stderr.decode()
    assert stderr.startswith("fastharmony: error: ") and stderr.count("\n") == 1, stderr
    assert expected in stderr
    assert "Traceback" not in stderr


# -- in this process --------------------------------------------------------------


class _Output(io.RawIOBase):
    """A stdout that fails the way a descriptor does: after `room` bytes."""

    def __init__(self, error: OSError, room: int = 0) -> None:
        self.error, self.room = error, room

    def writable(self):
        return True

    def write(self, data):
        if self.room <= 0:
            raise self.error
        written = min(len(data), self.room)
        self.room -= written
        return written


def run_with_stdout(argv, input: bytes, raw: io.RawIOBase):
    """`fastharmony ARGV` with stdout replaced by RAW (buffered as Python's is)."""
    saved = sys.stdout
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw, buffer_size=8192), encoding="utf-8")
    try:
        result = run_cli_keeping_stdout(argv, input)
    finally:
        stdout, sys.stdout = sys.stdout, saved
        try:
            stdout.detach()
        except Exception:
            pass
    return result


def run_cli_keeping_stdout(argv, input: bytes):
    """run_cli, but with the stdout already in place."""
    from fastharmony import cli

    saved = sys.stdin, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(input)), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    try:
        status = cli.main(list(argv))
        return status, sys.stderr.buffer.getvalue()
    finally:
        sys.stdin, sys.stderr = saved


@pytest.mark.parametrize("name", sorted(EVERY_COMMAND))
def test_a_reader_that_went_away_ends_every_command_quietly_with_141(name):
    status, stderr = run_with_stdout([name], EVERY_COMMAND[name], _Output(BrokenPipeError(32, "Broken pipe")))
    assert (status, stderr) == (141, b"")


@pytest.mark.parametrize("name", ["decode", "parse", "show", "stream"])
def test_a_reader_that_goes_away_part_way_is_noticed(name):
    # Python's BufferedWriter returns a short count instead of raising when a
    # large write is cut short; the rest must still be written, and fail.
    tokens = json.dumps([200006, 1428, 200008] + [12194] * 50_000 + [200007]).encode()
    status, stderr = run_with_stdout([name], tokens, _Output(BrokenPipeError(32, "Broken pipe"), room=70_000))
    assert (status, stderr) == (141, b"")


@pytest.mark.parametrize("name", sorted(EVERY_COMMAND))
def test_a_full_device_is_one_error_line(name):
    status, stderr = run_with_stdout([name], EVERY_COMMAND[name], _Output(OSError(28, "No space left on device")))
    assert status == 1
    assert stderr == b"fastharmony: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("name", sorted(EVERY_COMMAND))
def test_a_closed_stdout_is_one_error_line(name):
    saved = sys.stdout
    sys.stdout = None
    try:
        status, stderr = run_cli_keeping_stdout([name], EVERY_COMMAND[name])
    finally:
        sys.stdout = saved
    assert status == 1
    assert stderr == b"fastharmony: error: cannot write the output: stdout is closed\n"


@pytest.mark.parametrize("name", [name for name, data in sorted(EVERY_COMMAND.items()) if data])
def test_a_closed_stdin_is_one_error_line(name, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    out, err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, write_through=True))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err, write_through=True))
    from fastharmony import cli

    assert cli.main([name]) == 1
    assert err.getvalue() == (
        b"fastharmony: error: cannot read the input: stdin is closed (pass -i FILE, or pipe the input in)\n"
    )
    assert out.getvalue() == b""


def test_an_unreadable_file_is_one_error_line():
    one_error_line(run_cli(["parse", "-i", "/proc/self/mem"]), "cannot read /proc/self/mem: Input/output error")


def test_a_folder_is_not_an_input_file(tmp_path):
    one_error_line(run_cli(["parse", "-i", str(tmp_path)]), f"cannot read {tmp_path}: Is a directory")


@pytest.mark.parametrize("name", ["stream", "parse", "decode", "show"])
def test_an_integer_of_5000_digits_is_not_a_token_id(name):
    result = run_cli([name], b"9" * 5000 + b"\n")
    one_error_line(result, "invalid token for decoding: 999999999999... (an integer of 5000 digits)")


def test_a_number_too_long_for_any_id_is_refused_before_it_ends():
    # stream keeps only an unfinished number between chunks; one that cannot
    # be a token id is refused without waiting for (and holding) the rest.
    result = run_cli(["stream"], b"1" * 100_000)
    one_error_line(result, "line 1: invalid token for decoding:")


def test_an_error_with_stderr_closed_still_exits_1(monkeypatch):
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"[1, 2")))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    from fastharmony import cli

    assert cli.main(["parse"]) == 1


def test_an_unexpected_exception_is_one_line_not_a_traceback(monkeypatch):
    from fastharmony.cli.commands import tokens

    def broken(args, io):
        raise ZeroDivisionError("a bug")

    broken.arguments, broken.reads_input = (), False
    monkeypatch.setattr(tokens, "stop", broken)
    result = run_cli(["stop"])
    assert result.returncode == 70
    assert result.stderr.decode().startswith("fastharmony: internal error: ZeroDivisionError: a bug")
    assert result.stderr.count(b"\n") == 1


# -- in a real process ----------------------------------------------------------------


def shell(command: str) -> subprocess.CompletedProcess:
    """COMMAND through bash, with `fastharmony` meaning `python -m fastharmony`."""
    return subprocess.run(
        ["bash", "-c", f'fastharmony() {{ "{sys.executable}" -m fastharmony "$@"; }}; {command}'],
        capture_output=True, env=subprocess_env(), timeout=TIMEOUT,
    )


def test_closed_descriptors_in_a_real_process():
    result = shell("fastharmony stop >&-; echo $? >&2; fastharmony parse <&- >/dev/null; echo $? >&2")
    assert result.stderr.decode().splitlines() == [
        "fastharmony: error: cannot write the output: stdout is closed",
        "1",
        "fastharmony: error: cannot read the input: stdin is closed (pass -i FILE, or pipe the input in)",
        "1",
    ]


def test_a_full_device_in_a_real_process():
    result = shell("fastharmony stop >/dev/full")
    assert (result.returncode, result.stderr) == (1, b"fastharmony: error: cannot write the output: No space left on device\n")


def test_a_reader_that_goes_away_in_a_real_process():
    # The reader closes the pipe before the command writes: it must end with
    # 141 and say nothing (no "Exception ignored ... BrokenPipeError").
    process = subprocess.Popen(
        [sys.executable, "-m", "fastharmony", "decode"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(),
    )
    process.stdout.close()
    _, stderr = process.communicate(json.dumps([12194] * 100_000).encode(), timeout=TIMEOUT)
    assert (process.returncode, stderr) == (141, b"")


def test_python_dash_m_fastharmony_is_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "fastharmony", "render-msg"], input=MESSAGE,
        capture_output=True, env=subprocess_env(), timeout=TIMEOUT,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, b"[200006,1428,200008,12194,200007]\n", b"")


def test_text_only_standard_streams_work(monkeypatch):
    # A notebook's or doctest's stand-ins have no `buffer`: the CLI reads and
    # writes their text.
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"role":"user","content":"Hï"}'))
    monkeypatch.setattr(sys, "stdout", out)
    from fastharmony import cli

    assert cli.main(["render-msg"]) == 0
    assert cli.main(["decode"]) == 1  # stdin is used up: "input is empty"
    monkeypatch.setattr(sys, "stdin", io.StringIO("[200006,1428,200008,39, 9954,200007]"))
    assert cli.main(["decode"]) == 0
    assert out.getvalue() == "[200006,1428,200008,39,9954,200007]\n<|start|>user<|message|>Hï<|end|>"


def test_mains_docstring_example_runs():
    import doctest

    from fastharmony import cli

    assert doctest.testmod(cli, raise_on_error=False).failed == 0
