# `fastharmony`, the command line: every Harmony operation from the shell,
# JSON in and JSON out, so that pipelines, other languages and people can use
# the format without writing Python.
#
# Rules of this file:
# - Only the public API (`import fastharmony`); the one private import is the
#   demo's example data, `_demo.py`, which is part of this front end.
# - One small function per command, registered with its help and arguments in
#   COMMANDS by `@command`; `main` builds the argument parser from that table.
#   A new command is one decorated function.
# - Importing this module stays cheap: the vocabulary is loaded by the commands
#   that need it, after their input has been read and checked, so bad input
#   fails fast and `--help` never loads it.
# - Input comes from stdin or `-i FILE`; JSON output is compact, one document
#   and a newline. Text goes out as UTF-8 whatever the locale.
# - Bad input raises `BadInput` or the API's `HarmonyError`; `main` prints one
#   line, `fastharmony: error: WHERE: WHAT`, and exits 1. Usage errors are
#   argparse's (or a command's `UsageError`), exit 2. Anything else is a bug
#   and keeps its traceback.

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from contextlib import contextmanager
from typing import Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import msgspec

import fastharmony
from fastharmony import (
    Conversation,
    HarmonyError,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    TextContent,
)

PROG = "fastharmony"
ROLE_NAMES = [role.value for role in Role]


class BadInput(Exception):
    """Input a command cannot use: exit status 1 and this one line on stderr."""


class UsageError(Exception):
    """Arguments that contradict each other: exit status 2, as argparse's own."""


# -- the command table ----------------------------------------------------------


class Arg(NamedTuple):
    flags: Tuple[str, ...]
    options: dict


def arg(*flags: str, **options) -> Arg:
    """An argument of a command, as `ArgumentParser.add_argument` takes it."""
    return Arg(flags, options)


class Command(NamedTuple):
    run: Callable[[argparse.Namespace, "IO"], Optional[int]]  # returns None or an exit status
    summary: str
    arguments: Tuple[Arg, ...]
    reads_input: bool


COMMANDS: Dict[str, Command] = {}


def command(name: str, summary: str, *arguments: Arg, reads_input: bool = True):
    """Register the decorated function as `fastharmony NAME`; its docstring is
    the command's `--help` text. It returns None (success) or an exit status."""

    def register(run):
        COMMANDS[name] = Command(run, summary, arguments, reads_input)
        return run

    return register


ROLE = arg(
    "--role",
    choices=ROLE_NAMES,
    help="the tokens begin inside this role's header, as a model's output does after "
    "a prompt from render-completion (without it they begin with <|start|>)",
)
NON_STRICT = arg(
    "--non-strict",
    action="store_true",
    help="recover from a stop token before <|message|>, as the reference does with strict=False",
)
NO_AUTO_DROP = arg(
    "--no-auto-drop",
    action="store_true",
    help="keep analysis messages that precede a final answer (they are dropped by default)",
)
COLOR = arg(
    "--color",
    choices=["auto", "always", "never"],
    default="auto",
    help="colour special tokens: on a terminal (auto, the default; NO_COLOR turns it off), always, never",
)


# -- input and output -----------------------------------------------------------


