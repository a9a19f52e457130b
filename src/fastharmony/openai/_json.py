# JSON values a request carries as objects (tool-call arguments, a response
# format's schema) written out as the compact JSON text the prompt shows.
#
# Requests are dicts from anywhere: what JSON cannot hold (an object(), a lone
# surrogate, nesting deeper than the encoder's recursion) is refused here with
# the request path of the value, never a bare TypeError or RecursionError.

from __future__ import annotations

from typing import Any

import msgspec

from .._errors import HarmonyValueError


def json_text(value: Any, path: str) -> str:
    """`value` as compact JSON text; HarmonyValueError naming `path` if it is not JSON.

    >>> json_text({"city": "Paris", "days": [1, 2]}, "arguments")
    '{"city":"Paris","days":[1,2]}'
    >>> json_text({"when": object()}, "tools[0].arguments")
    Traceback (most recent call last):
    ...
    fastharmony._errors.HarmonyValueError: tools[0].arguments: not JSON: Encoding objects of type object is unsupported
    """
    try:
        return msgspec.json.encode(value).decode()
    except RecursionError:
        raise HarmonyValueError(f"{path}: nested too deeply to write as JSON") from None
    except UnicodeEncodeError:
        raise HarmonyValueError(f"{path}: holds a lone surrogate, which is not valid JSON") from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise HarmonyValueError(f"{path}: not JSON: {exc}") from None
