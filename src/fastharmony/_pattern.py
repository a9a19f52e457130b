# The o200k split pattern, and how we run it faster than as published.
#
# Before BPE, tiktoken splits text into pieces with the o200k pattern, seven
# alternatives tried in order at each position. One of them,
# `\s+(?!\S)`, has a lookahead, and that one lookahead makes tiktoken's regex
# engine (fancy-regex) run its backtracking VM for every piece of every text;
# without it the pattern is a plain regex that the `regex` crate matches
# faster: a short chat turn encodes in two thirds of the time, long prose in
# 0.8-0.95 of it. So the CoreBPE is built with the pattern
# minus that alternative, and the text is cut where the alternative matters.
#
# Why that gives the same pieces. `\s+(?!\S)` can only decide a match that
# the next alternative, `\s+`, would decide differently in one case: a run of
# two or more whitespace characters, none of them a line break (a run holding
# `\r` or `\n` is taken by `\s*[\r\n]+` first, up to its last line break),
# followed by a non-space. There it leaves the run's last character out, to
# begin the next piece (" world" after "  "). So the original pattern always
# has a piece boundary just before that last character: at every position c
# where text[c-1] and text[c] are whitespace other than \r and \n and
# text[c+1] is not whitespace. Encoding the text cut at those positions, each
# part on its own, gives the original pieces: no piece crosses a cut, a piece
# ending at a cut sees whitespace there either way (which the lookahead
# accepts, as it accepts the end of text), and within each part no such
# position is left, so the lookahead alternative and `\s+` agree everywhere.
# The tests check this against tiktoken with the published pattern: every
# whitespace character, exhaustively over short strings, and fuzzed.
#
# "Whitespace" is `\s` as the regex crate reads it: Unicode's White_Space
# property, which is not Python's `str.isspace` (that also takes U+001C-U+001F).

from __future__ import annotations

import re
from itertools import accumulate
from typing import Callable, List

O200K_ALTERNATIVES = [
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
]
O200K_PATTERN = "|".join(O200K_ALTERNATIVES)
LOOKAHEAD_FREE_PATTERN = "|".join(a for a in O200K_ALTERNATIVES if a != r"""\s+(?!\S)""")

# Unicode White_Space (stable since Unicode 6.3), without \r and \n.
WHITE_SPACE_BUT_LINE_BREAKS = (
    "\t\x0b\x0c \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
WHITE_SPACE = WHITE_SPACE_BUT_LINE_BREAKS + "\r\n"

_BLANK = f"[{re.escape(WHITE_SPACE_BUT_LINE_BREAKS)}]"
_NOT_SPACE = f"[^{re.escape(WHITE_SPACE)}]"
# Matches the empty string at each cut position, so that `split` returns the
# parts in one call.
_CUTS = re.compile(f"(?<={_BLANK})(?={_BLANK}{_NOT_SPACE})")


def cut_positions(text: str) -> List[int]:
    """Where the text must be cut for the lookahead-free pattern (see above)."""
    return list(accumulate(len(part) for part in _CUTS.split(text)[:-1]))


def ordinary_encoder(encode_part: Callable[[str], List[int]]) -> Callable[[str], List[int]]:
    """o200k's `encode_ordinary`, from the one of a CoreBPE built with
    LOOKAHEAD_FREE_PATTERN."""
    split = _CUTS.split

    def encode_ordinary(text: str) -> List[int]:
        try:
            # The common case, decided by C-speed scans: ASCII text whose only
            # whitespace besides line breaks is single spaces has no cut.
            # (isascii is a flag lookup.)
            uncut = (
                text.isascii()
                and "\t" not in text
                and "  " not in text
                and "\x0b" not in text
                and "\x0c" not in text
            )
        except (AttributeError, TypeError):  # not a str: tiktoken says so
            return encode_part(text)
        if uncut:
            return encode_part(text)
        parts = split(text)
        if len(parts) == 1:
            return encode_part(text)
        tokens: List[int] = []
        for part in parts:
            tokens += encode_part(part)
        return tokens

    return encode_ordinary