class IO:
    """The command's input (stdin or `-i FILE`) and output (stdout, as bytes)."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = None if path in (None, "-") else path
        self.out = sys.stdout.buffer

    def _open(self):
        if self.path is None:
            return sys.stdin.buffer
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise BadInput(f"cannot read {self.path}: {exc.strerror}") from None

    def read(self, expected: str) -> bytes:
        """All of the input; empty input is an error that names what was expected."""
        stream = self._open()
        try:
            data = stream.read()
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        if not data.strip():
            raise BadInput(f"input is empty: expected {expected}")
        return data

    def chunks(self) -> Iterator[bytes]:
        """The input as it arrives: each read returns what the writer has sent so far."""
        stream = self._open()
        read = getattr(stream, "read1", stream.read)
        try:
            while True:
                chunk = read(65536)
                if not chunk:
                    return
                yield chunk
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()

    def write_json(self, value) -> None:
        self.out.write(msgspec.json.encode(value) + b"\n")

    def write_text(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def style(self, choice: str) -> "Style":
        if choice == "auto":
            enabled = (
                self.out.isatty()
                and not os.environ.get("NO_COLOR")
                and os.environ.get("TERM") != "dumb"
            )
        else:
            enabled = choice == "always"
        return Style(enabled)


def _encoding() -> fastharmony.HarmonyEncoding:
    return fastharmony.load_harmony_encoding(fastharmony.HarmonyEncodingName.HARMONY_GPT_OSS)


def _role(name: Optional[str]) -> Optional[Role]:
    return None if name is None else Role(name)


def _render_config(args: argparse.Namespace) -> RenderConversationConfig:
    return RenderConversationConfig(auto_drop_analysis=not args.no_auto_drop)


def _sentence(text: str) -> str:
    """An error message as the tail of our one line: lower-case start, one line."""
    text = " ".join(line.strip() for line in str(text).splitlines() if line.strip())
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def _json_problem(exc: msgspec.DecodeError) -> str:
    return "malformed JSON: " + _sentence(str(exc).removeprefix("JSON is malformed: "))


def _decode_any_json(data: bytes):
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise BadInput(_json_problem(exc)) from None
    except RecursionError:  # msgspec recurses once per level of nesting
        raise BadInput("malformed JSON: it nests too deep") from None
    except UnicodeDecodeError as exc:  # bytes that are not UTF-8 inside a JSON string
        raise BadInput("malformed JSON: a string in it is not valid UTF-8") from None


def _first_char(data: bytes) -> bytes:
    return data.lstrip()[:1]


# -- reading messages and conversations -----------------------------------------


def _read_message(io: IO) -> Message:
    return Message.from_json(io.read("a message as JSON"))


def _read_conversation(io: IO) -> Conversation:
    """`{"messages": [...]}`, or a bare list of messages as `parse` writes it."""
    data = io.read('a conversation as JSON, {"messages": [...]}')
    if _first_char(data) == b"[":
        return Conversation.from_dict({"messages": _decode_any_json(data)})
    return Conversation.from_json(data)


@contextmanager
def _which_message(encoding, messages: Sequence[Message]) -> Iterator[None]:
    """Names the message a rendering error came from: the renderer's errors say
    what is wrong, and rendering the messages one by one finds where."""
    try:
        yield
    except HarmonyError:
        for index, message in enumerate(messages):
            try:
                encoding.render(message)
            except HarmonyError as located:
                raise BadInput(f"messages[{index}]: {_sentence(located)}") from None
        raise


# -- reading token ids ----------------------------------------------------------


def _token_list(data, where: str) -> List[int]:
    """Token ids from JSON bytes (or an already decoded JSON value): a list of
    integers, or an error naming the first item that is not one."""
    try:
        if isinstance(data, bytes):
            return msgspec.json.decode(data, type=List[int])
        return msgspec.convert(data, List[int], strict=True)
    except msgspec.ValidationError as exc:
        problem, _, path = str(exc).partition(" - at `$")
        if not path:
            raise BadInput(f"{where}: expected a JSON list of token ids, got {problem.split()[-1]}") from None
        raise BadInput(f"{where}{path.rstrip('`')}: {_sentence(problem)}") from None
    except msgspec.DecodeError as exc:
        raise BadInput(f"{where}: {_json_problem(exc)}") from None


def _read_tokens(io: IO) -> List[int]:
    return _token_list(io.read("a JSON list of token ids"), "tokens")


def _decoded_bytes(encoding, tokens: List[int]) -> bytes:
    """The bytes of the tokens; an unknown id is named with its index."""
    try:
        return encoding.decode_bytes(tokens)
    except HarmonyError:
        for index, token in enumerate(tokens):
            try:
                encoding.decode_bytes([token])
            except HarmonyError as exc:
                raise BadInput(f"tokens[{index}]: {_sentence(exc)}") from None
        raise


_INTEGER = re.compile(rb"-?[0-9]+")


def _line_tokens(text: bytes, line: int) -> List[int]:
    """One line of `stream` input: a JSON array, or integers separated by spaces."""
    text = text.strip()
    if text.startswith(b"["):
        return _token_list(text, f"line {line}")
    tokens = []
    for word in text.split():
        if not _INTEGER.fullmatch(word):
            shown = word.decode("utf-8", "replace")
            raise BadInput(f"line {line}: {shown[:40]!r} is not a token id")
        tokens.append(int(word))
    return tokens


def _token_batches(chunks: Iterable[bytes]) -> Iterator[Tuple[int, List[int]]]:
    """(line number, token ids) as soon as the ids are complete: at the end of
    each line, and on an unfinished line of integers at each space, so that a
    writer sending "1 2 3 " without a newline is not kept waiting."""
    pending = b""
    line = 1
    for chunk in chunks:
        *lines, pending = (pending + chunk).split(b"\n")
        for text in lines:
            yield line, _line_tokens(text, line)
            line += 1
        if not pending.lstrip().startswith(b"["):
            cut = max(pending.rfind(b" "), pending.rfind(b"\t"), pending.rfind(b"\r"))
            if cut >= 0:
                yield line, _line_tokens(pending[:cut], line)
                pending = pending[cut + 1 :]
    if pending.strip():
        yield line, _line_tokens(pending, line)


# -- parsing token by token -----------------------------------------------------


class Parsed(NamedTuple):
    message: Message
    tokens: List[int]  # the tokens the message was parsed from


def _walk(encoding, tokens: List[int], role, strict: bool, keep_open_header: bool = False):
    """Parse token by token with the streaming parser: each message with its
    tokens, and the tokens of a header still open at the end (left open when
    `keep_open_header`, e.g. a prompt rendered for completion; otherwise the
    end of input is processed, as batch parsing does). Errors name the token."""
    parser = fastharmony.StreamableParser(encoding, role, strict=strict)
    parsed: List[Parsed] = []
    start = 0
    expect_start = fastharmony.StreamState.EXPECT_START
    state = parser.state
    for index, token in enumerate(tokens):
        try:
            parser.process(token)
        except HarmonyError as exc:
            raise BadInput(f"tokens[{index}]: {_sentence(exc)}") from None
        # A message can only complete as the parser returns to EXPECT_START;
        # `messages` is a copy, so look only then.
        if parser.state is not state:
            state = parser.state
            if state is expect_start and len(parser.messages) > len(parsed):
                start = _collect(parser, parsed, tokens[start : index + 1], index + 1)
    if keep_open_header and parser.state == fastharmony.StreamState.HEADER:
        return parsed, tokens[start:]
    try:
        parser.process_eos()
    except HarmonyError as exc:
        raise BadInput(f"end of tokens: {_sentence(exc)}") from None
    _collect(parser, parsed, tokens[start:], len(tokens))
    return parsed, []


def _collect(parser, parsed: List[Parsed], tokens: List[int], end: int) -> int:
    for message in parser.messages[len(parsed) :]:
        parsed.append(Parsed(message, tokens))
        tokens = []  # two messages completed by one token: the tokens go to the first
    return end


def _parse(encoding, tokens: List[int], role, strict: bool) -> List[Message]:
    """Batch parsing; on an error, the streaming walk says at which token."""
    try:
        return encoding.parse_messages_from_completion_tokens(tokens, role, strict=strict)
    except HarmonyError:
        _walk(encoding, tokens, role, strict)
        raise


# -- showing things to people -----------------------------------------------------


class Style:
    """ANSI colours on a terminal; the identity when plain."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def special(self, text: str) -> str:
        return self._paint("1;35", text)

    def role(self, text: str) -> str:
        return self._paint("1;36", text)

    def label(self, text: str) -> str:
        return self._paint("2", text)

    def heading(self, text: str) -> str:
        return self._paint("1", text)


