# Commands on token ids and text: stop, encode, decode.

from __future__ import annotations

from fastharmony import HarmonyError

from .._inputs import read_tokens
from .._io import BadInput, UsageError, sentence
from .._options import COLOR, arg, command
from .._view import style_for, styled_tokens
from .._walk import decoded_bytes, encoding


@command(
    arg("--actions", action="store_true", help="only the tokens that end an assistant action: <|return|>, <|call|>"),
    reads_input=False,
)
def stop(args, io):
    """Print the tokens that end a message (<|return|>, <|end|>, <|call|>), or
    with --actions those that end the assistant's turn.

      $ fastharmony stop
      [200002,200007,200012]
    """
    # The reference returns them in a hash set's order, which changes from run
    # to run; ours are sorted.
    enc = encoding()
    io.write_json(enc.stop_tokens_for_assistant_actions() if args.actions else enc.stop_tokens())


@command(arg("--lossy", action="store_true", help="replace invalid UTF-8 with U+FFFD instead of failing"), COLOR)
def decode(args, io):
    """Decode tokens to text, special tokens spelled out. The text is written
    exactly; on a terminal a line break follows it, and special tokens are
    coloured (--color). Ids are a JSON list, or separated by spaces.

      $ echo '[200006,1428,200008,12194,200007]' | fastharmony decode
      <|start|>user<|message|>Hi<|end|>
      $ echo '24912 2375' | fastharmony decode
      hello world
    """
    enc = encoding()
    tokens = read_tokens(io)
    data = decoded_bytes(enc, tokens)
    try:
        text = data.decode("utf-8", errors="replace" if args.lossy else "strict")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"the tokens decode to invalid UTF-8 at byte {exc.start}; "
            "--lossy replaces invalid bytes with U+FFFD"
        ) from None
    style = style_for(io, args.color)
    if style.enabled:
        text = styled_tokens(enc, tokens, style)
    io.write_text(text)
    if io.isatty() and not text.endswith("\n"):
        io.write_text("\n")


@command(
    arg("--allow-special", action="store_true", help="text spelling a special token becomes that token"),
    arg("--special-as-text", action="store_true", help="text spelling a special token is encoded as ordinary text"),
)
def encode(args, io):
    """Encode text, exactly as read (a trailing newline is text too), to tokens.
    Text that spells a special token is refused unless one of the options says
    what it should become. No text at all is no tokens: [].

      $ printf 'hello world' | fastharmony encode
      [24912,2375]
      $ printf '<|start|>user' | fastharmony encode --allow-special
      [200006,1428]
    """
    if args.allow_special and args.special_as_text:
        raise UsageError("encode: --allow-special and --special-as-text contradict each other")
    data = io.read("text", empty_ok=True)
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
        tokens = encoding().encode(text, **options)
    except HarmonyError as exc:
        first_line = str(exc).splitlines()[0]
        raise BadInput(
            f"input: {sentence(first_line)} Pass --allow-special to encode it as that token, "
            "or --special-as-text to encode it as text."
        ) from None
    io.write_json(tokens)
