# The command-line face of fastharmony.chat: chat-render, chat-parse.

from __future__ import annotations

import argparse
import re

from .._inputs import decode_json, read_tokens
from .._options import arg, command
from .._walk import decoded_bytes, encoding


def _date(text: str) -> str:
    """A calendar date written YYYY-MM-DD (2025-13-45 is not one)."""
    import datetime

    try:
        if len(text) == 10 and datetime.date.fromisoformat(text).isoformat() == text:
            return text
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")


def _month(text: str) -> str:
    """A month written YYYY-MM."""
    if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM")


@command(
    arg("--start-date", metavar="YYYY-MM-DD", type=_date, help="the system message's current date (default: today)"),
    arg("--model-identity", metavar="TEXT", help="the system message's identity line"),
    arg("--knowledge-cutoff", metavar="YYYY-MM", type=_month,
        help="the system message's knowledge cutoff (default: 2024-06)"),
)
def chat_render(args, io):
    """Render an OpenAI Chat Completions request body as the Harmony prompt,
    ending with the assistant's turn to speak (see fastharmony.chat).

      $ echo '{"messages":[{"role":"user","content":"Hi"}]}' | fastharmony chat-render --start-date 2025-01-01 --model-identity "You are a helpful assistant."
      [200006,17360,200008,3575,553,261,10297,29186,558,87447,100594,25,220,1323,19,12,3218,198,6576,3521,25,220,1323,20,12,2290,12,2290,279,30377,289,25,14093,279,2,13888,18403,25,8450,11,1721,13,21030,2804,413,7360,395,1753,3176,13,200007,200006,1428,200008,12194,200007,200006,173781]
    """
    from fastharmony import chat

    request = decode_json(io.read("a Chat Completions request as JSON"))
    io.write_json(
        chat.render_request(
            encoding(),
            request,
            start_date=args.start_date,
            model_identity=args.model_identity,
            knowledge_cutoff=args.knowledge_cutoff,
        )
    )


@command(arg("--truncated", action="store_true", help="generation stopped at max_tokens: finish_reason is length"))
def chat_parse(args, io):
    """Turn the tokens a model generated after a chat-render prompt into the
    choice of a Chat Completions response (message and finish_reason).

      $ echo '[200005,17196,200008,12194,200002]' | fastharmony chat-parse
      {"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":null},"finish_reason":"stop"}
    """
    from fastharmony import chat

    tokens = read_tokens(io)
    enc = encoding()
    decoded_bytes(enc, tokens)  # names the first invalid id and its index
    io.write_json(chat.message_from_completion(enc, tokens, truncated=args.truncated))
