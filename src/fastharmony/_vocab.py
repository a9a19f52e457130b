# The o200k_harmony tokenizer: vocabulary, special tokens, and a token->bytes table.
#
# Resolution follows the reference's contract: when TIKTOKEN_ENCODINGS_BASE is
# set, `o200k_base.tiktoken` is read from that folder; otherwise the copy bundled
# in the package is used. Either way the file's SHA-256 is checked and nothing
# touches the network.
#
# The bundled copy is the official file in a compact binary form (see
# tools/build_vocab.py): the token bytes in rank order, which rebuild the
# `.tiktoken` text byte for byte (a test proves it). That spares a base64 decode
# of 200k lines at every start.
#
# tiktoken's CoreBPE does the encoding. For decoding, the parser needs the bytes
# of single tokens; one contiguous blob plus an offsets array holds them in about
# 2 MB, where 200k separate bytes objects would cost five times that.

from __future__ import annotations

import hashlib
import os
import struct
from array import array
from binascii import a2b_base64, b2a_base64
from itertools import accumulate, pairwise
from pathlib import Path

from ._errors import HarmonyError

O200K_TIKTOKEN_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
BUNDLED_VOCAB_PATH = Path(__file__).parent / "data" / "o200k_base.tokens"
BUNDLED_VOCAB_SHA256 = "85062bc99aace3bbd4441f1133ac0b98aff1e8a61e1508e6e302e43b1874d286"
_MAGIC = b"FHV1"
_HEADER = struct.Struct("<4sI")

ENCODING_NAME = "o200k_harmony"
N_ORDINARY_TOKENS = 199_998
# The reference registers `<|reserved_N|>` up to and including 201088.
LAST_TOKEN_ID = 201_088
N_TOKENS = LAST_TOKEN_ID + 1

O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_NAMED_SPECIAL_TOKENS = {
    199998: "<|startoftext|>",
    199999: "<|endoftext|>",
    200002: "<|return|>",
    200003: "<|constrain|>",
    200005: "<|channel|>",
    200006: "<|start|>",
    200007: "<|end|>",
    200008: "<|message|>",
    200012: "<|call|>",
}
SPECIAL_TOKENS: dict[str, int] = {
    _NAMED_SPECIAL_TOKENS.get(i, f"<|reserved_{i}|>"): i
    for i in range(N_ORDINARY_TOKENS, N_TOKENS)
}


# -- the file formats ---------------------------------------------------------


def parse_tiktoken_file(text: bytes, path: object) -> list[bytes]:
    """Token bytes in rank order from a `.tiktoken` file (ranks must be 0..n-1)."""
    tokens = []
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        try:
            encoded, rank = line.split(b" ")
            if int(rank) != len(tokens):
                raise ValueError(f"rank {int(rank)} where {len(tokens)} was expected")
            tokens.append(a2b_base64(encoded, strict_mode=True))
        except ValueError as exc:
            raise HarmonyError(f"invalid vocabulary file {path}: line {line_no}: {exc}") from None
    return tokens


def tiktoken_file_from_token_bytes(tokens: list[bytes]) -> bytes:
    return b"".join(
        b2a_base64(token, newline=False) + b" %d\n" % rank for rank, token in enumerate(tokens)
    )


def pack_token_bytes(tokens: list[bytes]) -> bytes:
    return _HEADER.pack(_MAGIC, len(tokens)) + bytes(map(len, tokens)) + b"".join(tokens)


def _offsets_of(lengths) -> array:
    # An array, not a list: 200k int objects would outlive their use as
    # fragmented heap and cost the process 7 MB of resident memory.
    return array("I", accumulate(lengths, initial=0))


def _unpack_token_bytes(packed: bytes, path: object) -> tuple[bytes, array]:
    """The blob of token bytes and the offsets of each token in it (n+1 of them)."""
    magic, count = _HEADER.unpack_from(packed)
    lengths = packed[_HEADER.size : _HEADER.size + count]
    blob = packed[_HEADER.size + count :]
    offsets = _offsets_of(lengths)
    if magic != _MAGIC or offsets[-1] != len(blob):
        raise HarmonyError(f"invalid vocabulary file {path}: not a packed token table")
    return blob, offsets


# -- loading ------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise HarmonyError(f"cannot read vocabulary file {path}: {exc.strerror or exc}") from None


def _check_hash(data: bytes, expected: str, path: Path) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise HarmonyError(
            f"vocabulary file {path} has SHA-256 {actual}, expected {expected}: "
            "it is not the official o200k_base vocabulary"
        )


def load_ordinary_tokens() -> tuple[bytes, array]:
    """The o200k token bytes (blob and offsets), from TIKTOKEN_ENCODINGS_BASE or the bundled copy."""
    base = os.environ.get("TIKTOKEN_ENCODINGS_BASE")
    if base:
        path = Path(base) / "o200k_base.tiktoken"
        text = _read(path)
        _check_hash(text, O200K_TIKTOKEN_SHA256, path)
        tokens = parse_tiktoken_file(text, path)
        return b"".join(tokens), _offsets_of(map(len, tokens))
    packed = _read(BUNDLED_VOCAB_PATH)
    _check_hash(packed, BUNDLED_VOCAB_SHA256, BUNDLED_VOCAB_PATH)
    return _unpack_token_bytes(packed, BUNDLED_VOCAB_PATH)


class Tokenizer:
    """o200k_harmony: tiktoken's BPE for encoding, a flat table for decoding.

    `encode_ordinary` never produces a special token, whatever the text spells.
    """

    __slots__ = ("core", "encode_ordinary", "_blob", "_offsets")

    def __init__(self) -> None:
        # tiktoken's compiled CoreBPE, without the `tiktoken.Encoding` wrapper:
        # the wrapper keeps the 200k-entry ranks dict alive (23 MB resident) and
        # adds a Python frame to every call on the hot path.
        from tiktoken._tiktoken import CoreBPE

        blob, offsets = load_ordinary_tokens()
        if len(offsets) - 1 != N_ORDINARY_TOKENS:
            raise HarmonyError(
                f"vocabulary has {len(offsets) - 1} tokens, o200k_base has {N_ORDINARY_TOKENS}"
            )
        ranks = {blob[start:end]: rank for rank, (start, end) in enumerate(pairwise(offsets))}
        self.core = CoreBPE(ranks, SPECIAL_TOKENS, O200K_PATTERN)
        del ranks
        self.encode_ordinary = self.core.encode_ordinary
        specials = [name.encode() for name in SPECIAL_TOKENS]  # dicts keep id order
        self._blob = blob + b"".join(specials)
        self._offsets = offsets
        offsets.extend(accumulate(map(len, specials), initial=offsets.pop()))

    def token_bytes(self, token: int) -> bytes:
        """The bytes of one valid token id (0 <= token < N_TOKENS)."""
        offsets = self._offsets
        return self._blob[offsets[token] : offsets[token + 1]]
