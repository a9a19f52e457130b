# `fastharmony`, the command line: every Harmony operation from the shell,
# JSON in and JSON out, so that pipelines, other languages and people can use
# the format without writing Python.
#
# This file is the thin entry point: the command table and `main`.
#
# Rules of the package:
# - COMMANDS maps each command's name to the module and function that run it
#   (as pip's `commands_dict`, twine's entry points). A command's module is
#   imported only when that command runs or shows its --help, so start-up and
#   `fastharmony --help` stay cheap and never load the vocabulary.
# - ADDING A COMMAND: write a function `def my_command(args, io)` in a module
#   of `fastharmony/cli/commands/` (decorate it with `@command(...)` from
#   `fastharmony.cli._options` to declare its options; its docstring is its
#   --help, and the `  $ ` examples in it are run by tests/test_cli_docs.py),
#   then add ONE row to COMMANDS below. Nothing else changes.
# - Commands use the public API (`import fastharmony`) and the shared helpers
#   beside them: `_io` (input, output, the two kinds of failure), `_inputs`
#   (token ids, messages and conversations as the CLI accepts them),
#   `_walk` (parsing with errors located), `_view` (showing things to people).
# - The CLI's promise: never a traceback. Bad input raises `BadInput` (or the
#   API's `HarmonyError`): one line `fastharmony: error: WHERE: WHAT` on stderr,
#   exit 1. Usage errors are argparse's (or `UsageError`): exit 2. A reader
#   that goes away (`| head`) ends the command quietly with status 141, what
#   the shell reports for `yes | head`'s `yes` (128 + SIGPIPE).

from __future__ import annotations

import sys
from typing import Dict, NamedTuple, Optional, Sequence

PROG = "fastharmony"


class Entry(NamedTuple):
    """A row of the command table: where the command lives, and its one-line
    summary for `fastharmony --help` (which must not import the module)."""

    module: str  # under fastharmony.cli.commands
    function: str
    summary: str

    def load(self):
        from importlib import import_module

        return getattr(import_module(f"{__name__}.commands.{self.module}"), self.function)


COMMANDS: Dict[str, Entry] = {
    "stop": Entry("tokens", "stop", "the stop tokens, as a JSON list"),
    "render-msg": Entry("render", "render_msg", "one message (JSON) to tokens"),
    "render-convo": Entry("render", "render_convo", "a conversation (JSON) to tokens"),
    "render-completion": Entry(
        "render", "render_completion", "a conversation to tokens, ending with the next turn's header"
    ),
    "render-training": Entry(
        "render", "render_training", "a conversation to tokens for training (final answer ends in <|return|>)"
    ),
    "parse": Entry("parse", "parse", "tokens (JSON list) to messages (JSON list)"),
    "decode": Entry("tokens", "decode", "tokens (JSON list) to text"),
    "encode": Entry("tokens", "encode", "text to tokens (JSON list)"),
    "stream": Entry("parse", "stream", "token ids as they arrive to JSON-lines events"),
    "show": Entry("show", "show", "a conversation or tokens, shown for people"),
    "demo": Entry("show", "demo", "render and parse a bundled example, offline"),
    "chat-render": Entry("chat", "chat_render", "a Chat Completions request (JSON) to prompt tokens"),
    "chat-parse": Entry("chat", "chat_parse", "completion tokens (JSON list) to a Chat Completions choice (JSON)"),
    "responses-render": Entry("responses", "responses_render", "a Responses API request (JSON) to prompt tokens"),
    "responses-parse": Entry(
        "responses", "responses_parse", "completion tokens (JSON list) to a Responses API Response (JSON)"
    ),
    "training-render": Entry(
        "training", "training_render", "a JSONL corpus to training examples with loss masks (Parquet or JSONL)"
    ),
}

# Commands that are gone, and what to run instead (exit 2 with this advice).
RETIRED = {
    # The suite compares against openai-harmony, which the installed package
    # does not depend on, and its workloads live in the source tree: it was a
    # command that only worked from a checkout. The suite keeps one entry.
    "bench": "the benchmark suite is part of the source tree: run 'python -m benchmarks' "
    "from a checkout of fastharmony",
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run `fastharmony` with these arguments (default: the process's), on
    the process's stdin and stdout; return the exit status (0 success, 1 bad
    input, 2 usage, 141 the reader went away, 130 interrupted). It never
    raises: errors are one line on stderr.

    >>> from fastharmony.cli import main
    >>> main(["stop"])
    [200002,200007,200012]
    0
    """
    from ._run import run

    return run(list(sys.argv[1:] if argv is None else argv))
