# Running one command line: choosing the command, parsing its options,
# turning every way it can end into an exit status.
#
# Rules of this file:
# - The top-level parser only lists the commands (from the table's summaries)
#   and answers --help, --version and unknown commands; a command's own parser
#   is built from its module when that command runs.
# - Exit statuses: 0 success; 1 bad input (one line on stderr); 2 usage;
#   141 the reader went away (128 + SIGPIPE, as the shell reports for
#   `yes | head`'s `yes`), quietly; 130 interrupted. Nothing else, and never
#   a traceback: an exception nobody expected is reported on one line as an
#   internal error (status 70, EX_SOFTWARE), with its traceback only when
#   FASTHARMONY_TRACEBACK is set.

from __future__ import annotations

import argparse
import os
from typing import List

from . import COMMANDS, PROG, RETIRED
from ._io import IO, BadInput, OutputError, UsageError, discard_stdout, flush_stdout, say, sentence
from ._options import command_parser, go_spellings

READER_GONE = 141
INTERNAL_ERROR = 70


def _top_parser() -> argparse.ArgumentParser:
    import fastharmony

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "OpenAI's Harmony chat format (gpt-oss) from the shell: JSON in on stdin "
            "(or -i FILE), JSON out on stdout. Bad input exits 1 with one line on "
            "stderr; usage errors exit 2; a reader that goes away (| head) ends it "
            "quietly with 141. harmony-go's spellings work too (-role X, -auto-drop=false)."
        ),
        epilog=f"'{PROG} COMMAND --help' describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {fastharmony.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, entry in COMMANDS.items():
        commands.add_parser(name, help=entry.summary, add_help=False)
    return parser


def _dispatch(argv: List[str]) -> int:
    name = argv[0] if argv else None
    if name in RETIRED:
        say(f"{PROG}: error: '{name}' is not a command any more: {RETIRED[name]}")
        return 2
    if name not in COMMANDS:  # --help, --version, nothing, or not a command
        parser = _top_parser()
        parser.parse_args(argv)  # exits, unless no command was given
        parser.print_usage(_stderr())
        say(f"{PROG}: error: a command is required (see '{PROG} --help')")
        return 2
    from fastharmony import HarmonyError

    run = COMMANDS[name].load()
    args = command_parser(f"{PROG} {name}", run).parse_args(go_spellings(argv[1:], run))
    io = IO(getattr(args, "input", None))
    try:
        status = run(args, io)
        io.flush()
    except (BadInput, HarmonyError) as exc:
        if isinstance(exc, OutputError):
            discard_stdout()
        say(f"{PROG}: error: {sentence(exc)}")
        return 1
    except UsageError as exc:
        say(f"{PROG}: error: {exc}")
        return 2
    return status or 0


def _stderr():
    import sys

    return sys.stderr


def run(argv: List[str]) -> int:
    try:
        status = _dispatch(argv)
        if status == 0:
            flush_stdout()  # argparse's --help and --version write through the text layer
    except SystemExit as exit:  # argparse: --help, --version, usage errors
        status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 2)
        try:
            flush_stdout()
        except BrokenPipeError:
            discard_stdout()
            return READER_GONE
        except BadInput as exc:
            discard_stdout()
            say(f"{PROG}: error: {exc}")
            return 1
    except BrokenPipeError:
        discard_stdout()
        return READER_GONE
    except BadInput as exc:  # the output could not be flushed
        discard_stdout()
        say(f"{PROG}: error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except (Exception, RecursionError, MemoryError) as exc:
        if os.environ.get("FASTHARMONY_TRACEBACK"):
            raise
        say(
            f"{PROG}: internal error: {type(exc).__name__}: {sentence(exc)[:200]} "
            "(a bug: please report it with the command line and its input)"
        )
        return INTERNAL_ERROR
    return status
