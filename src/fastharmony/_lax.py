# Coercion of constructor arguments as pydantic's lax mode does it: the rules by
# which openai-harmony's pydantic models accept and convert what they are given.
#
# Rules of this file:
# - One function per kind of field (str, bool, enum, list, dict, model); the
#   data-model classes in _model.py call them from `__post_init__`. What each
#   accepts and what it turns it into is pydantic-core's behaviour, measured
#   against the reference (tests/test_lax.py fuzzes it differentially):
#   str fields take str subclasses (stored as exact str: numpy.str_, str enums
#   by their value) and UTF-8 bytes; bool fields take 0/1 numbers and the
#   yes/no words; list fields take any iterable but str, bytes and mappings;
#   dict fields take any mapping (copied, as pydantic copies).
# - A bad value raises `Invalid` with pydantic-core's error type, location and
#   input. The class's metaclass turns it into one `validation_error` (see
#   _errors), so nested objects report the full path (`author.role`), as
#   pydantic does.
# - Fast paths first: an exact str, bool or list costs one type check.

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._errors import HarmonyTypeError

__all__ = [
    "Invalid",
    "as_bool",
    "as_dict",
    "as_enum",
    "as_list",
    "as_optional_str",
    "as_str",
    "strict_flag",
]

Loc = Tuple[Any, ...]


