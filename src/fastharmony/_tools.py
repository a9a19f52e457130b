# Tool declarations: the `# Tools` section of system and developer messages.
#
# A port of `template_tools_section` and `json_schema_to_typescript` from the
# reference's src/encoding.rs (openai-harmony 0.0.8), which turn tool namespaces
# and their JSON Schemas into TypeScript-like declarations.
#
# The reference never renders Python values. Its Python layer sends the message
# through `json.dumps`, and its Rust core parses that JSON with serde_json
# (feature `preserve_order`, without `float_roundtrip`). Rendering is therefore
# two steps, and both must mimic that round trip:
#
# 1. `_json_value` walks the whole parameters value and returns what
#    serde_json would hold (`_is_plain` first checks, faster, whether it
#    already is, as it nearly always is): keys converted as `json.dumps` converts them (1 ->
#    "1", True -> "true"; a later duplicate replaces the value but keeps the
#    first key's place), tuples as lists, subclasses of str/int/float as plain
#    values, surrogate pairs joined. It refuses, with a HarmonyValueError
#    naming the path, whatever makes the reference fail: NaN and infinities,
#    numbers serde_json parses to infinity, lone surrogates, values json.dumps
#    cannot serialize, and nesting beyond serde_json's recursion limit (which
#    also bounds our recursion, so no input can raise RecursionError). When
#    nothing needs converting it returns the very objects it was given.
#
# 2. `_write_schema` renders a schema from that plain value, line for line as
#    the Rust code does; `_json_display` prints a `default` as serde_json's
#    `Display` does (compact JSON; numbers as serde_json parsed them, printed
#    by itoa or ryu).
#
# Output is built as lists of strings joined once.

from __future__ import annotations

import math
from json.encoder import encode_basestring as _json_quote
from typing import Any, Dict, List

from ._errors import HarmonyValueError, shown
from ._model import ToolDescription, ToolNamespaceConfig

__all__ = ["CONVERSATION_TOOLS_DEPTH", "MESSAGE_TOOLS_DEPTH", "tools_section"]

# serde_json refuses JSON with more than this many nested arrays and objects.
_SERDE_MAX_DEPTH = 127

# The JSON depth of the `tools` mapping in what the reference parses: inside
# {message}[content]{part} when it renders one message, and two levels deeper,
# {conversation}[messages], when it renders a conversation.
MESSAGE_TOOLS_DEPTH = 4
CONVERSATION_TOOLS_DEPTH = 6

# A tool's parameters sit under {namespace}[tools]{tool}.
_PARAMETERS_BELOW_TOOLS = 4

_U64_MAX = 2**64 - 1
_I64_MIN = -(2**63)
_MISSING = object()


class _Refusal(Exception):
    """A value the reference cannot take. Collects its path while unwinding."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path: List[tuple] = []  # (segment, id of its container or None), innermost first


# -- the JSON round trip -------------------------------------------------------


def _is_plain(value: Any, depth: int) -> bool:
    """Whether `value`, a dict or list, is already exactly what serde_json would hold.

    The fast path of `_json_value`: one call per container, leaves checked inline.
    Anything unusual (a key to convert, a tuple, a huge number, a surrogate, too
    deep) answers False, and `_json_value` does the work and finds the path.
    """
    if depth > _SERDE_MAX_DEPTH:
        return False
    if type(value) is dict:
        for key in value:
            if type(key) is not str or not (key.isascii() or _has_no_surrogate(key)):
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
            if not (item.isascii() or _has_no_surrogate(item)):
                return False
        elif kind is dict or kind is list:
            if not _is_plain(item, depth):
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


def _has_no_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")  # fails only on surrogates
    except UnicodeEncodeError:
        return False
    return True


def _json_value(value: Any, depth: int) -> Any:
    """`value` as serde_json holds it after `json.dumps`; `depth` is its JSON depth."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _json_text(value)
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
            raise _Refusal(f"{name} is not valid JSON, which the reference needs; use a number")
        return value
    if value is None or kind is bool:
        return value
    # json.dumps's order: str, int, float, list or tuple, dict.
    if isinstance(value, str):
        return _json_text(str.__str__(value))
    if isinstance(value, int):
        return _json_value(int.__int__(value), depth)
    if isinstance(value, float):
        return _json_value(float.__float__(value), depth)
    if isinstance(value, (list, tuple)):
        return _json_array(value, depth)
    if isinstance(value, dict):
        return _json_object(value, depth)
    raise _Refusal(f"a value of type {type(value).__name__} is not JSON serializable")


