# Showing Harmony to people: messages as headed blocks, tokens with their
# special tokens picked out, colour on a terminal.
#
# Rules of this file:
# - The public API, and the formatting tokens from their one home, _tokens;
#   text only: commands decide where it goes.
# - Special tokens are known by id, so text that merely spells one stays
#   plain; control characters in content are shown escaped, so content can
#   neither move the cursor nor change colours.
# - Colour only when asked or on a terminal (NO_COLOR and TERM=dumb turn it off).

from __future__ import annotations

import os
import re
from typing import List, Optional, Sequence, Set

import msgspec

from fastharmony import Conversation, HarmonyError, Message, RenderConversationConfig, TextContent
from fastharmony._tokens import CONSTRAIN_MARKER, MESSAGE

from ._walk import Parsed, which_message


def style_for(io, choice: str) -> "Style":
    """The Style that `--color CHOICE` asks for on this output."""
    if choice == "auto":
        enabled = io.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    else:
        enabled = choice == "always"
    return Style(enabled)


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

    # Ordinary tokens take their message's colour, so that where one message
    # ends and the next begins shows at a glance; special tokens stay magenta.
    _MESSAGE_COLOURS = ("32", "33", "34", "36")

    def of_message(self, index: int, text: str) -> str:
        return self._paint(self._MESSAGE_COLOURS[index % len(self._MESSAGE_COLOURS)], text)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text safe for a terminal: control characters other than newline and tab
    are shown escaped, so content cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def styled_tokens(encoding, tokens: Sequence[int], style: Style, line_breaks: bool = False) -> str:
    """The decoded text, special tokens highlighted (they are known by id, so
    text that merely spells one stays plain). With `line_breaks`, a line break
    follows each stop token, to set messages apart."""
    stops = set(encoding.stop_tokens()) if line_breaks else ()
    pieces: List[str] = []
    run: List[int] = []
    for token in tokens:
        if encoding.is_special_token(token):
            if run:
                pieces.append(visible(encoding.decode(run)))
                run = []
            pieces.append(style.special(encoding.decode([token])))
            if token in stops:
                pieces.append("\n")
        else:
            run.append(token)
    if run:
        pieces.append(visible(encoding.decode(run)))
    return "".join(pieces)


def rendered(encoding, messages: Sequence[Message]) -> List[Parsed]:
    """Each message with the tokens it renders to in the conversation (nothing
    dropped), from the renderer's message spans."""
    config = RenderConversationConfig(auto_drop_analysis=False)
    with which_message(encoding, messages):
        tokens, spans = encoding.render_conversation_with_spans(Conversation.from_messages(list(messages)), config)
    return [Parsed(message, tokens[span.start : span.end]) for message, span in zip(messages, spans)]


def content_text(encoding, message: Message, tokens: Optional[List[int]]) -> str:
    """The text of the content; system and developer contents as the model reads
    them when their tokens are known (the rendered text between <|message|> and
    the end token), as JSON otherwise."""
    if all(isinstance(part, TextContent) for part in message.content):
        return "".join(part.text for part in message.content)
    if tokens:
        body = tokens[tokens.index(MESSAGE) + 1 : -1]
        return encoding.decode(body)
    return "\n".join(msgspec.json.encode(part.to_dict()).decode() for part in message.content)


DROPPED = "(dropped when rendered: analysis before a later final answer)"


def message_lines(
    encoding,
    style: Style,
    index: int,
    message: Message,
    tokens: Optional[List[int]] = None,
    dropped: bool = False,
    token_view: bool = False,
) -> List[str]:
    """A heading (role, channel, recipient, content type, tokens, end token,
    and whether rendering would drop it) and the content indented, or with
    `token_view` the tokens one a line."""
    author = message.author
    who = style.role(author.role.value)
    if author.name is not None:
        who = f"{who} {style.role(visible(author.name))}"
    heading = [style.label(f"#{index}"), who]
    for label, value in (
        ("channel", message.channel),
        ("to", message.recipient),
        ("type", message.content_type),
    ):
        if value is not None:
            value = visible(value)
            if label == "type" and value.startswith(CONSTRAIN_MARKER):
                value = style.special(CONSTRAIN_MARKER) + value[len(CONSTRAIN_MARKER) :]
            heading.append(f"{style.label(label + ':')} {value}")
    if tokens:
        heading.append(style.label(f"({len(tokens)} tokens)"))
        if tokens[-1] in encoding.stop_tokens():
            heading.append(f"{style.label('ends:')} {style.special(encoding.decode(tokens[-1:]))}")
    if dropped:
        heading.append(style.label(DROPPED))
    if token_view and tokens:
        return ["  ".join(heading), *token_lines(encoding, style, index, tokens)]
    content = visible(content_text(encoding, message, tokens))
    body = [f"  {line}" if line else "" for line in content.split("\n")] if content else [style.label("  (empty)")]
    return ["  ".join(heading), *body]


def token_lines(encoding, style: Style, index: int, tokens: Sequence[int]) -> List[str]:
    """One line per token: its id, then its text (special tokens as they are
    spelled, ordinary ones quoted as JSON strings, so spaces and line breaks
    show), coloured by message and by special/ordinary."""
    lines = []
    for token in tokens:
        if encoding.is_special_token(token):
            text = style.special(encoding.decode([token]))
        else:
            raw = encoding.decode_bytes([token])
            text = msgspec.json.encode(raw.decode("utf-8", "backslashreplace")).decode()
            text = style.of_message(index, visible(text))
        lines.append(f"  {style.label(f'{token:>6}')}  {text}")
    return lines


def pending_lines(encoding, style: Style, index: int, tokens: List[int], token_view: bool = False) -> List[str]:
    label = style.label(f"#{index}")
    note = style.label("(header of the next turn, awaiting completion)")
    if token_view:
        return [f"{label} {note}", *token_lines(encoding, style, index, tokens)]
    return [f"{label} {styled_tokens(encoding, tokens, style)}  {note}"]


def dropped_messages(encoding, messages: Sequence[Message]) -> Set[int]:
    """The indices of the messages that rendering them as a conversation (with
    auto-drop, the default) leaves out; nothing if they cannot be rendered."""
    try:
        _, spans = encoding.render_conversation_with_spans(Conversation.from_messages(list(messages)))
    except HarmonyError:
        return set()
    return {span.index for span in spans if span.dropped}


def show_parsed(
    io, encoding, style: Style, parsed: List[Parsed], pending: List[int], token_view: bool = False
) -> None:
    """The listing of `show`: each message, the open header if any, and the totals."""
    dropped = dropped_messages(encoding, [message for message, _ in parsed])
    lines: List[str] = []
    for index, (message, tokens) in enumerate(parsed):
        lines += message_lines(encoding, style, index, message, tokens, index in dropped, token_view)
    if pending:
        lines += pending_lines(encoding, style, len(parsed), pending, token_view)
    total = sum(len(tokens) for _, tokens in parsed) + len(pending)
    summary = f"{len(parsed)} message{'s' * (len(parsed) != 1)}, {total} token{'s' * (total != 1)}"
    if dropped:
        summary += f"; rendering (with auto-drop) leaves out {len(dropped)} analysis message{'s' * (len(dropped) != 1)}"
    lines.append(style.label(summary))
    io.write_text("\n".join(lines) + "\n")