class Invalid(Exception):
    """A value pydantic's lax mode refuses: pydantic-core line errors (see
    _errors.validation_error). Raised inside constructors only; the data-model
    metaclass reports it."""

    def __init__(self, errors: List[Dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def one(cls, kind: str, loc: Loc, value: object, **ctx: Any) -> "Invalid":
        error: Dict[str, Any] = {"type": kind, "loc": loc, "input": value}
        if ctx:
            error["ctx"] = ctx
        return cls([error])

    def under(self, *prefix: Any) -> "Invalid":
        """The same errors, located inside `prefix` (a field of an enclosing object)."""
        return Invalid([{**error, "loc": (*prefix, *error["loc"])} for error in self.errors])


# -- scalars ------------------------------------------------------------------


def as_str(value: object, loc: Loc) -> str:
    if type(value) is str:
        return value
    if isinstance(value, enum.Enum):
        # pydantic stores a str enum by its value ("assistant", not Role.ASSISTANT).
        inner = value.value
        return inner if type(inner) is str else str(inner)
    if isinstance(value, str):
        return str.__str__(value)  # numpy.str_ and other subclasses: the exact str
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid.one("string_unicode", loc, value) from None
    raise Invalid.one("string_type", loc, value)


def as_optional_str(value: object, loc: Loc) -> Optional[str]:
    if value is None or type(value) is str:
        return value
    return as_str(value, loc)


_BOOL_WORDS = {
    **dict.fromkeys(("0", "off", "f", "false", "n", "no"), False),
    **dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True),
}


def as_bool(value: object, loc: Loc) -> bool:
    if value is True or value is False:
        return value
    if _is_numpy_bool(value):
        return bool(value)
    if isinstance(value, (str, bytes)):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        word = _BOOL_WORDS.get(text.lower())
        if word is None:
            raise Invalid.one("bool_parsing", loc, value)
        return word
    if hasattr(value, "__index__"):  # int, IntEnum, numpy integers and bools
        try:
            number = value.__index__()
        except Exception:
            raise Invalid.one("bool_type", loc, value) from None
        if number in (0, 1):
            return number == 1
        raise Invalid.one("bool_parsing", loc, value)
    if isinstance(value, (float, complex)) or _is_number(value):
        try:
            if value == 0 or value == 1:
                return bool(value == 1)
        except Exception:
            pass
        raise Invalid.one("bool_type", loc, value)
    raise Invalid.one("bool_type", loc, value)


def _is_numpy_bool(value: object) -> bool:
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def _is_number(value: object) -> bool:
    import numbers

    return isinstance(value, numbers.Number)


def strict_flag(value: object) -> bool:
    """A `strict=` argument as the reference's core takes it: a bool (numpy's
    too), or None for the default (strict); PyO3 refuses anything else with a TypeError,
    so this raises one (a `HarmonyTypeError`, also a HarmonyError).

    >>> strict_flag(False)
    False
    >>> strict_flag(None)
    True
    >>> try:
    ...     strict_flag(1)
    ... except TypeError as error:
    ...     print(error)
    argument 'strict': 'int' object cannot be converted to 'PyBool'
    """
    if value is True or value is False:
        return value
    if value is None:
        return True
    if type(value).__module__ == "numpy" and type(value).__name__ in ("bool_", "bool"):
        return bool(value)  # PyO3 takes numpy's bool as a bool too
    raise HarmonyTypeError(f"argument 'strict': {type(value).__name__!r} object cannot be converted to 'PyBool'")


def as_enum(value: object, loc: Loc, enum_type: type) -> Any:
    if type(value) is enum_type:
        return value
    key = value
    if isinstance(value, (bytes, bytearray)):
        try:
            key = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            key = None
    try:
        return enum_type._value2member_map_[key]
    except (KeyError, TypeError):  # TypeError: an unhashable value
        pass
    expected = [repr(member.value) for member in enum_type]
    raise Invalid.one(
        "enum", loc, value, expected=", ".join(expected[:-1]) + " or " + expected[-1]
    )


# -- containers ---------------------------------------------------------------


def as_list(value: object, loc: Loc) -> list:
    """A new list of the items of any iterable but a str, bytes or mapping."""
    if type(value) is list:
        return list(value)  # pydantic's list is a new list: the caller's stays its own
    if isinstance(value, (str, bytes, bytearray, dict, Mapping)):
        raise Invalid.one("list_type", loc, value)
    try:
        iterator = iter(value)  # type: ignore[call-overload]
    except TypeError:
        raise Invalid.one("list_type", loc, value) from None
    try:
        return list(iterator)
    except Exception as exc:
        raise Invalid.one("iteration_error", loc, value, error=f"{type(exc).__name__}: {exc}") from None


def as_list_of(value: object, loc: Loc, item: Callable[[Any, Loc], Any]) -> list:
    items = as_list(value, loc)
    for index, element in enumerate(items):
        items[index] = item(element, (*loc, index))
    return items


def as_dict(value: object, loc: Loc) -> dict:
    """A new dict of any mapping's items (pydantic copies the mapping)."""
    if type(value) is dict:
        return dict(value)
    if isinstance(value, Mapping):
        return dict(value.items())
    raise Invalid.one("dict_type", loc, value)


def as_optional_dict(value: object, loc: Loc) -> Optional[dict]:
    return None if value is None else as_dict(value, loc)


def as_str_keyed(value: object, loc: Loc, item: Callable[[Any, Loc], Any]) -> dict:
    """A new dict with str keys (coerced like str fields) and coerced values."""
    mapping = as_dict(value, loc)
    out = {}
    for key, element in mapping.items():
        name = key if type(key) is str else as_str(key, (*loc, key, "[key]"))
        out[name] = item(element, (*loc, name))
    return out


def as_model(value: object, loc: Loc, model: type, build: Callable[[type, Mapping], Any]) -> Any:
    """An instance of `model` (kept as it is, as pydantic keeps instances), or
    one built by `build` from a mapping of its fields."""
    if isinstance(value, model):
        return value
    if isinstance(value, Mapping):
        try:
            return build(model, value)
        except Invalid as invalid:
            raise invalid.under(*loc) from None
    raise Invalid.one("model_type", loc, value, class_name=model.__name__)


def mapping_arguments(value: Mapping) -> Dict[str, Any]:
    """A mapping's items as keyword arguments: pydantic reads only str keys."""
    if type(value) is dict and all(type(key) is str for key in value):
        return value
    return {key: item for key, item in value.items() if isinstance(key, str)}
