# The one exception type of fastharmony.
#
# The reference raises `HarmonyError` (a RuntimeError) from its core, and a
# plain ValueError where its Python layer rejects an argument (an unknown role
# name, an unknown encoding name, a conversation its JSON layer refuses). Code
# written for the reference catches either, so the argument errors here are
# both: `HarmonyValueError` is a HarmonyError that `except ValueError` also
# catches.


class HarmonyError(RuntimeError):
    """Raised for every problem fastharmony reports: bad input, malformed
    token streams, a missing or corrupt vocabulary."""


class HarmonyValueError(HarmonyError, ValueError):
    """An invalid argument, where the reference raises ValueError."""


def shown(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, for error messages; never raises
    (repr refuses ints of more than 4300 digits, and a foreign __repr__ may fail)."""
    try:
        text = repr(value)
    except Exception:
        if isinstance(value, int):
            return f"<an int of {value.bit_length()} bits>"
        return f"<{type(value).__name__} object>"
    return text[:limit]


class HarmonyUnicodeDecodeError(UnicodeDecodeError, HarmonyValueError):
    """`decode(tokens, errors="strict")` on bytes that are not UTF-8: the
    UnicodeDecodeError the reference raises (same arguments), and also a
    HarmonyError."""
