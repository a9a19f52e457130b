# serde_json, as the reference's Rust core sees what its Python layer sends,
# and surrogate code points, as that round trip treats them.
#
# The reference never renders Python values. Its Python layer sends a message
# through `json.dumps`, and its Rust core parses that JSON with serde_json
# (feature `preserve_order`, without `float_roundtrip`), then renders what
# serde_json holds. This file reproduces that round trip:
#
# - `json_value` walks a value and returns what serde_json would hold
#   (`is_plain` first checks, faster, whether it already is, as it nearly
#   always is): keys converted as `json.dumps` converts them (1 -> "1", True ->
#   "true"; a later duplicate replaces the value but keeps the first key's
#   place), tuples as lists, subclasses of str/int/float as plain values,
#   surrogate pairs joined. It refuses, raising `Refusal`, whatever makes the
#   reference fail: NaN and infinities, numbers serde_json parses to infinity,
#   lone surrogates, values json.dumps cannot serialize, and nesting beyond
#   serde_json's recursion limit (which also bounds our recursion, so no input
#   can raise RecursionError). When nothing needs converting it returns the
#   very objects it was given.
# - `json_display` prints a plain value as serde_json's `Display` does
#   (compact JSON; numbers as serde_json parsed them, printed by itoa or ryu).
#
# Rules of this file: it is the one home of surrogate handling. A str holding
# surrogate code points (as `surrogatepass` decoding leaves them) goes through
# `json.dumps` as escapes that serde_json reads back joined into the character
# a pair encodes; a lone surrogate is refused (`join_surrogate_pairs`).
# Encoding text (`encode`) replaces lone surrogates with U+FFFD instead, as the
# reference's `encode` does (`without_surrogates`).

from __future__ import annotations

import math
from json.encoder import encode_basestring as json_quote
from typing import Any, Callable, List

from ._errors import shown

__all__ = [
    "LoneSurrogate",
    "Refusal",
    "SERDE_MAX_DEPTH",
    "has_no_surrogate",
    "is_plain",
    "join_surrogate_pairs",
    "json_display",
    "json_key",
    "json_quote",
    "json_text",
    "json_value",
    "surrogate_joining",
    "without_surrogates",
]

# serde_json refuses JSON with more than this many nested arrays and objects.
SERDE_MAX_DEPTH = 127

_U64_MAX = 2**64 - 1
_I64_MIN = -(2**63)


# -- surrogates -------------------------------------------------------------------


class LoneSurrogate(ValueError):
    """A surrogate code point that is not half of a pair; `surrogate` is it."""

    def __init__(self, surrogate: str) -> None:
        super().__init__(f"lone surrogate {surrogate!r}")
        self.surrogate = surrogate


def has_no_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")  # fails only on surrogates
    except UnicodeEncodeError:
        return False
    return True


def join_surrogate_pairs(text: str) -> str:
    """`text` with each surrogate pair joined into the character it encodes;
    LoneSurrogate if one is not half of a pair.

    >>> join_surrogate_pairs("a\\ud83d\\ude00b")
    'a😀b'
    """
    data = text.encode("utf-16-le", "surrogatepass")
    try:
        return data.decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise LoneSurrogate(data[exc.start : exc.end].decode("utf-16-le", "surrogatepass")) from None


def surrogate_joining(encode: Callable[[str], List[int]]) -> Callable[[str], List[int]]:
    """`encode`, for text that may hold surrogate pairs (which tiktoken
    refuses): they are joined first. LoneSurrogate for a lone one."""

    def encode_joining(text: str) -> List[int]:
        try:
            return encode(text)
        except UnicodeEncodeError:
            return encode(join_surrogate_pairs(text))

    return encode_joining


