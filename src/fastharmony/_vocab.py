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
import sys
import threading
from array import array
from binascii import a2b_base64, b2a_base64
from itertools import accumulate
from operator import itemgetter
from pathlib import Path

from ._errors import HarmonyError, HarmonyValueError
from ._pattern import LOOKAHEAD_FREE_PATTERN, ordinary_encoder

O200K_TIKTOKEN_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
BUNDLED_VOCAB_PATH = Path(__file__).parent / "data" / "o200k_base.tokens"
BUNDLED_VOCAB_SHA256 = "154253044e9450f7cd14eae699e1ad1bc21f6a833f5f4eb1b292481344e4e556"

ENCODING_NAME = "o200k_harmony"
N_ORDINARY_TOKENS = 199_998
# The reference registers `<|reserved_N|>` up to and including 201088.
LAST_TOKEN_ID = 201_088
N_TOKENS = LAST_TOKEN_ID + 1

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
#
# The packed form ("FHV2", little-endian):
#   magic, n tokens, g length groups           4s I I
#   token lengths, in rank order               n x u8
#   token offsets into the blob, in rank order n x u32
#   groups: token length and count             g x (u32, u32)
#   the ranks of each group's tokens           n x u32
#   the blob: tokens grouped by length, each group in rank order
# Grouping by length is what makes loading fast: a group splits into its
# tokens at C speed (`struct.iter_unpack`), where slicing 200k tokens one by
# one in Python costs three times as long.

_HEADER = struct.Struct("<4sII")
_MAGIC = b"FHV2"


def parse_tiktoken_file(text: bytes, path: object) -> list:
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


def tiktoken_file_from_token_bytes(tokens: list) -> bytes:
    return b"".join(
        b2a_base64(token, newline=False) + b" %d\n" % rank for rank, token in enumerate(tokens)
    )


