# Declaring a command and its options, and the options commands share.
#
# Rules of this file:
# - A command is a function `(args, io) -> None | exit status`, marked with
#   `@command(*options, reads_input=...)`; its docstring is its --help text.
#   Options are written as `ArgumentParser.add_argument` takes them (`arg`).
# - Options shared by several commands (--role, --non-strict, --no-auto-drop,
#   --color) are defined once here, so they read and behave the same everywhere.
# - harmony-go's spellings are accepted (Go's flag package): one dash before a
#   long name (`-role X`, `-role=X`), and booleans given a value
#   (`-auto-drop=false`, `--lossy=true`). `go_spellings` rewrites them to ours
#   before argparse sees them; nothing else knows about Go.

from __future__ import annotations

import argparse
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

ROLE_NAMES = ["system", "developer", "user", "assistant", "tool"]  # Role's values, without importing the API


class Arg(NamedTuple):
    flags: Tuple[str, ...]
    options: dict
    # For a flag that turns something off (--no-auto-drop): the name of the
    # thing it turns off, as harmony-go spells it (`-auto-drop=false`).
    negates: Optional[str] = None


def arg(*flags: str, negates: Optional[str] = None, **options) -> Arg:
    """An option of a command, as `ArgumentParser.add_argument` takes it."""
    return Arg(flags, options, negates)


def command(*arguments: Arg, reads_input: bool = True):
    """Declare the decorated function a command with these options; with
    `reads_input` it also gets `-i FILE` (default: stdin)."""

    def declare(run: Callable):
        run.arguments = arguments
        run.reads_input = reads_input
        return run

    return declare


INPUT = arg("-i", "--input", metavar="FILE", help="read FILE instead of stdin ('-' is stdin)")

ROLE = arg(
    "--role",
    choices=ROLE_NAMES,
    help="the role whose header the tokens begin inside, as a model's output does after a "
    "prompt from render-completion (default: tokens that begin with <|start|> carry their "
    "own header; other tokens begin inside the assistant's)",
)
NON_STRICT = arg(
    "--non-strict",
    action="store_true",
    help="recover from a stop token before <|message|>, as the reference does with strict=False",
)
NO_AUTO_DROP = arg(
    "--no-auto-drop",
    action="store_true",
    negates="--auto-drop",
    help="keep analysis messages that precede a final answer (they are dropped by default; "
    "harmony-go's spelling -auto-drop=false works too)",
)
COLOR = arg(
    "--color",
    choices=["auto", "always", "never"],
    default="auto",
    help="colour the output: on a terminal (auto, the default; NO_COLOR turns it off), always, never",
)


def command_parser(prog: str, run: Callable) -> argparse.ArgumentParser:
    """The argument parser of one command, its --help from the docstring."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=help_text(run.__doc__ or ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for flags, options, _ in declared(run):
        parser.add_argument(*flags, **options)
    return parser


def declared(run: Callable) -> List[Arg]:
    return ([INPUT] if run.reads_input else []) + list(run.arguments)


def help_text(doc: str) -> str:
    """A command's docstring as its --help text: without the function body's
    indentation, so that examples stay indented as written."""
    first, *rest = doc.splitlines() or [""]
    body = [line[4:] if line.startswith("    ") else line.strip() for line in rest]
    return "\n".join([first.strip(), *body]).strip()


_GO_TRUE = {"1", "t", "T", "true", "TRUE", "True"}
_GO_FALSE = {"0", "f", "F", "false", "FALSE", "False"}


def go_spellings(argv: Sequence[str], run: Callable) -> List[str]:
    """The arguments with harmony-go's spellings of this command's options
    rewritten to ours; anything else is left for argparse to judge."""
    longs: Dict[str, Arg] = {"--help": arg("--help", action="store_true")}
    negated: Dict[str, str] = {}
    for option in declared(run):
        for flag in option.flags:
            if flag.startswith("--"):
                longs[flag] = option
        if option.negates:
            negated[option.negates] = option.flags[0]
    out: List[str] = []
    for index, word in enumerate(argv):
        if word == "--":
            out += argv[index:]
            break
        if word.startswith("-") and not word.startswith("--") and len(word) > 2:
            name = word[1:].partition("=")[0]
            if f"--{name}" in longs or f"--{name}" in negated:
                word = "-" + word
        name, has_value, value = word.partition("=")
        switch = longs.get(name)
        if has_value and switch is not None and switch.options.get("action") == "store_true":
            if value in _GO_FALSE:
                continue
            if value in _GO_TRUE:
                word = name
        elif name in negated:
            if not has_value or value in _GO_TRUE:
                continue  # on is the default
            if value in _GO_FALSE:
                word = negated[name]
        out.append(word)
    return out
