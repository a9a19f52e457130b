# Showing Harmony to people: messages as headed blocks, tokens with their
# special tokens picked out, colour on a terminal.
#
# Rules of this file:
# - Only the public API, and text only: commands decide where it goes.
# - Special tokens are known by id, so text that merely spells one stays
#   plain; control characters in content are shown escaped, so content can
#   neither move the cursor nor change colours.
# - Colour only when asked or on a terminal (NO_COLOR and TERM=dumb turn it off).

from __future__ import annotations

import os
import re
from typing import List, Optional, Sequence

import msgspec

from fastharmony import Conversation, Message, RenderConversationConfig, TextContent

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


CONSTRAIN = "<|constrain|>"  # the one special token inside a header's text: a content type's prefix
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


def special_token(encoding, spelling: str) -> int:
    return encoding.encode(spelling, allowed_special={spelling})[0]


def rendered(encoding, messages: Sequence[Message]) -> List[Parsed]:
    """Each message with the tokens it renders to in the conversation (nothing
    dropped). Text never renders to a special token, so every message's tokens
    begin at its one <|start|>."""
    config = RenderConversationConfig(auto_drop_analysis=False)
    with which_message(encoding, messages):
        tokens = encoding.render_conversation(Conversation.from_messages(list(messages)), config)
    start = special_token(encoding, "<|start|>")
    bounds = [index for index, token in enumerate(tokens) if token == start] + [len(tokens)]
    return [Parsed(message, tokens[a:b]) for message, a, b in zip(messages, bounds, bounds[1:])]


def content_text(encoding, message: Message, tokens: Optional[List[int]]) -> str:
    """The text of the content; system and developer contents as the model reads
    them when their tokens are known (the rendered text between <|message|> and
    the end token), as JSON otherwise."""
    if all(isinstance(part, TextContent) for part in message.content):
        return "".join(part.text for part in message.content)
    if tokens:
        body = tokens[tokens.index(special_token(encoding, "<|message|>")) + 1 : -1]
        return encoding.decode(body)
    return "\n".join(msgspec.json.encode(part.to_dict()).decode() for part in message.content)


def message_lines(
    encoding, style: Style, index: int, message: Message, tokens: Optional[List[int]] = None
) -> List[str]:
    """A heading (role, channel, recipient, content type, tokens, end token)
    and the content, indented."""
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
            if label == "type" and value.startswith(CONSTRAIN):
                value = style.special(CONSTRAIN) + value[len(CONSTRAIN) :]
            heading.append(f"{style.label(label + ':')} {value}")
    if tokens:
        heading.append(style.label(f"({len(tokens)} tokens)"))
        if tokens[-1] in encoding.stop_tokens():
            heading.append(f"{style.label('ends:')} {style.special(encoding.decode(tokens[-1:]))}")
    content = visible(content_text(encoding, message, tokens))
    body = [f"  {line}" if line else "" for line in content.split("\n")] if content else [style.label("  (empty)")]
    return ["  ".join(heading), *body]


def pending_lines(encoding, style: Style, index: int, tokens: List[int]) -> List[str]:
    header = styled_tokens(encoding, tokens, style)
    return [f"{style.label(f'#{index}')} {header}  {style.label('(header of the next turn, awaiting completion)')}"]


def show_parsed(io, encoding, style: Style, parsed: List[Parsed], pending: List[int]) -> None:
    lines: List[str] = []
    for index, (message, tokens) in enumerate(parsed):
        lines += message_lines(encoding, style, index, message, tokens)
    if pending:
        lines += pending_lines(encoding, style, len(parsed), pending)
    if not lines:
        lines = [style.label("(no messages)")]
    io.write_text("\n".join(lines) + "\n")

