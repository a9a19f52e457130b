# Token ids: the formatting tokens of the Harmony format, the stop sets, and
# the checks of ids at the API boundary.
#
# Rules of this file:
# - Every formatting-token id and stop set is defined here and only here;
#   the renderer, the parser, the adapters and the CLI import them.
# - The reference accepts what PyO3 converts to u32 and then either overflows
#   (negative ids), or reports "Invalid token for decoding: N". fastharmony
#   rejects every invalid id at the call that receives it, with that wording.

from __future__ import annotations

from ._errors import HarmonyValueError, shown
from ._vocab import LAST_TOKEN_ID, SPECIAL_TOKENS

# -- the formatting tokens -----------------------------------------------------------

START = SPECIAL_TOKENS["<|start|>"]  # 200006: opens a message
MESSAGE = SPECIAL_TOKENS["<|message|>"]  # 200008: ends the header, content follows
END = SPECIAL_TOKENS["<|end|>"]  # 200007: ends a message
CALL = SPECIAL_TOKENS["<|call|>"]  # 200012: ends an assistant message addressed to a tool
RETURN = SPECIAL_TOKENS["<|return|>"]  # 200002: ends the assistant's final answer (sampling stops)
CHANNEL = SPECIAL_TOKENS["<|channel|>"]  # 200005: begins the channel in a header
CONSTRAIN = SPECIAL_TOKENS["<|constrain|>"]  # 200003: begins a constrained content type
CONSTRAIN_MARKER = "<|constrain|>"  # how a content type spells CONSTRAIN

# Tokens that end a message, and those that end an assistant turn (what a
# sampler stops on). `stop_tokens()` and friends return them sorted.
STOP_TOKENS = frozenset((RETURN, END, CALL))
ACTION_STOP_TOKENS = frozenset((RETURN, CALL))

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
        except Exception:  # whatever a foreign object's __index__ raises
            raise HarmonyValueError(
                f"Invalid token for decoding: {shown(token, 40)} (token ids are integers, "
                f"got {type(token).__name__})"
            ) from None
    if not 0 <= token <= LAST_TOKEN_ID:
        raise HarmonyValueError(f"Invalid token for decoding: {int_text(token)}")
    return token


def int_text(number: int) -> str:
    """An int for an error message; str() refuses ints of more than 4300 digits."""
    if number.bit_length() <= 256:
        return str(number)
    return f"{'-' if number < 0 else ''}<an integer of {number.bit_length()} bits>"


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
