# Commands that parse token ids into messages: parse (all at once) and
# stream (as they arrive, one JSON event a line).

from __future__ import annotations

from typing import List

import msgspec

import fastharmony
from fastharmony import HarmonyError

from .._inputs import read_tokens, token_batches
from .._io import BadInput
from .._options import NON_STRICT, ROLE, command
from .._walk import encoding, explained, parse as parse_tokens, starting_role


@command(ROLE, NON_STRICT)
def parse(args, io):
    """Parse tokens back into messages, written as a JSON list in the
    reference's shape (Message.to_dict). Tokens that begin with <|start|> are
    messages with their headers; tokens that begin anywhere else are a model's
    output after a prompt from render-completion, inside the header of the
    assistant (or of --role). Ids are a JSON list, or separated by spaces.

      $ echo '[200006,1428,200008,12194,200007]' | fastharmony parse
      [{"role":"user","name":null,"content":[{"type":"text","text":"Hi"}]}]
      $ echo '200005 17196 200008 12194 200002' | fastharmony parse
      [{"role":"assistant","name":null,"content":[{"type":"text","text":"Hi"}],"channel":"final"}]
    """
    tokens = read_tokens(io)
    enc = encoding()
    role = starting_role(tokens[0] if tokens else None, args.role)
    messages = parse_tokens(enc, tokens, role, not args.non_strict)
    io.write_json([message.to_dict() for message in messages])


@command(ROLE, NON_STRICT)
def stream(args, io):
    """Parse token ids as they arrive and write one JSON object a line for each
    event as soon as it happens, so it can sit behind a live model. Where the
    tokens begin is read as `parse` reads it.

    Input: integers separated by spaces or newlines, or JSON arrays of them.
    Events (every key always present):
      {"event":"delta","role":...,"channel":...,"recipient":...,"content_type":...,"delta":"..."}
      {"event":"message","message":{...the message, as parse writes it...}}
    At the end of input the last message is completed as batch parsing does.

      $ printf '200005 35644 200008 12194 200007\\n' | fastharmony stream --role assistant
      {"event":"delta","role":"assistant","channel":"analysis","recipient":null,"content_type":null,"delta":"Hi"}
      {"event":"message","message":{"role":"assistant","name":null,"content":[{"type":"text","text":"Hi"}],"channel":"analysis"}}
    """
    # Memory stays bounded by what one message keeps, and time linear in the
    # tokens: events are written after each batch of input, and after each
    # message a fresh parser takes over (see _walk.walk).
    enc = encoding()
    strict = not args.non_strict
    expect_start = fastharmony.StreamState.EXPECT_START
    parser = None
    events: List[bytes] = []

    def message_events(messages) -> None:
        for message in messages:
            events.append(msgspec.json.encode({"event": "message", "message": message.to_dict()}) + b"\n")

    def flush() -> None:
        if events:
            io.write(b"".join(events))
            events.clear()
        io.flush()

    try:
        for line, tokens in token_batches(io.chunks()):
            if parser is None:
                parser = fastharmony.StreamableParser(enc, starting_role(tokens[0], args.role), strict=strict)
            for token in tokens:
                try:
                    parser.process(token)
                except HarmonyError as exc:
                    raise BadInput(f"line {line}: {explained(enc, exc)}") from None
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
                if parser.state is expect_start:
                    messages = parser.messages
                    if messages:
                        message_events(messages)
                        parser = fastharmony.StreamableParser(enc, None, strict=strict)
            flush()
        if parser is not None:
            try:
                parser.process_eos()
            except HarmonyError as exc:
                raise BadInput(f"end of input: {explained(enc, exc)}") from None
            message_events(parser.messages)
    finally:
        flush()
