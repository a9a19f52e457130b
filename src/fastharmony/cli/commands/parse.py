# Commands that parse token ids into messages: parse (all at once) and
# stream (as they arrive, one JSON event a line).

from __future__ import annotations

from typing import List

import msgspec

import fastharmony
from fastharmony import HarmonyError, Role

from .._inputs import read_tokens, token_batches
from .._io import BadInput, sentence
from .._options import NON_STRICT, ROLE, command
from .._walk import encoding, parse as parse_tokens


def role_of(args):
    return None if args.role is None else Role(args.role)


@command(ROLE, NON_STRICT)
def parse(args, io):
    """Parse completion tokens back into messages, written as a JSON list in the
    reference's shape (Message.to_dict). Without --role the tokens begin with
    <|start|>; with it they begin inside that role's header, as a model's
    output does after a prompt from render-completion.

      $ echo '[200006,1428,200008,12194,200007]' | fastharmony parse
      [{"role":"user","name":null,"content":[{"type":"text","text":"Hi"}]}]
    """
    tokens = read_tokens(io)
    messages = parse_tokens(encoding(), tokens, role_of(args), not args.non_strict)
    io.write_json([message.to_dict() for message in messages])


@command(ROLE, NON_STRICT)
def stream(args, io):
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
    parser = fastharmony.StreamableParser(encoding(), role_of(args), strict=not args.non_strict)
    events: List[bytes] = []
    sent = 0  # messages already written

    def message_events() -> None:
        nonlocal sent
        messages = parser.messages
        for message in messages[sent:]:
            events.append(msgspec.json.encode({"event": "message", "message": message.to_dict()}) + b"\n")
        sent = len(messages)

    def flush() -> None:
        io.write(b"".join(events))
        io.flush()
        events.clear()

    try:
        for line, tokens in token_batches(io.chunks()):
            for token in tokens:
                try:
                    parser.process(token)
                except HarmonyError as exc:
                    raise BadInput(f"line {line}: {sentence(exc)}") from None
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
            raise BadInput(f"end of input: {sentence(exc)}") from None
        message_events()
    finally:
        flush()