def _json_object(value: dict, depth: int) -> dict:
    if depth > _SERDE_MAX_DEPTH:
        raise _Refusal("nested too deep")
    # Subclasses are copied in iteration order (an OrderedDict's move_to_end
    # counts), as the reference's pydantic layer reads them since pydantic 2.14.
    changed = None if type(value) is dict else []
    for position, (key, item) in enumerate(value.items()):
        new_key = key if type(key) is str and key.isascii() else _json_key(key)
        try:
            new_item = _json_value(item, depth + 1)
        except _Refusal as refusal:
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
    if depth > _SERDE_MAX_DEPTH:
        raise _Refusal("nested too deep")
    changed = None if type(value) is list else []  # tuples and subclasses are copied
    for position, item in enumerate(value):
        try:
            new_item = _json_value(item, depth + 1)
        except _Refusal as refusal:
            refusal.path.append((f"[{position}]", id(value)))
            raise
        if changed is None:
            if new_item is item:
                continue
            changed = value[:position]
        changed.append(new_item)
    return value if changed is None else changed


def _json_key(key: Any) -> str:
    """A dict key as json.dumps writes it."""
    if isinstance(key, str):
        return _json_text(str.__str__(key))
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
    raise _Refusal(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _int_text(value: int) -> str:
    try:
        return int.__repr__(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits(); json.dumps fails too
        raise _Refusal(
            f"an integer of {value.bit_length()} bits has too many digits to write as JSON"
        ) from None


def _json_text(text: str) -> str:
    """The string serde_json reads back: surrogate pairs joined, lone ones refused."""
    if _has_no_surrogate(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise _Refusal(f"{text!r:.60} contains a lone surrogate, which is not valid JSON") from None


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
                    raise _Refusal("number out of range (serde_json parses it to infinity)")
            else:
                value /= float(10 ** -exponent)
            break
        if value == 0.0:
            break
        if exponent >= 0:
            raise _Refusal("number out of range (serde_json parses it to infinity)")
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


def _json_display(value: Any) -> str:
    """serde_json's `Display` of a plain JSON value: compact, as parsed and printed by Rust."""
    kind = type(value)
    if kind is str:
        return _json_quote(value)
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
        return "[" + ",".join([_json_display(item) for item in value]) + "]"
    return "{" + ",".join([_json_quote(k) + ":" + _json_display(v) for k, v in value.items()]) + "}"


# -- JSON Schema to TypeScript -------------------------------------------------


def _schema_text(schema: Any, indent: str) -> str:
    out: List[str] = []
    _write_schema(schema, indent, out)
    return "".join(out)


def _is_enum(schema: dict) -> bool:
    values = schema.get("enum")
    return type(values) is list and len(values) > 0


def _nullable(schema: Any) -> bool:
    return type(schema) is dict and schema.get("nullable") is True


def _default_comment(default: Any, schema: dict) -> str:
    # Property level: a string default is quoted raw, or printed bare for an enum.
    if type(default) is str:
        return default if _is_enum(schema) else f'"{default}"'
    return _json_display(default)


def _write_schema(schema: Any, indent: str, out: List[str]) -> None:
    """Append the TypeScript of `schema` (json_schema_to_typescript)."""
    if type(schema) is not dict:
        out.append("any")
        return
    one_of = schema.get("oneOf")
    if type(one_of) is list:
        for variant in one_of:
            out.append(f"\n{indent} | ")
            type_text = _schema_text(variant, indent + "   ")
            if _nullable(variant) and "null" not in type_text:
                type_text += " | null"
            out.append(type_text)
            if type(variant) is not dict:
                continue
            comments = []
            description = variant.get("description")
            if type(description) is str:
                comments.append(description)
            default = variant.get("default", _MISSING)
            if default is not _MISSING:
                # Unlike at property level, an enum's string default is printed as JSON.
                if type(default) is str and not _is_enum(variant):
                    comments.append(f'default: "{default}"')
                else:
                    comments.append("default: " + _json_display(default))
            if comments:
                out.append(" // " + " ".join(comments))
        return

    kind = schema.get("type")
    if type(kind) is list:
        names = ["number" if name == "integer" else name for name in kind if type(name) is str]
        out.append(" | ".join(names) if names else "any")
        return
    if type(kind) is not str:
        out.append("any")
        return
    if kind == "object":
        _write_object(schema, indent, out)
    elif kind == "string":
        values = schema.get("enum")
        quoted = [f'"{v}"' for v in values if type(v) is str] if type(values) is list else None
        out.append(" | ".join(quoted) if quoted else "string")
    elif kind == "number" or kind == "integer":
        out.append("number")
    elif kind == "boolean":
        out.append("boolean")
    elif kind == "array":
        items = schema.get("items", _MISSING)
        if items is _MISSING:
            out.append("Array<any>")
        else:
            _write_schema(items, indent, out)
            out.append("[]")
    else:
        out.append("any")


def _write_object(schema: dict, indent: str, out: List[str]) -> None:
    description = schema.get("description")
    if type(description) is str:
        out.append(f"{indent}// {description}\n")
    out.append("{\n")
    properties = schema.get("properties")
    if type(properties) is dict:
        required_list = schema.get("required")
        required = (
            {name for name in required_list if type(name) is str}
            if type(required_list) is list
            else ()
        )
        inner = indent + "    "
        for key, value in properties.items():
            marker = "" if key in required else "?"
            if type(value) is not dict:
                out.append(f"{indent}{key}{marker}: any,\n")
                continue
            title = value.get("title")
            if type(title) is str:
                out.append(f"{indent}// {title}\n{indent}//\n")
            one_of = value.get("oneOf", _MISSING)
            if one_of is _MISSING:
                description = value.get("description")
                if type(description) is str:
                    out.append(f"{indent}// {description}\n")
            examples = value.get("examples")
            if type(examples) is list and examples:
                out.append(f"{indent}// Examples:\n")
                for example in examples:
                    if type(example) is str:
                        out.append(f'{indent}// - "{example}"\n')
            if type(one_of) is list:
                _write_one_of_property(key, marker, value, one_of, indent, out)
                continue
            out.append(f"{indent}{key}{marker}: ")
            if value.get("nullable") is True:
                type_text = _schema_text(value, inner)
                out.append(type_text if "null" in type_text else type_text + " | null")
            else:
                _write_schema(value, inner, out)
            out.append(",")
            if one_of is _MISSING:
                default = value.get("default", _MISSING)
                if default is not _MISSING:
                    out.append(" // default: " + _default_comment(default, value))
            out.append("\n")
    out.append(indent + "}")


def _write_one_of_property(
    key: str, marker: str, value: dict, one_of: list, indent: str, out: List[str]
) -> None:
    # The property's description goes above it, unless the first variant repeats it.
    description = value.get("description")
    if type(description) is not str:
        description = None
    described_above = False
    if description is not None:
        first = one_of[0] if one_of else None
        if not (type(first) is dict and first.get("description") == description):
            out.append(f"{indent}// {description}\n")
            described_above = True
    default = value.get("default", _MISSING)
    if default is not _MISSING:
        out.append(f"{indent}// default: {_default_comment(default, value)}\n")
    out.append(f"{indent}{key}{marker}:\n")
    for position, variant in enumerate(one_of):
        out.append(f"{indent} | ")
        type_text = _schema_text(variant, indent + "   ")
        if _nullable(variant) and "null" not in type_text:
            type_text += " | null"
        out.append(type_text)
        if type(variant) is dict:
            comments = []
            if not (position == 0 and described_above):
                variant_description = variant.get("description")
                if type(variant_description) is str and variant_description != description:
                    comments.append(variant_description)
            variant_default = variant.get("default", _MISSING)
            if variant_default is not _MISSING:
                comments.append("default: " + _default_comment(variant_default, variant))
            if comments:
                out.append(" // " + " ".join(comments))
        out.append("\n")
    out.append(f"{indent},\n")


# -- the tools section ---------------------------------------------------------


def _rust_lines(text: str) -> List[str]:
    """Rust's `str::lines`: split on "\\n" only, drop one "\\r" before it, no final empty line."""
    lines = text.split("\n")
    last = lines.pop()
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if last:
        lines.append(last)
    return lines


def _field_text(value: Any, what: str) -> str:
    if type(value) is str and value.isascii():
        return value
    if not isinstance(value, str):
        raise _Refusal(f"{what} must be a str, not {type(value).__name__}")
    return _json_text(str.__str__(value))


def _write_namespace(config: Any, parameters_depth: int, lines: List[str]) -> None:
    if not isinstance(config, ToolNamespaceConfig):
        raise _Refusal(f"expected a ToolNamespaceConfig, got {type(config).__name__}")
    name = _field_text(config.name, "name")
    tools = config.tools
    if not isinstance(tools, list):
        raise _Refusal(f"tools must be a list of ToolDescription, not {type(tools).__name__}")
    lines.append(f"## {name}\n")
    if config.description is not None:
        description = _field_text(config.description, "description")
        for line in _rust_lines(description):
            lines.append("// " + line if tools else line)
    if not tools:
        return
    lines.append(f"namespace {name} {{\n")
    for index, tool in enumerate(tools):
        try:
            _write_tool(tool, parameters_depth, lines)
        except _Refusal as refusal:
            refusal.path.append((f".tools[{index}]", None))
            raise
    lines.append(f"}} // namespace {name}")


def _write_tool(tool: Any, parameters_depth: int, lines: List[str]) -> None:
    if not isinstance(tool, ToolDescription):
        raise _Refusal(f"expected a ToolDescription, got {type(tool).__name__}")
    name = _field_text(tool.name, "name")
    for line in _rust_lines(_field_text(tool.description, "description")):
        lines.append("// " + line)
    if tool.parameters is None:
        lines.append(f"type {name} = () => any;\n")
        return
    parameters = tool.parameters
    if not _is_plain(parameters, parameters_depth):
        try:
            parameters = _json_value(parameters, parameters_depth)
        except _Refusal as refusal:
            refusal.path.append((".parameters", None))
            raise
    lines.append(f"type {name} = (_: {_schema_text(parameters, '')}) => any;\n")


def _explain(refusal: _Refusal) -> HarmonyValueError:
    segments = [segment for segment, _ in reversed(refusal.path)]
    if len(segments) > 16:
        segments[8:-4] = [f"...({len(segments) - 12} levels)..."]
    where = "tools" + "".join(segments)
    containers = [container for _, container in refusal.path if container is not None]
    problem = refusal.problem
    if problem == "nested too deep":
        if len(set(containers)) < len(containers):
            problem = "contains itself (a reference cycle), which JSON cannot represent"
        else:
            problem = (
                f"nests deeper than the {_SERDE_MAX_DEPTH} levels of arrays and objects "
                "that the reference's JSON parser (serde_json) accepts in a message; "
                "flatten the schema"
            )
    return HarmonyValueError(f"{where}: {problem}")


def tools_section(
    tools: Dict[str, ToolNamespaceConfig], *, tools_depth: int = CONVERSATION_TOOLS_DEPTH
) -> str:
    """The `# Tools` section for the `tools` of a SystemContent or DeveloperContent.

    Namespaces come in the order of their keys, each headed by its `name`;
    tools with parameters get a TypeScript-like signature built from their
    JSON Schema. `tools_depth` is the JSON nesting depth of `tools` in what the
    reference parses (MESSAGE_TOOLS_DEPTH when rendering one message,
    CONVERSATION_TOOLS_DEPTH for a conversation): it decides which schemas nest
    too deep, as they do for the reference. Raises HarmonyValueError for values
    the reference cannot take (NaN, lone surrogates, sets, ...). Like the
    reference, callers leave the section out when `tools` is empty.

    >>> from fastharmony import ToolDescription, ToolNamespaceConfig
    >>> tool = ToolDescription.new("ping", "Checks a host.", {"type": "object",
    ...     "properties": {"host": {"type": "string"}}, "required": ["host"]})
    >>> print(tools_section({"functions": ToolNamespaceConfig(name="functions", tools=[tool])}))
    # Tools
    <BLANKLINE>
    ## functions
    <BLANKLINE>
    namespace functions {
    <BLANKLINE>
    // Checks a host.
    type ping = (_: {
    host: string,
    }) => any;
    <BLANKLINE>
    } // namespace functions
    """
    parameters_depth = tools_depth + _PARAMETERS_BELOW_TOOLS
    by_key: Dict[str, Any] = {}
    for key, config in tools.items():
        try:
            json_key = key if type(key) is str and key.isascii() else _json_key(key)
        except _Refusal as refusal:
            raise _explain(refusal) from None
        by_key[json_key] = (key, config)  # like serde, a later duplicate wins
    sections = ["# Tools"]
    for json_key in sorted(by_key):
        key, config = by_key[json_key]
        lines: List[str] = []
        try:
            _write_namespace(config, parameters_depth, lines)
        except _Refusal as refusal:
            refusal.path.append((f"[{shown(key, 40)}]", None))
            raise _explain(refusal) from None
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
