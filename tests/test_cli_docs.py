"""The CLI's documented examples run as written: every `$ command` in a
```console block of README.md, and every example that
`fastharmony COMMAND --help` shows, prints what the documentation says it prints.

Examples of one file run in order in one scratch folder (later ones read the
files earlier ones wrote), through bash, with `fastharmony` on PATH: a small
client whose runs this process serves in-process (tests/cli_runner.py), so an
example costs a shell, not a fastharmony process.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from cli_runner import CLEARED, served_cli
from fastharmony import cli

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md"]


def console_examples(text: str):
    """(command, expected output) for each `$ ` line of the console blocks."""
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        yield from _examples(block.splitlines())


def help_examples(help_text: str):
    """The examples of a --help text: `  $ ` lines and the indented lines after them."""
    lines, example = [], False
    for line in help_text.splitlines():
        example = line.startswith("  $ ") or (example and line.startswith("  "))
        if example:
            lines.append(line[2:])
    return _examples(lines)


def _examples(lines):
    command, output = None, []
    for line in lines:
        if line.startswith("$ "):
            if command is not None:
                yield command, "\n".join(output)
            command, output = line[2:], []
        else:
            output.append(line)
    if command is not None:
        yield command, "\n".join(output)


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """Runs a command line with `fastharmony` on PATH; returns its stdout and stderr."""
    with served_cli(tmp_path_factory.mktemp("bin")) as bin_dir:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"

        def run(command: str, cwd: Path) -> str:
            result = subprocess.run(
                ["bash", "-c", command + " 2>&1"],
                cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
            )
            return result.stdout.decode()

        yield run


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_documented_examples_print_what_they_say(document, shell, tmp_path):
    examples = list(console_examples(document.read_text())) if document.exists() else []
    if document.name == "README.md":
        assert len(examples) > 20
    for command, expected in examples:
        assert shell(command, tmp_path).rstrip("\n") == expected.rstrip("\n"), command


def test_the_docs_show_every_command():
    text = (ROOT / "README.md").read_text()
    shown = {name for command, _ in console_examples(text) for name in re.findall(r"fastharmony ([a-z-]+)", command)}
    # The demo's output is long and the benchmark's is timings: the text describes them.
    assert set(cli.COMMANDS) - {"demo", "bench"} <= shown


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_help_examples_print_what_they_say(name, shell, tmp_path):
    examples = list(help_examples(shell(f"fastharmony {name} --help", tmp_path)))
    assert examples or name in ("render-training", "demo", "bench")
    for command, expected in examples:
        assert shell(command, tmp_path).rstrip("\n") == expected.rstrip("\n"), command
