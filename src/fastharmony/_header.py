# The header grammar: what a message header's text says (role or tool author,
# recipient, channel, content type), and how its errors quote it.
#
# Rules of this file:
# - This is the only place that reads header text. The parser decodes a
#   header's tokens and calls `parse_header`; it never splits header text.
# - The grammar is the reference's (openai-harmony 0.0.8, `parse_header_from_
#   string`), word for word, including its whitespace classes: Rust's
#   `char::is_whitespace` (Unicode White_Space) ends a channel name, and
#   `split_ascii_whitespace` (which is not Python's `str.split`) cuts words.
# - Dialects differ here only. oss-harmony 0.0.11 adds one rule (P1): after the
#   first `<|channel|>` and its value are taken, every further `<|channel|>`
#   is removed with the word it starts (a model may repeat the channel after
#   the recipient: `commentary to=f<|channel|>commentary`). Everything else is
#   the same in both: the 0.0.11 renderer's new shapes (`<|channel|>commentary
#   to=f`, ` <|constrain|>json`) read back through the common rules.
# - Error messages quote header text as the reference does, with Rust's `{:?}`
#   for strings (`rust_debug_str`); a pathological header is quoted clipped
#   (`clip`), so an error message stays readable and bounded.

from __future__ import annotations

import re
import unicodedata
from typing import Optional, Tuple

from ._errors import HarmonyError
from ._model import Role
from ._pattern import WHITE_SPACE
from ._tokens import CONSTRAIN_MARKER

# The text of <|channel|> (its id, and <|constrain|>'s, live in _tokens).
CHANNEL_MARKER = "<|channel|>"

# Rust's `char::is_whitespace` is Unicode White_Space, as the regex crate's
# `\s` is (Python's `str.isspace` also counts \x1c-\x1f). A channel name ends
# at whitespace or '<'.
_CHANNEL_END = re.compile("[<" + re.escape(WHITE_SPACE) + "]")
# Rust's `split_ascii_whitespace`: not \x0b.
_ASCII_WHITESPACE = re.compile("[ \t\n\x0c\r]+")
_ROLES = {role.value: role for role in Role}

# (role, tool name, recipient, channel, content type)
Header = Tuple[Role, Optional[str], Optional[str], Optional[str], Optional[str]]


def parse_header(
    text: str, role: Optional[Role], parse_recipient_and_type: bool, dialect: str = "0.0.8"
) -> Tuple[Header, Optional[str]]:
    """((role, name, recipient, channel, content_type), rest) from a header's text.

    The channel follows <|channel|> up to whitespace or '<'; the remaining
    words are the role (when not given), then an optional recipient (`to=` or
    a bare word) and content type, last. An unknown first word followed by
    more words names a tool author. Words left over are `rest`. Without
    `parse_recipient_and_type` (a header closed by a stop token) every word
    after the role is `rest`.

    >>> parse_header("assistant<|channel|>commentary to=functions.f <|constrain|>json", None, True)
    ((<Role.ASSISTANT: 'assistant'>, None, 'functions.f', 'commentary', '<|constrain|>json'), None)
    >>> parse_header("functions.f to=assistant<|channel|>commentary", None, True)
    ((<Role.TOOL: 'tool'>, 'functions.f', 'assistant', 'commentary', None), None)
    >>> parse_header("<|channel|>commentary to=f<|channel|>commentary json", Role.ASSISTANT, True, "0.0.11")
    ((<Role.ASSISTANT: 'assistant'>, None, 'f', 'commentary', 'json'), None)
    """
    channel = None
    at = text.find(CHANNEL_MARKER)
    if at != -1:
        after = text[at + len(CHANNEL_MARKER) :]
        end = _CHANNEL_END.search(after)
        end = end.start() if end else len(after)
        if end == 0:
            raise HarmonyError("channel marker present but no channel value found in header")
        channel = after[:end]
        text = text[:at] + after[end:]
        if dialect == "0.0.11":
            text = _without_extra_channels(text)
    text = text.strip(WHITE_SPACE)
    if CONSTRAIN_MARKER in text:
        # `to=f<|constrain|>json` is two words.
        text = text.replace(CONSTRAIN_MARKER, " " + CONSTRAIN_MARKER).strip(WHITE_SPACE)
    parts = [part for part in _ASCII_WHITESPACE.split(text) if part]

    name = None
    if role is None:
        if not parts:
            raise HarmonyError("message header did not contain a role")
        first = parts[0]
        role = _ROLES.get(first)
        if role is None:
            if len(parts) > 1 or first.startswith("to="):
                del parts[0]
                role = Role.TOOL
            else:
                first, more = clip(first)
                raise HarmonyError(f"Unknown role: {first}{more}")
        if role is Role.TOOL:
            name = first
    if parts and parts[0] == role.value:
        del parts[0]

    recipient = content_type = None
    if parse_recipient_and_type and parts:
        count = len(parts)
        last = parts.pop()
        if last.startswith("to="):
            recipient = last[3:]
        elif count == 1:
            # A lone word is a recipient, even `<|constrain|>json` (both
            # dialects; later versions of openai-harmony read it as a content type).
            recipient = last
        else:
            content_type = last
            if parts:
                raw = parts.pop()
                recipient = raw[3:] if raw.startswith("to=") else raw
    rest = " ".join(parts) if parts else None
    return (role, name, recipient, channel, content_type), rest


