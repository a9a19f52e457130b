# Token ids at the API boundary: checking them, and the reference's wording
# for what is wrong with them.
#
# The reference accepts what PyO3 converts to u32 and then either overflows
# (negative ids), or reports "Invalid token for decoding: N". fastharmony
# rejects every invalid id at the call that receives it, with that wording.

from __future__ import annotations

from ._errors import HarmonyValueError
from ._vocab import LAST_TOKEN_ID

_NOT_SEQUENCES = (str, bytes, bytearray, memoryview)


def token_list(tokens) -> list:
    if type(tokens) is list:
        return tokens
    if isinstance(tokens, _NOT_SEQUENCES):
        raise HarmonyValueError(f"expected a sequence of token ids, got {type(tokens).__name__}")
    try:
        return list(tokens)
    except TypeError:
        raise HarmonyValueError(
            f"expected a sequence of token ids, got {type(tokens).__name__}"
        ) from None


def check_token(token) -> int:
    """The token id as an int; HarmonyError (the reference's wording) if it is not one.

    Anything Python treats as an integer index is accepted (numpy integers, bool).
    """
    if type(token) is not int:
        try:
            token = token.__index__()
        except (AttributeError, TypeError):
            raise HarmonyValueError(
                f"Invalid token for decoding: {token!r:.40} (token ids are integers, "
                f"got {type(token).__name__})"
            ) from None
    if not 0 <= token <= LAST_TOKEN_ID:
        raise HarmonyValueError(f"Invalid token for decoding: {token}")
    return token


def invalid_token(tokens: list) -> HarmonyValueError:
    for token in tokens:
        try:
            check_token(token)
        except HarmonyValueError as exc:
            return exc
    return HarmonyValueError("Invalid token for decoding")


def rust_utf8_error(exc: UnicodeDecodeError) -> str:
    """Rust's `Utf8Error` wording, which the reference's messages carry."""
    if exc.reason == "unexpected end of data":
        return f"incomplete utf-8 byte sequence from index {exc.start}"
    return f"invalid utf-8 sequence of {exc.end - exc.start} bytes from index {exc.start}"
