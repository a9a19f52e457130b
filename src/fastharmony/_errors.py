# fastharmony's error vocabulary: the exception types, and each recurring
# message written once.
#
# Rules of this file:
# - Every error fastharmony raises is a `HarmonyError` (a RuntimeError, as the
#   reference's core raises). Argument errors are `HarmonyValueError`, which
#   `except ValueError` also catches, because the reference's Python layer
#   raises ValueError (or pydantic's ValidationError, a ValueError) there.
# - A message said in more than one place is built here, once: the unknown
#   role (`unknown_role`), a msgspec validation error translated to our
#   path-first wording (`explain_msgspec`), and pydantic's validation errors
#   (`validation_error`).
# - Constructors report bad arguments in pydantic's words, because code
#   written for the reference matches them. When pydantic-core is installed
#   the error IS a `pydantic_core.ValidationError` (`except ValidationError`
#   catches it; pydantic nests its line errors when one of our classes is a
#   field of a pydantic model); without it, the same text in a
#   HarmonyValueError. pydantic-core is imported only when an error is raised.

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

__all__ = [
    "HarmonyError",
    "HarmonyUnicodeDecodeError",
    "HarmonyValueError",
    "explain_msgspec",
    "shown",
    "unknown_role",
    "validation_error",
]


class HarmonyError(RuntimeError):
    """Raised for every problem fastharmony reports: bad input, malformed
    token streams, a missing or corrupt vocabulary.

    >>> from fastharmony import HarmonyError, load_harmony_encoding
    >>> try:
    ...     load_harmony_encoding("HarmonyGptOss").decode_utf8([99999999])
    ... except HarmonyError as error:
    ...     print(error)
    Invalid token for decoding: 99999999
    """


class HarmonyValueError(HarmonyError, ValueError):
    """An invalid argument, where the reference raises ValueError.

    >>> from fastharmony import Role
    >>> try:
    ...     Role("wizard")
    ... except ValueError as error:
    ...     print(error)
    Unknown role: 'wizard'
    """


class HarmonyTypeError(HarmonyError, TypeError):
    """An argument of a type the reference's core refuses with TypeError
    (PyO3's conversion error), e.g. `strict="yes"`."""