def _little_endian(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_little_endian(typecode: str, data) -> array:
    values = array(typecode)
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def pack_token_bytes(tokens: list) -> bytes:
    groups: dict = {}
    for rank, token in enumerate(tokens):
        groups.setdefault(len(token), []).append(rank)
    blob = []
    offsets = array("I", bytes(4 * len(tokens)))
    position = 0
    for ranks in groups.values():
        for rank in ranks:
            offsets[rank] = position
            blob.append(tokens[rank])
            position += len(tokens[rank])
    return b"".join(
        [
            _HEADER.pack(_MAGIC, len(tokens), len(groups)),
            bytes(map(len, tokens)),
            _little_endian(offsets),
            _little_endian(array("I", [v for length, ranks in groups.items() for v in (length, len(ranks))])),
            _little_endian(array("I", [rank for ranks in groups.values() for rank in ranks])),
            *blob,
        ]
    )


class PackedVocabulary:
    """The o200k tokens: a blob, and where each token lies in it."""

    __slots__ = ("blob", "offsets", "lengths", "groups", "group_ranks")

    def __init__(self, packed: bytes, path: object) -> None:
        try:
            magic, count, n_groups = _HEADER.unpack_from(packed)
            if magic != _MAGIC:
                raise ValueError("not a packed token table")
            at = _HEADER.size
            self.lengths = _from_little_endian("B", packed[at : at + count])
            at += count
            self.offsets = _from_little_endian("I", packed[at : at + 4 * count])
            at += 4 * count
            table = _from_little_endian("I", packed[at : at + 8 * n_groups])
            at += 8 * n_groups
            self.groups = list(zip(table[0::2], table[1::2]))  # (token length, count)
            self.group_ranks = _from_little_endian("I", packed[at : at + 4 * count])
            self.blob = packed[at + 4 * count :]
            if sum(length * n for length, n in self.groups) != len(self.blob):
                raise ValueError("truncated")
        except (ValueError, struct.error) as exc:
            raise HarmonyError(f"invalid vocabulary file {path}: {exc}") from None

    @classmethod
    def from_tokens(cls, tokens: list, path: object) -> "PackedVocabulary":
        return cls(pack_token_bytes(tokens), path)

    def token_list(self) -> list:
        blob = self.blob
        return [blob[o : o + n] for o, n in zip(self.offsets, self.lengths)]

    def ranks(self) -> dict:
        """token bytes -> rank, for tiktoken's CoreBPE."""
        # The formats are compiled first, outside the struct module's cache: a
        # few hundred long-lived objects allocated amid the 200k short-lived
        # ones would pin their memory arenas (13 MB resident) after use.
        formats = [struct.Struct(f"{length}s") for length, _ in self.groups]
        first = itemgetter(0)
        ranks: dict = {}
        view = memoryview(self.blob)
        at = done = 0
        for (length, count), fixed_size in zip(self.groups, formats):
            size = length * count
            tokens = map(first, fixed_size.iter_unpack(view[at : at + size]))
            ranks.update(zip(tokens, self.group_ranks[done : done + count]))
            at += size
            done += count
        return ranks


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


def load_vocabulary() -> PackedVocabulary:
    """The o200k tokens, from TIKTOKEN_ENCODINGS_BASE or the bundled copy."""
    base = os.environ.get("TIKTOKEN_ENCODINGS_BASE")
    if base:
        path = Path(base) / "o200k_base.tiktoken"
        text = _read(path)
        _check_hash(text, O200K_TIKTOKEN_SHA256, path)
        return PackedVocabulary.from_tokens(parse_tiktoken_file(text, path), path)
    packed = _read(BUNDLED_VOCAB_PATH)
    _check_hash(packed, BUNDLED_VOCAB_SHA256, BUNDLED_VOCAB_PATH)
    return PackedVocabulary(packed, BUNDLED_VOCAB_PATH)


def ordinary_token_bytes() -> list:
    """The bytes of every o200k token, in rank order (tests and tools use this)."""
    return load_vocabulary().token_list()


_DECODE_CHUNK = 4096


class _TokenBytes(dict):
    """token id -> its bytes, each entry made from the packed table on first use.

    `map(table.__getitem__, ids)` then runs at C speed for every id seen
    before, which is what decoding runs of content needs; only ids already
    checked to be ints may be looked up (a float equal to a cached id would
    be found); an int that is no token id raises KeyError.
    """

    __slots__ = ("blob", "offsets", "lengths")
    blob: bytes
    offsets: "array[int]"
    lengths: "array[int]"

    def __missing__(self, token: int) -> bytes:
        if type(token) is not int or not 0 <= token <= LAST_TOKEN_ID:
            raise KeyError(token)  # as tiktoken's decoder refuses an unknown id
        start = self.offsets[token]
        value = self[token] = self.blob[start : start + self.lengths[token]]
        return value


class Tokenizer:
    """o200k_harmony: a flat table for decoding, tiktoken's BPE for encoding,
    built on first use.

    Building the BPE (tiktoken's CoreBPE over a 200k-entry rank table) costs
    ~150 ms of CPU with the GIL held, and memory: CoreBPE keeps ~46 MB (its
    encoder, decoder and sorted token list), built from a ~25 MB rank dict
    that is released while it builds (see `build_core_bpe`), so the resident
    peak rises ~47 MB over the loaded state. Only encoding needs it:
    parsing, decoding and the stop tokens work from the table. So `core` and
    `encode_ordinary` do not exist until first read; the first read builds
    both, once, whichever thread gets there first (`bpe_built` tells whether
    it has happened).

    `encode_ordinary` never produces a special token, whatever the text spells.
    The bytes of token t are `blob[offsets[t] : offsets[t] + lengths[t]]`,
    special tokens included (their text).
    """

    def __init__(self) -> None:
        vocabulary = load_vocabulary()
        if len(vocabulary.offsets) != N_ORDINARY_TOKENS:
            raise HarmonyError(
                f"vocabulary has {len(vocabulary.offsets)} tokens, o200k_base has {N_ORDINARY_TOKENS}"
            )
        self._vocabulary = vocabulary  # its rank groups build the BPE's rank table
        self._build_lock = threading.Lock()
        specials = [name.encode() for name in SPECIAL_TOKENS]  # dicts keep id order
        end = len(vocabulary.blob)
        self.blob = vocabulary.blob + b"".join(specials)
        vocabulary.blob = self.blob  # the same bytes first: one copy, not two
        self.offsets = vocabulary.offsets
        self.offsets.extend(accumulate(map(len, specials[:-1]), initial=end))
        self.lengths = vocabulary.lengths
        self.lengths.extend(map(len, specials))
        self._token_bytes = _TokenBytes()
        self._token_bytes.blob, self._token_bytes.offsets, self._token_bytes.lengths = (
            self.blob,
            self.offsets,
            self.lengths,
        )
        self.bytes_of_token = self._token_bytes.__getitem__

    # -- the BPE, on first use ----------------------------------------------------

    def __getattr__(self, name: str):
        # Reached only while `core` and `encode_ordinary` are unset: after the
        # build they are plain instance attributes, read at full speed.
        if name in ("core", "encode_ordinary"):
            self._build_bpe()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def bpe_built(self) -> bool:
        """Whether the BPE exists yet (it is built by the first encode)."""
        return "core" in self.__dict__

    def _build_bpe(self) -> None:
        with self._build_lock:
            if "core" in self.__dict__:  # another thread built it while we waited
                return
            core = build_core_bpe(self._vocabulary, self.token_bytes)
            self._vocabulary = None
            self.encode_ordinary = ordinary_encoder(core.encode_ordinary)
            self.core = core  # last: its presence says the build is complete

    # -- decoding, from the table -------------------------------------------------

    def token_bytes(self, token: int) -> bytes:
        """The bytes of one valid token id (0 <= token < N_TOKENS)."""
        start = self.offsets[token]
        return self.blob[start : start + self.lengths[token]]

    def decode_ints(self, tokens) -> bytes:
        """The bytes of a list of ints; KeyError names one that is no token id."""
        bytes_of_token = self.bytes_of_token
        if len(tokens) <= _DECODE_CHUNK:
            return b"".join(map(bytes_of_token, tokens))
        # bytes.join holds an 80-byte buffer view per item while it works:
        # a million tokens at once would take 80 MB, in chunks 330 kB.
        return b"".join(
            [
                b"".join(map(bytes_of_token, tokens[at : at + _DECODE_CHUNK]))
                for at in range(0, len(tokens), _DECODE_CHUNK)
            ]
        )

    def decode_bytes(self, tokens: list) -> bytes:
        """The bytes of a list of token ids.

        KeyError names an id past the last token; TypeError or OverflowError
        means an item is no 32-bit unsigned integer.
        """
        core = self.__dict__.get("core")
        if core is not None:  # built by an encode: its decoder is the fastest
            try:
                return core.decode_bytes(tokens)
            except KeyError:  # a reserved special token (it knows the named ones only), or no token
                pass
        # array() checks every item at C speed: a float, a negative number or
        # anything else that is no u32 is refused here; the table refuses ids
        # past the last token.
        return self.decode_ints(array("I", tokens))


# -- tiktoken's BPE -------------------------------------------------------------
#
# tiktoken's compiled CoreBPE is used without the `tiktoken.Encoding` wrapper:
# the wrapper keeps the ranks dict alive (23 MB resident) and adds a Python
# frame to every call on the hot path. It is given the split pattern without
# its lookahead (see _pattern), and only the named special tokens: special
# tokens in text are found by the caller (HarmonyEncoding.encode), and CoreBPE
# compiles the ones it is given into a regex, which for all 1,091 costs ~8 ms.
# Reserved special tokens decode from the table (see Tokenizer.decode_bytes).
#
# Memory. CoreBPE(ranks, special_tokens, pattern) takes its 200k ranks only as
# a dict of bytes to int, ~25 MB of Python objects, and builds ~46 MB of its
# own tables from it. Were the dict alive until the constructor returns, a
# process that renders would peak at ~97 MB resident, above the reference's
# 85. But the constructor reads its arguments in order, each into Rust values,
# before it builds anything else: once it reads the second one, the dict is
# no longer needed. So each special token's rank is given as a
# `_RankReleasing`, whose reading empties the dict: its memory goes back
# before CoreBPE builds its decoder and sorted token list, and the peak falls
# to ~74 MB, where it settles anyway.
# That rests on how tiktoken (through PyO3) reads its arguments, so the
# result is checked: a tiktoken that read the dict after the special tokens
# (it would have found it empty), or that refused such a rank, gets its BPE
# built again the plain way.


class _RankReleasing:
    """A special token's rank, for CoreBPE's constructor, that empties the
    ranks dict when it is read as an int (see above)."""

    __slots__ = ("rank", "ranks")

    def __init__(self, rank: int, ranks: dict) -> None:
        self.rank = rank
        self.ranks = ranks

    def __index__(self) -> int:
        self.ranks.clear()
        return self.rank


def build_core_bpe(vocabulary: PackedVocabulary, token_bytes):
    """tiktoken's CoreBPE for o200k_harmony's ordinary and named special
    tokens; `token_bytes(token)` tells the bytes it must agree with."""
    from tiktoken._tiktoken import CoreBPE

    ranks = vocabulary.ranks()
    named = {name: _RankReleasing(token, ranks) for token, name in _NAMED_SPECIAL_TOKENS.items()}
    try:
        core = CoreBPE(ranks, named, LOOKAHEAD_FREE_PATTERN)
    except TypeError:  # a constructor that takes nothing but ints
        core = None
    del ranks, named
    if core is None or not _has_every_rank(core, token_bytes):
        named_ints = {name: token for token, name in _NAMED_SPECIAL_TOKENS.items()}
        core = CoreBPE(vocabulary.ranks(), named_ints, LOOKAHEAD_FREE_PATTERN)
    return core


def _has_every_rank(core, token_bytes) -> bool:
    # The dict is read in one piece: either all of it (the first and last rank
    # are there) or nothing, if it was emptied before it was read.
    try:
        return all(
            core.decode_single_token_bytes(token) == token_bytes(token)
            for token in (0, N_ORDINARY_TOKENS - 1, *_NAMED_SPECIAL_TOKENS)
        )
    except KeyError:
        return False


def tokenizer_of(encoding) -> Tokenizer:
    """The Tokenizer of a HarmonyEncoding, for what takes an encoding from the
    caller (the public StreamableParser); HarmonyError for anything else.

    >>> tokenizer_of(enc).token_bytes(200006)
    b'<|start|>'
    """
    # Checked by the tokenizer's type, not the encoding's: that keeps the
    # modules behind the facade from importing it.
    tokenizer = getattr(encoding, "_tokenizer", None)
    if type(tokenizer) is Tokenizer:
        return tokenizer
    raise HarmonyValueError(f"expected a fastharmony HarmonyEncoding, got {type(encoding).__name__}")
