# Commands for people: show (messages or tokens as a readable listing) and
# demo (a bundled example, rendered and parsed).

from __future__ import annotations

import textwrap
from typing import Iterable, List

import fastharmony
from fastharmony import Conversation, Message, Role

from .._inputs import decode_json, token_list
from .._io import BadInput
from .._options import COLOR, NON_STRICT, ROLE, command
from .._view import message_lines, rendered, show_parsed, style_for, styled_tokens
from .._walk import encoding, walk
from .parse import role_of


@command(ROLE, NON_STRICT, COLOR)
def show(args, io):
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
    value = decode_json(io.read("a conversation, messages or token ids as JSON"))
    style = style_for(io, args.color)
    if isinstance(value, list) and not (value and isinstance(value[0], dict)):
        tokens = token_list(value, "tokens")
        enc = encoding()
        parsed, pending = walk(enc, tokens, role_of(args), not args.non_strict, keep_open_header=True)
        show_parsed(io, enc, style, parsed, pending)
        return
    if args.role is not None or args.non_strict:
        raise BadInput("--role and --non-strict apply to token ids, not to messages")
    if isinstance(value, dict) and "messages" not in value and "role" in value:
        messages = [Message.from_dict(value)]
    elif isinstance(value, list):
        messages = Conversation.from_dict({"messages": value}).messages
    else:
        messages = Conversation.from_dict(value).messages
    enc = encoding()
    show_parsed(io, enc, style, rendered(enc, messages), [])


@command(COLOR, reads_input=False)
def demo(args, io):
    """Render the bundled example conversation (system, developer with a
    function tool, user, assistant analysis, tool call, tool result) into a
    prompt, print its text and token ids, then parse a sample completion
    (analysis, then a tool call) back into messages. Needs no network.
    """
    from .. import _demo

    enc = encoding()
    style = style_for(io, args.color)
    conversation = _demo.conversation()
    prompt = enc.render_conversation_for_completion(conversation, Role.ASSISTANT)
    completion = enc.encode(_demo.COMPLETION, allowed_special="all")
    parsed = enc.parse_messages_from_completion_tokens(completion, Role.ASSISTANT)

    def section(number: int, title: str, lines: Iterable[str]) -> str:
        return "\n".join([style.heading(f"{number}. {title}"), *lines, ""])

    def ids(tokens: List[int]) -> List[str]:
        return textwrap.wrap(", ".join(map(str, tokens)), 96)

    sections = [
        style.heading(f"fastharmony {fastharmony.__version__} demo: the Harmony format of gpt-oss, offline") + "\n",
        section(
            1,
            "A conversation (fastharmony/cli/_demo.py)",
            (line for index, message in enumerate(conversation.messages)
             for line in message_lines(enc, style, index, message)),
        ),
        section(
            2,
            "The prompt: render_conversation_for_completion(conversation, Role.ASSISTANT)",
            [style.label("(a line break is added after each end token)"),
             styled_tokens(enc, prompt, style, line_breaks=True)],
        ),
        section(3, f"Its {len(prompt)} token ids", ids(prompt)),
        section(
            4,
            "A completion the model might write: analysis, then a tool call",
            [styled_tokens(enc, completion, style, line_breaks=True).rstrip("\n"), *ids(completion)],
        ),
        section(
            5,
            "Parsed back: parse_messages_from_completion_tokens(completion, Role.ASSISTANT)",
            (line for index, message in enumerate(parsed)
             for line in message_lines(enc, style, index, message)),
        ),
    ]
    io.write_text("\n".join(sections))