def shown(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, for error messages; never raises
    (repr refuses ints of more than 4300 digits, and a foreign __repr__ may fail).

    >>> shown("x" * 100, 10)
    "'xxxxxxxxx"
    """
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


# -- the unknown role ------------------------------------------------------------


def unknown_role(value: object, where: str = "") -> HarmonyValueError:
    """The error for a role name that is not a Role, in the reference's words
    (`Role("wizard")` says "Unknown role: 'wizard'"), after the path when known.

    >>> print(unknown_role("wizard", "messages[1].role"))
    messages[1].role: Unknown role: 'wizard'
    """
    problem = f"Unknown role: {shown(value, 200)}"
    return HarmonyValueError(f"{where}: {problem}" if where else problem)


# -- msgspec's validation errors, in our words ---------------------------------------


def explain_msgspec(exc: Exception, what: str, within: str = "") -> HarmonyValueError:
    """A msgspec.ValidationError as "path: problem", the path first as the CLI prints it.

    msgspec says "Invalid enum value 'wizard' - at `$.messages[0].role`"; this
    says "messages[0].role: Unknown role: 'wizard'". `what` names the whole
    document, for errors about the top level. `within` is the path of the
    converted value when it is part of a larger document (as "input[3]"): it
    goes before msgspec's path, and errors about the value itself name it.
    This is the one place that reads msgspec's text.

    >>> from fastharmony import Conversation
    >>> try:
    ...     Conversation.from_dict({"messages": [{"role": "user", "content": 5}]})
    ... except ValueError as error:
    ...     print(error)
    messages[0].content: expected `str | array`, got `int`
    >>> import msgspec
    >>> try:
    ...     msgspec.convert([1, "2"], list[int])
    ... except msgspec.ValidationError as error:
    ...     print(explain_msgspec(error, "token list", within="tokens"))
    tokens[1]: expected `int`, got `str`
    """
    message = str(exc)
    problem, sep, where = message.rpartition(" - at `")
    if not sep:
        if within:
            return HarmonyValueError(f"{within}: {message[:1].lower()}{message[1:]}")
        return HarmonyValueError(f"invalid {what}: {message}")
    where = where.rstrip("`")
    key, in_container, container = where.partition("` in `")
    if in_container:  # "Expected `str` - at `key` in `$.messages[0]`": a bad key
        where = container
        problem += f" for a {key}"
    path = where.removeprefix("$")
    path = (within + path if within else path.removeprefix(".")) or what
    for invalid in ("Invalid enum value ", "Invalid value "):
        if path.endswith("role") and problem.startswith(invalid):
            return unknown_role(_literal(problem.removeprefix(invalid)), path)
    if path.endswith(".type") and problem.startswith("Invalid value "):
        # A content part's type (`content[0].type`), or another tagged object's.
        kind = "content type" if _CONTENT_PART_TYPE.search(path) else "type"
        problem = f"unknown {kind} " + problem.removeprefix("Invalid value ")
    return HarmonyValueError(f"{path}: {problem[:1].lower()}{problem[1:]}")


_CONTENT_PART_TYPE = re.compile(r"(?:^|\.)content\[\d+\]\.type$")


def _literal(text: str) -> object:
    # msgspec quotes the bad value with repr(); read it back for unknown_role.
    try:
        import ast

        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


# -- pydantic's validation errors ------------------------------------------------

# pydantic-core's message templates for the error types our constructors raise.
_PYDANTIC_MESSAGES = {
    "missing": "Field required",
    "string_type": "Input should be a valid string",
    "string_unicode": "Input should be a valid string, unable to parse raw data as a unicode string",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable to interpret input",
    "list_type": "Input should be a valid list",
    "dict_type": "Input should be a valid dictionary",
    "enum": "Input should be {expected}",
    "model_type": "Input should be a valid dictionary or instance of {class_name}",
    "iteration_error": "Error iterating over object, error: {error}",
    "value_error": "Value error, {error}",
    "json_invalid": "Invalid JSON: {error}",
    "json_type": "JSON input should be string, bytes or bytearray",
}

_validation_error_class: Optional[type] = None


def _error_class() -> type:
    """HarmonyValueError, or with pydantic-core installed a class that is also
    pydantic's ValidationError (made on first use: pydantic stays unimported)."""
    global _validation_error_class
    if _validation_error_class is None:
        try:
            from pydantic_core import ValidationError
        except ImportError:
            _validation_error_class = HarmonyValueError
        else:

            class HarmonyValidationError(HarmonyValueError, ValidationError):
                """Invalid constructor arguments: pydantic's ValidationError, as the
                reference raises it, and a HarmonyValueError."""

            HarmonyValidationError.__module__ = __name__
            _validation_error_class = HarmonyValidationError
    return _validation_error_class


def validation_error(title: str, errors: Sequence[Dict[str, Any]]) -> HarmonyValueError:
    """The error pydantic would raise validating `title` with these line errors.

    Each line error is pydantic-core's: `type`, `loc` (a tuple), `input`, and
    `ctx` when the type's message needs it.

    >>> error = validation_error("Author", [{"type": "missing", "loc": ("role",), "input": {}}])
    >>> isinstance(error, ValueError), "Field required" in str(error)
    (True, True)
    """
    cls = _error_class()
    if cls is not HarmonyValueError:
        return cls.from_exception_data(title, list(errors))
    return HarmonyValueError(_pydantic_text(title, errors))


def _pydantic_text(title: str, errors: Sequence[Dict[str, Any]]) -> str:
    # pydantic's layout, without its documentation links.
    count = len(errors)
    lines: List[str] = [f"{count} validation error{'s' if count != 1 else ''} for {title}"]
    for error in errors:
        value = error.get("input")
        message = _PYDANTIC_MESSAGES.get(error["type"], error["type"]).format(**error.get("ctx", {}))
        lines.append(".".join(str(part) for part in error["loc"]) or title)
        lines.append(
            f"  {message} [type={error['type']}, input_value={shown(value, 50)}, "
            f"input_type={type(value).__name__}]"
        )
    return "\n".join(lines)
