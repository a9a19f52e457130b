# Input and output of a command, and the two ways a command fails.
#
# Rules of this file:
# - Commands read and write only through `IO`: input from stdin or `-i FILE`
#   as bytes, output to stdout as bytes (text is UTF-8 whatever the locale).
# - Whatever the operating system does to us is a `BadInput` with one line
#   saying what: a closed or unreadable stdin (`<&-`), a file that cannot be
#   read (`-i /proc/self/mem`: EIO), a closed or full stdout (`>&-`,
#   `>/dev/full`). The one exception is a reader that went away (`| head`):
#   BrokenPipeError goes up to the entry point, which ends quietly.
# - Empty input is an error that names what was expected, unless the command
#   says empty input means something (`encode` of nothing is `[]`).

from __future__ import annotations

import os
import sys
from typing import BinaryIO, Iterator, Optional


class BadInput(Exception):
    """Input a command cannot use: exit status 1 and this one line on stderr."""


class OutputError(BadInput):
    """The output cannot be written (closed, full, failing): exit status 1."""


class UsageError(Exception):
    """Arguments that contradict each other: exit status 2, as argparse's own."""


def sentence(text: object) -> str:
    """An error message as the tail of our one line: lower-case start, one line."""
    text = " ".join(line.strip() for line in str(text).splitlines() if line.strip())
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class IO:
    """The command's input (stdin or `-i FILE`) and output (stdout, as bytes)."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = None if path in (None, "-") else path
        self.name = "stdin" if self.path is None else self.path

    # -- input --

    def _open(self) -> BinaryIO:
        if self.path is None:
            if sys.stdin is None:
                raise BadInput("cannot read the input: stdin is closed (pass -i FILE, or pipe the input in)")
            stream = getattr(sys.stdin, "buffer", None)
            # A text-only stand-in (a notebook's, doctest's) is read as UTF-8.
            return _TextAsBytes(sys.stdin) if stream is None else stream
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise BadInput(f"cannot read {self.path}: {_reason(exc)}") from None

    def _close(self, stream: BinaryIO) -> None:
        if self.path is not None:
            stream.close()

    def read(self, expected: str, empty_ok: bool = False) -> bytes:
        """All of the input; empty input is an error that names what was
        expected (unless `empty_ok`)."""
        stream = self._open()
        try:
            data = stream.read()
        except OSError as exc:
            raise BadInput(f"cannot read {self.name}: {_reason(exc)}") from None
        except ValueError:  # a closed file object
            raise BadInput(f"cannot read {self.name}: it is closed") from None
        finally:
            self._close(stream)
        if not empty_ok and not data.strip():
            raise BadInput(f"input is empty: expected {expected}")
        return data

    def chunks(self) -> Iterator[bytes]:
        """The input as it arrives: each read returns what the writer has sent so far."""
        stream = self._open()
        read = getattr(stream, "read1", stream.read)
        try:
            while True:
                try:
                    chunk = read(65536)
                except OSError as exc:
                    raise BadInput(f"cannot read {self.name}: {_reason(exc)}") from None
                except ValueError:
                    raise BadInput(f"cannot read {self.name}: it is closed") from None
                if not chunk:
                    return
                yield chunk
        finally:
            self._close(stream)

    # -- output --

    @property
    def out(self) -> BinaryIO:
        if sys.stdout is None:
            raise OutputError("cannot write the output: stdout is closed")
        stream = getattr(sys.stdout, "buffer", None)
        # A text-only stand-in (a notebook's, doctest's) gets the text: what
        # the commands write is UTF-8 (decode refuses invalid bytes).
        return _TextAsBytes(sys.stdout) if stream is None else stream

    def write(self, data: bytes) -> None:
        out = self.out
        try:
            # A BufferedWriter handed more than its buffer writes it straight
            # through and, if the reader goes away part way, returns the count
            # written instead of raising: write the rest, which raises.
            view = memoryview(data)
            while view:
                written = out.write(view)
                view = view[len(view) if written is None else written :]
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write the output: {_reason(exc)}") from None
        except ValueError:
            raise OutputError("cannot write the output: stdout is closed") from None

    def write_json(self, value) -> None:
        import msgspec

        self.write(msgspec.json.encode(value) + b"\n")

    def write_text(self, text: str) -> None:
        self.write(text.encode("utf-8"))

    def flush(self) -> None:
        flush_stdout()

    def isatty(self) -> bool:
        try:
            return self.out.isatty()
        except (OSError, ValueError, BadInput):
            return False


class _TextAsBytes:
    """The bytes interface of a text stream that has no `buffer`."""

    def __init__(self, text) -> None:
        self.text = text

    def read(self, size: int = -1) -> bytes:
        return self.text.read(size).encode("utf-8", "surrogateescape")

    read1 = read

    def write(self, data) -> int:
        self.text.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self) -> None:
        self.text.flush()

    def isatty(self) -> bool:
        return self.text.isatty()


def flush_stdout() -> None:
    """Flush what is buffered for stdout; a failure is a BadInput (a reader
    that went away stays a BrokenPipeError)."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the output: {_reason(exc)}") from None
    except ValueError:  # closed
        pass


def discard_stdout() -> None:
    """After the output failed (the reader went away, the disk is full):
    point stdout at /dev/null, so that what is still buffered is not flushed
    into it again at exit (Python would print "Exception ignored ..."). Only
    a real file descriptor can be redirected; an in-process stand-in is left
    alone."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:
        pass


def say(line: str) -> None:
    """One line on stderr; if stderr is closed too (`2>&-`) there is no one to tell."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