def without_surrogates(text: str) -> str:
    """`text` with every surrogate code point replaced by U+FFFD, as the
    reference's `encode` does."""
    if has_no_surrogate(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class Refusal(Exception):
    """A value the reference cannot take. Collects its path while unwinding."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path: List[tuple] = []  # (segment, id of its container or None), innermost first


# -- the JSON round trip -------------------------------------------------------


def is_plain(value: Any, depth: int) -> bool:
    """Whether `value`, a dict or list, is already exactly what serde_json would hold.

    The fast path of `json_value`: one call per container, leaves checked inline.
    Anything unusual (a key to convert, a tuple, a huge number, a surrogate, too
    deep) answers False, and `json_value` does the work and finds the path.
    """
    if depth > SERDE_MAX_DEPTH:
        return False
    if type(value) is dict:
        for key in value:
            if type(key) is not str or not (key.isascii() or has_no_surrogate(key)):
                return False
        items = value.values()
    elif type(value) is list:
        items = value
    else:
        return False
    depth += 1
    for item in items:
        kind = type(item)
        if kind is str:
            if not (item.isascii() or has_no_surrogate(item)):
                return False
        elif kind is dict or kind is list:
            if not is_plain(item, depth):
                return False
        elif kind is int:
            if not _I64_MIN <= item <= _U64_MAX:
                return False
        elif kind is float:
            if not -math.inf < item < math.inf:  # also False for NaN
                return False
        elif not (kind is bool or item is None):
            return False
    return True


def json_value(value: Any, depth: int) -> Any:
    """`value` as serde_json holds it after `json.dumps`; `depth` is its JSON depth."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() else json_text(value)
    if kind is dict:
        return _json_object(value, depth)
    if kind is list:
        return _json_array(value, depth)
    if kind is int:
        if _I64_MIN <= value <= _U64_MAX:
            return value
        _serde_number(_int_text(value))  # refuses what parses to infinity
        return value
    if kind is float:
        # No finite float overflows serde_json's parsing (the largest 200001
        # floats checked); only NaN and the infinities are refused.
        if value != value or value in (math.inf, -math.inf):
            name = "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
            raise Refusal(f"{name} is not valid JSON, which the reference needs; use a number")
        return value
    if value is None or kind is bool:
        return value
    # json.dumps's order: str, int, float, list or tuple, dict.
    if isinstance(value, str):
        return json_text(str.__str__(value))
    if isinstance(value, int):
        return json_value(int.__int__(value), depth)
    if isinstance(value, float):
        return json_value(float.__float__(value), depth)
    if isinstance(value, (list, tuple)):
        return _json_array(value, depth)
    if isinstance(value, dict):
        return _json_object(value, depth)
    raise Refusal(f"a value of type {type(value).__name__} is not JSON serializable")


def _json_object(value: dict, depth: int) -> dict:
    if depth > SERDE_MAX_DEPTH:
        raise Refusal("nested too deep")
    # Subclasses are copied in iteration order (an OrderedDict's move_to_end
    # counts), as the reference's pydantic layer reads them since pydantic 2.14.
    changed = None if type(value) is dict else []
    for position, (key, item) in enumerate(value.items()):
        new_key = key if type(key) is str and key.isascii() else json_key(key)
        try:
            new_item = json_value(item, depth + 1)
        except Refusal as refusal:
            refusal.path.append((f"[{shown(key, 40)}]", id(value)))
            raise
        if changed is None:
            if new_key is key and new_item is item:
                continue
            changed = list(value.items())[:position]
        changed.append((new_key, new_item))
    # dict() keeps a duplicate key's first place and last value, as serde_json does.
    return value if changed is None else dict(changed)


def _json_array(value: list, depth: int) -> list:
    if depth > SERDE_MAX_DEPTH:
        raise Refusal("nested too deep")
    changed = None if type(value) is list else []  # tuples and subclasses are copied
    for position, item in enumerate(value):
        try:
            new_item = json_value(item, depth + 1)
        except Refusal as refusal:
            refusal.path.append((f"[{position}]", id(value)))
            raise
        if changed is None:
            if new_item is item:
                continue
            changed = value[:position]
        changed.append(new_item)
    return value if changed is None else changed


def json_key(key: Any) -> str:
    """A dict key as json.dumps writes it."""
    if isinstance(key, str):
        return json_text(str.__str__(key))
    if isinstance(key, float):
        if key != key:
            return "NaN"
        if key in (math.inf, -math.inf):
            return "Infinity" if key > 0 else "-Infinity"
        return float.__repr__(key)
    if key is True or key is False or key is None:
        return "true" if key else "false" if key is False else "null"
    if isinstance(key, int):
        return _int_text(int.__int__(key))
    raise Refusal(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _int_text(value: int) -> str:
    try:
        return int.__repr__(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits(); json.dumps fails too
        raise Refusal(
            f"an integer of {value.bit_length()} bits has too many digits to write as JSON"
        ) from None


def json_text(text: str) -> str:
    """The string serde_json reads back: surrogate pairs joined, lone ones refused."""
    if has_no_surrogate(text):
        return text
    try:
        return join_surrogate_pairs(text)
    except LoneSurrogate:
        raise Refusal(f"{text!r:.60} contains a lone surrogate, which is not valid JSON") from None


# -- serde_json's numbers --------------------------------------------------------


def _serde_number(text: str) -> Any:
    """The number serde_json parses from JSON `text` (without `float_roundtrip`).

    Integers that fit u64 or i64 stay exact. Everything else becomes an f64 the
    naive way: up to 19-20 leading digits as an integer, scaled by a power of ten
    in floating point; later digits of long numbers only shift the exponent.
    That can differ from Python's correctly rounded `float(text)`.
    """
    positive = not text.startswith("-")
    digits = text if positive else text[1:]
    end = len(digits)
    i = 0
    significand = 0
    exponent = 0
    is_float = False
    while i < end and "0" <= digits[i] <= "9":
        digit = ord(digits[i]) - 48
        if is_float or _u64_overflows(significand, digit):
            is_float = True  # parse_long_integer: further digits only scale
            exponent += 1
        else:
            significand = significand * 10 + digit
        i += 1
    if i < end and digits[i] == ".":
        is_float = True
        i += 1
        overflowed = False
        while i < end and "0" <= digits[i] <= "9":
            digit = ord(digits[i]) - 48
            if overflowed or _u64_overflows(significand, digit):
                overflowed = True  # parse_decimal_overflow: ignore the rest
            else:
                significand = significand * 10 + digit
                exponent -= 1
            i += 1
    if i < end and digits[i] in "eE":
        is_float = True
        i += 1
        sign = 1
        if digits[i] in "+-":
            sign = -1 if digits[i] == "-" else 1
            i += 1
        exponent += sign * int(digits[i:])
    if not is_float:
        if positive:
            return significand
        if significand <= 2**63 and significand != 0:
            return -significand
        return -float(significand)
    return _f64_from_parts(positive, significand, exponent)


def _u64_overflows(significand: int, digit: int) -> bool:
    return significand > 1844674407370955161 or (significand == 1844674407370955161 and digit > 5)


def _f64_from_parts(positive: bool, significand: int, exponent: int) -> float:
    value = float(significand)
    while True:
        if abs(exponent) <= 308:
            if exponent >= 0:
                value *= float(10**exponent)  # exactly the literal 1eN
                if value == math.inf:
                    raise Refusal("number out of range (serde_json parses it to infinity)")
            else:
                value /= float(10 ** -exponent)
            break
        if value == 0.0:
            break
        if exponent >= 0:
            raise Refusal("number out of range (serde_json parses it to infinity)")
        value /= 1e308
        exponent += 308
    return value if positive else -value


def _ryu(value: float) -> str:
    """An f64 as the ryu crate prints it: shortest digits, exponent from 1e16 and below 1e-5."""
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    text = repr(value)  # the same shortest round-trip digits as ryu
    sign = ""
    if text[0] == "-":
        sign = "-"
        text = text[1:]
    mantissa, _, exp = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    k = (int(exp) if exp else 0) - len(fraction) + len(digits) - len(significant)
    n = len(significant)
    kk = n + k  # 10**(kk-1) <= |value| < 10**kk
    if 0 <= k and kk <= 16:
        return f"{sign}{significant}{'0' * k}.0"
    if 0 < kk <= 16:
        return f"{sign}{significant[:kk]}.{significant[kk:]}"
    if -5 < kk <= 0:
        return f"{sign}0.{'0' * -kk}{significant}"
    if n == 1:
        return f"{sign}{significant}e{kk - 1}"
    return f"{sign}{significant[0]}.{significant[1:]}e{kk - 1}"


def json_display(value: Any) -> str:
    """serde_json's `Display` of a plain JSON value: compact, as parsed and printed by Rust."""
    kind = type(value)
    if kind is str:
        return json_quote(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if kind is int:
        if _I64_MIN <= value <= _U64_MAX:
            return repr(value)
        return _ryu(_serde_number(repr(value)))
    if kind is float:
        return _ryu(_serde_number(repr(value)))
    if kind is list:
        return "[" + ",".join([json_display(item) for item in value]) + "]"
    return "{" + ",".join([json_quote(k) + ":" + json_display(v) for k, v in value.items()]) + "}"