CONSTRAIN = "<|constrain|>"  # the one special token inside a header's text: a content type's prefix
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    """Text safe for a terminal: control characters other than newline and tab
    are shown escaped, so content cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _styled_tokens(encoding, tokens: Sequence[int], style: Style, line_breaks: bool = False) -> str:
    """The decoded text, special tokens highlighted (they are known by id, so
    text that merely spells one stays plain). With `line_breaks`, a line break
    follows each stop token, to set messages apart."""
    stops = set(encoding.stop_tokens()) if line_breaks else ()
    pieces: List[str] = []
    run: List[int] = []
    for token in tokens:
        if encoding.is_special_token(token):
            if run:
                pieces.append(_visible(encoding.decode(run)))
                run = []
            pieces.append(style.special(encoding.decode([token])))
            if token in stops:
                pieces.append("\n")
        else:
            run.append(token)
    if run:
        pieces.append(_visible(encoding.decode(run)))
    return "".join(pieces)


def _special(encoding, spelling: str) -> int:
    return encoding.encode(spelling, allowed_special={spelling})[0]


def _rendered(encoding, messages: Sequence[Message]) -> List[Parsed]:
    """Each message with the tokens it renders to in the conversation (nothing
    dropped). Text never renders to a special token, so every message's tokens
    begin at its one <|start|>."""
    config = RenderConversationConfig(auto_drop_analysis=False)
    with _which_message(encoding, messages):
        tokens = encoding.render_conversation(Conversation.from_messages(list(messages)), config)
    start = _special(encoding, "<|start|>")
    bounds = [index for index, token in enumerate(tokens) if token == start] + [len(tokens)]
    return [Parsed(message, tokens[a:b]) for message, a, b in zip(messages, bounds, bounds[1:])]


def _content_text(encoding, message: Message, tokens: Optional[List[int]]) -> str:
    """The text of the content; system and developer contents as the model reads
    them when their tokens are known (the rendered text between <|message|> and
    the end token), as JSON otherwise."""
    if all(isinstance(part, TextContent) for part in message.content):
        return "".join(part.text for part in message.content)
    if tokens:
        body = tokens[tokens.index(_special(encoding, "<|message|>")) + 1 : -1]
        return encoding.decode(body)
    return "\n".join(msgspec.json.encode(part.to_dict()).decode() for part in message.content)


def _message_lines(
    encoding, style: Style, index: int, message: Message, tokens: Optional[List[int]] = None
) -> List[str]:
    """A heading (role, channel, recipient, content type, tokens, end token)
    and the content, indented."""
    author = message.author
    who = style.role(author.role.value)
    if author.name is not None:
        who = f"{who} {style.role(_visible(author.name))}"
    heading = [style.label(f"#{index}"), who]
    for label, value in (
        ("channel", message.channel),
        ("to", message.recipient),
        ("type", message.content_type),
    ):
        if value is not None:
            value = _visible(value)
            if label == "type" and value.startswith(CONSTRAIN):
                value = style.special(CONSTRAIN) + value[len(CONSTRAIN) :]
            heading.append(f"{style.label(label + ':')} {value}")
    if tokens:
        heading.append(style.label(f"({len(tokens)} tokens)"))
        if tokens[-1] in encoding.stop_tokens():
            heading.append(f"{style.label('ends:')} {style.special(encoding.decode(tokens[-1:]))}")
    content = _visible(_content_text(encoding, message, tokens))
    body = [f"  {line}" if line else "" for line in content.split("\n")] if content else [style.label("  (empty)")]
    return ["  ".join(heading), *body]


def _pending_lines(encoding, style: Style, index: int, tokens: List[int]) -> List[str]:
    header = _styled_tokens(encoding, tokens, style)
    return [f"{style.label(f'#{index}')} {header}  {style.label('(header of the next turn, awaiting completion)')}"]


def _show_parsed(io: IO, encoding, style: Style, parsed: List[Parsed], pending: List[int]) -> None:
    lines: List[str] = []
    for index, (message, tokens) in enumerate(parsed):
        lines += _message_lines(encoding, style, index, message, tokens)
    if pending:
        lines += _pending_lines(encoding, style, len(parsed), pending)
    if not lines:
        lines = [style.label("(no messages)")]
    io.write_text("\n".join(lines) + "\n")


# -- the commands -----------------------------------------------------------------


@command(
    "stop",
    "the stop tokens, as a JSON list",
    arg("--actions", action="store_true", help="only the tokens that end an assistant action: <|return|>, <|call|>"),
    reads_input=False,
)
def _stop(args, io):
    """Print the tokens that end a message (<|return|>, <|end|>, <|call|>), or
    with --actions those that end the assistant's turn.

      $ fastharmony stop
      [200002,200007,200012]
    """
    encoding = _encoding()
    io.write_json(encoding.stop_tokens_for_assistant_actions() if args.actions else encoding.stop_tokens())


@command(
    "render-msg",
    "one message (JSON) to tokens",
    arg(
        "--function-tools",
        action="store_true",
        help="render as in a conversation that has function tools (changes a system message)",
    ),
)
def _render_msg(args, io):
    """Render one message, given as JSON in the reference's shape, to tokens.

      $ echo '{"role":"user","content":"Hi"}' | fastharmony render-msg
      [200006,1428,200008,12194,200007]
    """
    message = _read_message(io)
    options = RenderOptions(conversation_has_function_tools=args.function_tools)
    io.write_json(_encoding().render(message, options))


@command("render-convo", "a conversation (JSON) to tokens", NO_AUTO_DROP)
def _render_convo(args, io):
    """Render a conversation, {"messages": [...]} (or a bare list of messages), to tokens.

      $ echo '{"messages":[{"role":"user","content":"Hi"}]}' | fastharmony render-convo
      [200006,1428,200008,12194,200007]
    """
    conversation = _read_conversation(io)
    encoding = _encoding()
    with _which_message(encoding, conversation.messages):
        io.write_json(encoding.render_conversation(conversation, _render_config(args)))


@command(
    "render-completion",
    "a conversation to tokens, ending with the next turn's header",
    arg("--role", choices=ROLE_NAMES, default="assistant", help="the role of the next turn (default: assistant)"),
    NO_AUTO_DROP,
)
def _render_completion(args, io):
    """Render a conversation as a prompt: the messages, then <|start|> and the
    next turn's role, ready for the model to continue.

      $ echo '{"messages":[{"role":"user","content":"Hi"}]}' | fastharmony render-completion
      [200006,1428,200008,12194,200007,200006,173781]
    """
    conversation = _read_conversation(io)
    encoding = _encoding()
    with _which_message(encoding, conversation.messages):
        tokens = encoding.render_conversation_for_completion(
            conversation, Role(args.role), _render_config(args)
        )
    io.write_json(tokens)


@command("render-training", "a conversation to tokens for training (final answer ends in <|return|>)", NO_AUTO_DROP)
def _render_training(args, io):
    """Render a conversation for training: as render-convo, except that a
    final assistant answer at the end closes with <|return|> instead of <|end|>.
    """
    conversation = _read_conversation(io)
    encoding = _encoding()
    with _which_message(encoding, conversation.messages):
        io.write_json(encoding.render_conversation_for_training(conversation, _render_config(args)))


@command("parse", "tokens (JSON list) to messages (JSON list)", ROLE, NON_STRICT)
def _parse_command(args, io):
    """Parse completion tokens back into messages, written as a JSON list in the
    reference's shape (Message.to_dict). Without --role the tokens begin with
    <|start|>; with it they begin inside that role's header, as a model's
    output does after a prompt from render-completion.

      $ echo '[200006,1428,200008,12194,200007]' | fastharmony parse
      [{"role":"user","name":null,"content":[{"type":"text","text":"Hi"}]}]
    """
    tokens = _read_tokens(io)
    encoding = _encoding()
    messages = _parse(encoding, tokens, _role(args.role), not args.non_strict)
    io.write_json([message.to_dict() for message in messages])


@command(
    "decode",
    "tokens (JSON list) to text",
    arg("--lossy", action="store_true", help="replace invalid UTF-8 with U+FFFD instead of failing"),
)
def _decode(args, io):
    """Decode tokens to text, special tokens spelled out. The text is written
    exactly; on a terminal a line break follows it.

      $ echo '[200006,1428,200008,12194,200007]' | fastharmony decode
      <|start|>user<|message|>Hi<|end|>
    """
    data = _decoded_bytes(_encoding(), _read_tokens(io))
    try:
        text = data.decode("utf-8", errors="replace" if args.lossy else "strict")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"the tokens decode to invalid UTF-8 at byte {exc.start}; "
            "--lossy replaces invalid bytes with U+FFFD"
        ) from None
    io.write_text(text)
    if io.out.isatty() and not text.endswith("\n"):
        io.write_text("\n")


@command(
    "encode",
    "text to tokens (JSON list)",
    arg("--allow-special", action="store_true", help="text spelling a special token becomes that token"),
    arg("--special-as-text", action="store_true", help="text spelling a special token is encoded as ordinary text"),
)
def _encode(args, io):
    """Encode text, exactly as read (a trailing newline is text too), to tokens.
    Text that spells a special token is refused unless one of the options says
    what it should become.

      $ printf 'hello world' | fastharmony encode
      [24912,2375]
      $ printf '<|start|>user' | fastharmony encode --allow-special
      [200006,1428]
    """
    if args.allow_special and args.special_as_text:
        raise UsageError("encode: --allow-special and --special-as-text contradict each other")
    data = io.read("text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"input: invalid UTF-8 at byte {exc.start}") from None
    options = {}
    if args.allow_special:
        options["allowed_special"] = "all"
    elif args.special_as_text:
        options["disallowed_special"] = ()
    try:
        tokens = _encoding().encode(text, **options)
    except HarmonyError as exc:
        first_line = str(exc).splitlines()[0]
        raise BadInput(
            f"input: {_sentence(first_line)} Pass --allow-special to encode it as that token, "
            "or --special-as-text to encode it as text."
        ) from None
    io.write_json(tokens)


@command("stream", "token ids as they arrive to JSON-lines events", ROLE, NON_STRICT)
def _stream(args, io):
    """Parse token ids as they arrive and write one JSON object a line for each
    event, flushed at once, so it can sit behind a live model.

    Input: integers separated by spaces or newlines, or a JSON array a line.
    Events (every key always present):
      {"event":"delta","role":...,"channel":...,"recipient":...,"content_type":...,"delta":"..."}
      {"event":"message","message":{...the message, as parse writes it...}}
    At the end of input the last message is completed as batch parsing does.

      $ printf '200005 35644 200008 12194 200007\\n' | fastharmony stream --role assistant
      {"event":"delta","role":"assistant","channel":"analysis","recipient":null,"content_type":null,"delta":"Hi"}
      {"event":"message","message":{"role":"assistant","name":null,"content":[{"type":"text","text":"Hi"}],"channel":"analysis"}}
    """
    encoding = _encoding()
    parser = fastharmony.StreamableParser(encoding, _role(args.role), strict=not args.non_strict)
    out = io.out
    events: List[bytes] = []
    sent = 0  # messages already written

    def message_events() -> None:
        nonlocal sent
        messages = parser.messages
        for message in messages[sent:]:
            events.append(msgspec.json.encode({"event": "message", "message": message.to_dict()}) + b"\n")
        sent = len(messages)

    def flush() -> None:
        out.write(b"".join(events))
        out.flush()
        events.clear()

    try:
        for line, tokens in _token_batches(io.chunks()):
            for token in tokens:
                try:
                    parser.process(token)
                except HarmonyError as exc:
                    raise BadInput(f"line {line}: {_sentence(exc)}") from None
                delta = parser.last_content_delta
                if delta:
                    role = parser.current_role
                    event = {
                        "event": "delta",
                        "role": None if role is None else role.value,
                        "channel": parser.current_channel,
                        "recipient": parser.current_recipient,
                        "content_type": parser.current_content_type,
                        "delta": delta,
                    }
                    events.append(msgspec.json.encode(event) + b"\n")
                if len(parser.messages) > sent:
                    message_events()
            flush()
        try:
            parser.process_eos()
        except HarmonyError as exc:
            raise BadInput(f"end of input: {_sentence(exc)}") from None
        message_events()
    finally:
        flush()


@command("show", "a conversation or tokens, shown for people", ROLE, NON_STRICT, COLOR)
def _show(args, io):
    """Show messages one after another: role, channel, recipient, content type,
    token count and end token, then the content. Input is a conversation
    ({"messages": [...]}), a list of messages (as parse writes them), one
    message, or a JSON list of token ids (parsed as `parse` does; a header left
    open at the end, as in a prompt, is shown as such). System and developer
    messages appear as the model reads them. Special tokens are coloured on a
    terminal; piped, the output is plain.

      $ echo '[200006,1428,200008,12194,200007,200006,173781]' | fastharmony show
      #0  user  (5 tokens)  ends: <|end|>
        Hi
      #1 <|start|>assistant  (header of the next turn, awaiting completion)
    """
    value = _decode_any_json(io.read("a conversation, messages or token ids as JSON"))
    style = io.style(args.color)
    if isinstance(value, list) and not (value and isinstance(value[0], dict)):
        tokens = _token_list(value, "tokens")
        encoding = _encoding()
        parsed, pending = _walk(encoding, tokens, _role(args.role), not args.non_strict, keep_open_header=True)
        _show_parsed(io, encoding, style, parsed, pending)
        return
    if args.role is not None or args.non_strict:
        raise BadInput("--role and --non-strict apply to token ids, not to messages")
    if isinstance(value, dict) and "messages" not in value and "role" in value:
        messages = [Message.from_dict(value)]
    elif isinstance(value, list):
        messages = Conversation.from_dict({"messages": value}).messages
    else:
        messages = Conversation.from_dict(value).messages
    encoding = _encoding()
    _show_parsed(io, encoding, style, _rendered(encoding, messages), [])


@command("demo", "render and parse a bundled example, offline", COLOR, reads_input=False)
def _demo_command(args, io):
    """Render the bundled example conversation (system, developer with a
    function tool, user, assistant analysis, tool call, tool result) into a
    prompt, print its text and token ids, then parse a sample completion
    (analysis, then a tool call) back into messages. Needs no network.
    """
    from . import _demo

    encoding = _encoding()
    style = io.style(args.color)
    conversation = _demo.conversation()
    prompt = encoding.render_conversation_for_completion(conversation, Role.ASSISTANT)
    completion = encoding.encode(_demo.COMPLETION, allowed_special="all")
    parsed = encoding.parse_messages_from_completion_tokens(completion, Role.ASSISTANT)

    def section(number: int, title: str, lines: Iterable[str]) -> str:
        return "\n".join([style.heading(f"{number}. {title}"), *lines, ""])

    def ids(tokens: List[int]) -> List[str]:
        return textwrap.wrap(", ".join(map(str, tokens)), 96)

    sections = [
        style.heading(f"fastharmony {fastharmony.__version__} demo: the Harmony format of gpt-oss, offline") + "\n",
        section(
            1,
            "A conversation (fastharmony/_demo.py)",
            (line for index, message in enumerate(conversation.messages)
             for line in _message_lines(encoding, style, index, message)),
        ),
        section(
            2,
            "The prompt: render_conversation_for_completion(conversation, Role.ASSISTANT)",
            [style.label("(a line break is added after each end token)"),
             _styled_tokens(encoding, prompt, style, line_breaks=True)],
        ),
        section(3, f"Its {len(prompt)} token ids", ids(prompt)),
        section(
            4,
            "A completion the model might write: analysis, then a tool call",
            [_styled_tokens(encoding, completion, style, line_breaks=True).rstrip("\n"), *ids(completion)],
        ),
        section(
            5,
            "Parsed back: parse_messages_from_completion_tokens(completion, Role.ASSISTANT)",
            (line for index, message in enumerate(parsed)
             for line in _message_lines(encoding, style, index, message)),
        ),
    ]
    io.write_text("\n".join(sections))


@command(
    "chat-render",
    "a Chat Completions request (JSON) to prompt tokens",
    arg("--start-date", metavar="YYYY-MM-DD", help="the system message's current date (default: today)"),
    arg("--model-identity", metavar="TEXT", help="the system message's identity line"),
    arg("--knowledge-cutoff", metavar="YYYY-MM", help="the system message's knowledge cutoff (default: 2024-06)"),
)
def _chat_render(args, io):
    """Render an OpenAI Chat Completions request body as the Harmony prompt,
    ending with the assistant's turn to speak (see fastharmony.chat).

      $ echo '{"messages":[{"role":"user","content":"Hi"}]}' | fastharmony chat-render --start-date 2025-01-01 --model-identity "You are a helpful assistant."
      [200006,17360,200008,3575,553,261,10297,29186,558,87447,100594,25,220,1323,19,12,3218,198,6576,3521,25,220,1323,20,12,2290,12,2290,279,30377,289,25,14093,279,2,13888,18403,25,8450,11,1721,13,21030,2804,413,7360,395,1753,3176,13,200007,200006,1428,200008,12194,200007,200006,173781]
    """
    from . import chat

    request = _decode_any_json(io.read("a Chat Completions request as JSON"))
    io.write_json(
        chat.render_request(
            _encoding(),
            request,
            start_date=args.start_date,
            model_identity=args.model_identity,
            knowledge_cutoff=args.knowledge_cutoff,
        )
    )


@command(
    "chat-parse",
    "completion tokens (JSON list) to a Chat Completions choice (JSON)",
    arg("--truncated", action="store_true", help="generation stopped at max_tokens: finish_reason is length"),
)
def _chat_parse(args, io):
    """Turn the tokens a model generated after a chat-render prompt into the
    choice of a Chat Completions response (message and finish_reason).

      $ echo '[200005,17196,200008,12194,200002]' | fastharmony chat-parse
      {"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":null},"finish_reason":"stop"}
    """
    from . import chat

    tokens = _read_tokens(io)
    encoding = _encoding()
    _decoded_bytes(encoding, tokens)  # names the first invalid id and its index
    io.write_json(chat.message_from_completion(encoding, tokens, truncated=args.truncated))


@command(
    "bench",
    "run the benchmark suite against openai-harmony (from a source checkout)",
    arg("options", nargs=argparse.REMAINDER, help="options of the suite (see 'bench --help-suite')"),
    reads_input=False,
)
def _bench(args, io):
    """Run the benchmark suite (the `benchmarks` package of a source checkout:
    run this from the repository's root), the same as `python -m benchmarks`.
    Options after `bench` go to the suite, e.g. `fastharmony bench --quick`;
    `fastharmony bench --help-suite` lists them.
    """
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        from benchmarks.runner import main as run_suite
    except ImportError:
        raise BadInput(
            "the benchmark suite is part of the source tree, not the installed package: "
            "run 'fastharmony bench' from a checkout of fastharmony"
        ) from None
    options = ["--help" if option == "--help-suite" else option for option in args.options]
    io.out.flush()
    return run_suite(options)


# -- main -------------------------------------------------------------------------


def _help_text(doc: str) -> str:
    """A command's docstring as its --help text: without the function body's
    indentation, so that examples stay indented as written."""
    first, *rest = doc.splitlines()
    body = [line[4:] if line.startswith("    ") else line.strip() for line in rest]
    return "\n".join([first.strip(), *body]).strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "OpenAI's Harmony chat format (gpt-oss) from the shell: JSON in on stdin "
            "(or -i FILE), JSON out on stdout. Bad input exits 1 with one line on "
            "stderr; usage errors exit 2."
        ),
        epilog=f"'{PROG} COMMAND --help' describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {fastharmony.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, spec in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=spec.summary,
            description=_help_text(spec.run.__doc__ or spec.summary),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if spec.reads_input:
            sub.add_argument("-i", "--input", metavar="FILE", help="read FILE instead of stdin ('-' is stdin)")
        for flags, options in spec.arguments:
            sub.add_argument(*flags, **options)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run `fastharmony` with these arguments (default: the process's); return the exit status."""
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"] and argv[1:2] not in (["-h"], ["--help"]):
        # The suite parses its own options.
        args = argparse.Namespace(command="bench", options=argv[1:])
    else:
        args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: a command is required (see '{PROG} --help')", file=sys.stderr)
        return 2
    io = IO(getattr(args, "input", None))
    try:
        status = COMMANDS[args.command].run(args, io)
        io.out.flush()
    except (BadInput, HarmonyError) as exc:
        print(f"{PROG}: error: {_sentence(exc)}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
