"""Running `fastharmony` in this process, as a test would run the program.

`run_cli(argv, input)` calls `fastharmony.cli.main(argv)` with stdin, stdout
and stderr replaced by in-memory files and the environment adjusted, and
returns what a subprocess run would: exit status, stdout bytes, stderr bytes.
It costs microseconds where a process costs about a second (interpreter start
and vocabulary load), so the CLI's behaviour is tested here; a real process
is spawned only where it is the point (the entry point, a terminal, a pipe
whose reader goes away, closed descriptors): see `subprocess_cli`.

Output written through the text layer (argparse's --help) and through the
binary buffer (the commands) land in the same bytes, in order.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, NamedTuple, Optional, Sequence, Union

SRC = str(Path(__file__).resolve().parent.parent / "src")
TIMEOUT = 60
# Variables a user's environment may hold that change what the CLI prints.
CLEARED = ("NO_COLOR", "TIKTOKEN_ENCODINGS_BASE", "FASTHARMONY_TRACEBACK")


class Result(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: bytes


@contextlib.contextmanager
def environment(**changes: Optional[str]):
    """os.environ with CLEARED removed and these set (None removes), restored after."""
    changes = {**{name: None for name in CLEARED}, **changes}
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_cli(argv: Sequence[str], input: Union[bytes, str] = b"", **env: Optional[str]) -> Result:
    """`fastharmony ARGV` in this process with INPUT on stdin."""
    from fastharmony import cli

    if isinstance(input, str):
        input = input.encode()
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(input)), encoding="utf-8")
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        with environment(**env):
            status = cli.main(list(argv))
        stdout.flush()
        stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return Result(status, out.getvalue(), err.getvalue())


def subprocess_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def subprocess_cli(*args: str, input: Union[bytes, str] = b"", **kwargs) -> subprocess.CompletedProcess:
    """`python -m fastharmony ARGS` in a real process (for what needs one)."""
    if isinstance(input, str):
        input = input.encode()
    return subprocess.run(
        [sys.executable, "-m", "fastharmony", *args],
        input=input,
        capture_output=True,
        env=subprocess_env(),
        timeout=TIMEOUT,
        **kwargs,
    )


# -- `fastharmony` on PATH for shell examples, served by this process ------------

# The `fastharmony` a shell runs: a few lines of standard-library Python that
# send their arguments, working folder and stdin to the test process and write
# back what it answers. Start-up costs an interpreter without site (~30 ms)
# instead of a full fastharmony process (~1 s).
_CLIENT = r'''
import os, socket, struct, sys
data = sys.stdin.buffer.read() if sys.stdin is not None else b""
request = "\0".join([os.getcwd(), *sys.argv[1:]]).encode("utf-8", "surrogateescape")
sock = socket.socket(socket.AF_UNIX)
sock.connect(ADDRESS)
sock.sendall(struct.pack("!II", len(request), len(data)) + request + data)
sock.shutdown(socket.SHUT_WR)
answer = b""
while True:
    chunk = sock.recv(1 << 16)
    if not chunk:
        break
    answer += chunk
status, out_len = struct.unpack("!iI", answer[:8])
sys.stdout.buffer.write(answer[8 : 8 + out_len]); sys.stdout.flush()
sys.stderr.buffer.write(answer[8 + out_len :]); sys.stderr.flush()
sys.exit(status)
'''


@contextlib.contextmanager
def served_cli(folder: Path):
    """A folder holding a `fastharmony` executable whose runs are served by
    `run_cli` in this process, one at a time (each client reads all of its
    stdin before it connects, so a pipeline of several cannot deadlock)."""
    import socket
    import struct
    import threading

    address = str(folder / "cli.sock")
    client = folder / "fastharmony"
    client.write_text(f"#!{sys.executable} -S\nADDRESS = {address!r}\n{_CLIENT}")
    client.chmod(0o755)
    server = socket.socket(socket.AF_UNIX)
    server.bind(address)
    server.listen(8)

    def receive(conn, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed: the context is over
                return
            with conn:
                request_len, data_len = struct.unpack("!II", receive(conn, 8))
                cwd, *argv = receive(conn, request_len).decode("utf-8", "surrogateescape").split("\0")
                data = receive(conn, data_len)
                saved = os.getcwd()
                os.chdir(cwd)
                try:
                    result = run_cli(argv, data)
                finally:
                    os.chdir(saved)
                conn.sendall(struct.pack("!iI", result.returncode, len(result.stdout)) + result.stdout + result.stderr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield folder
    finally:
        server.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        server.close()
        thread.join(timeout=TIMEOUT)