def _without_extra_channels(text: str) -> str:
    """oss-harmony 0.0.11 (P1): drop each further <|channel|> and the word it starts.

    >>> _without_extra_channels("to=f<|channel|>analysis <|channel|><|constrain|>json")
    'to=f <|constrain|>json'
    """
    at = text.find(CHANNEL_MARKER)
    while at != -1:
        after = text[at + len(CHANNEL_MARKER) :]
        end = _CHANNEL_END.search(after)  # an empty word is no error here
        text = text[:at] + (after[end.start() :] if end else "")
        at = text.find(CHANNEL_MARKER)
    return text


def leftover_words_error(rest: str) -> HarmonyError:
    """The reference's error for header words that are neither recipient nor content type."""
    rest, more = clip(rest)
    return HarmonyError(f"unexpected tokens remaining in message header: Some({rust_debug_str(rest)}){more}")


# -- quoting ------------------------------------------------------------------------

# Header text quoted in an error message: in full, as the reference quotes it,
# up to this many characters; a pathological header is cut short.
QUOTE_LIMIT = 200


def clip(text: str) -> Tuple[str, str]:
    """(text, "") or, past QUOTE_LIMIT, (its start, a note of its length)."""
    if len(text) <= QUOTE_LIMIT:
        return text, ""
    return text[:QUOTE_LIMIT], f"... ({len(text)} characters in all)"


def rust_debug_str(text: str) -> str:
    """`{:?}` of a Rust string, as the reference's messages print it.

    >>> print(rust_debug_str('to=a\\tb "c" e\\u0301'))
    "to=a\\tb \\"c\\" e\\u{301}"
    """
    out = ['"']
    for char in text:
        escaped = _RUST_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif (char.isprintable() or char == " ") and not _is_grapheme_extend(char):
            out.append(char)
        else:
            out.append(f"\\u{{{ord(char):x}}}")
    out.append('"')
    return "".join(out)


_RUST_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"', "\0": "\\0"}

# `{:?}` also escapes Grapheme_Extend characters (the reference's Unicode 16):
# combining marks (Mn, Me) and these others; U+1171E was Mn until Unicode 15.
_OTHER_GRAPHEME_EXTEND = frozenset(
    map(chr, (
        0x9BE, 0x9D7, 0xB3E, 0xB57, 0xBBE, 0xBD7, 0xCC0, 0xCC2, 0xCC7, 0xCC8, 0xCCA, 0xCCB,
        0xCD5, 0xCD6, 0xD3E, 0xD57, 0xDCF, 0xDDF, 0x1715, 0x1734, 0x1B35, 0x1B3B, 0x1B3D,
        0x1B43, 0x1B44, 0x1BAA, 0x1BF2, 0x1BF3, 0x302E, 0x302F, 0xA953, 0xA9C0, 0xFF9E,
        0xFF9F, 0x111C0, 0x11235, 0x1133E, 0x1134D, 0x11357, 0x114B0, 0x114BD, 0x115AF,
        0x116B6, 0x11930, 0x1193D, 0x16FF0, 0x16FF1, 0x1D165, 0x1D166, 0x1D16D, 0x1D16E,
        0x1D16F, 0x1D170, 0x1D171, 0x1D172,
    ))
)  # fmt: skip


def _is_grapheme_extend(char: str) -> bool:
    if char in _OTHER_GRAPHEME_EXTEND:
        return True
    return unicodedata.category(char) in ("Mn", "Me") and char != "\U0001171e"
