# Tool declarations: the `# Tools` section of system and developer messages.
#
# A port of `template_tools_section` and `json_schema_to_typescript` from the
# reference's src/encoding.rs (openai-harmony 0.0.8), which turn tool namespaces
# and their JSON Schemas into TypeScript-like declarations.
#
# The reference renders what serde_json parsed from its Python layer's
# `json.dumps`, not Python values, so rendering is two steps:
#
# 1. `_serde.json_value` turns the parameters into what serde_json would hold,
#    or refuses what the reference cannot take; the refusal collects its path
#    and becomes a HarmonyValueError naming it here (`_explain`).
# 2. `_write_schema` renders a schema from that plain value, line for line as
#    the Rust code does; `_serde.json_display` prints a `default` as
#    serde_json's `Display` does.
#
# Output is built as lists of strings joined once.

from __future__ import annotations

from typing import Any, Dict, List

from ._errors import HarmonyValueError, shown
from ._model import ToolDescription, ToolNamespaceConfig
from ._serde import SERDE_MAX_DEPTH, Refusal, is_plain, json_display, json_key, json_text, json_value

__all__ = ["CONVERSATION_TOOLS_DEPTH", "MESSAGE_TOOLS_DEPTH", "tools_section"]

# The JSON depth of the `tools` mapping in what the reference parses: inside
# {message}[content]{part} when it renders one message, and two levels deeper,
# {conversation}[messages], when it renders a conversation.
MESSAGE_TOOLS_DEPTH = 4
CONVERSATION_TOOLS_DEPTH = 6

# A tool's parameters sit under {namespace}[tools]{tool}.
_PARAMETERS_BELOW_TOOLS = 4

_MISSING = object()

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


def _default_comment(default: Any, schema: dict, enum_as_json: bool = False) -> str:
    # A string default is quoted raw; for an enum it is printed bare, except in
    # the variants of a schema that is itself a oneOf, which print it as JSON.
    if type(default) is str:
        if not _is_enum(schema):
            return f'"{default}"'
        if not enum_as_json:
            return default
    return json_display(default)


def _write_schema(schema: Any, indent: str, out: List[str]) -> None:
    """Append the TypeScript of `schema` (json_schema_to_typescript)."""
    if type(schema) is not dict:
        out.append("any")
        return
    one_of = schema.get("oneOf")
    if type(one_of) is list:
        _write_variants(one_of, indent, out)
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
    _write_variants(one_of, indent, out, of_property=True, description=description, described_above=described_above)
    out.append(f"{indent},\n")


def _write_variants(
    variants: list,
    indent: str,
    out: List[str],
    of_property: bool = False,
    description: Any = None,
    described_above: bool = False,
) -> None:
    """Append the ` | variant // comments` lines of a oneOf.

    The variants of a schema that is itself a oneOf each begin a line; those
    of a property each are a line, and leave out a comment repeating the
    property's `description` (or the first variant's, when that description
    was written above the property).
    """
    for position, variant in enumerate(variants):
        out.append(f"{indent} | " if of_property else f"\n{indent} | ")
        type_text = _schema_text(variant, indent + "   ")
        if _nullable(variant) and "null" not in type_text:
            type_text += " | null"
        out.append(type_text)
        if type(variant) is dict:
            comments = []
            variant_description = variant.get("description")
            if type(variant_description) is str and not (
                of_property and ((position == 0 and described_above) or variant_description == description)
            ):
                comments.append(variant_description)
            default = variant.get("default", _MISSING)
            if default is not _MISSING:
                comments.append("default: " + _default_comment(default, variant, enum_as_json=not of_property))
            if comments:
                out.append(" // " + " ".join(comments))
        if of_property:
            out.append("\n")


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
        raise Refusal(f"{what} must be a str, not {type(value).__name__}")
    return json_text(str.__str__(value))


def _write_namespace(config: Any, parameters_depth: int, lines: List[str]) -> None:
    if not isinstance(config, ToolNamespaceConfig):
        raise Refusal(f"expected a ToolNamespaceConfig, got {type(config).__name__}")
    name = _field_text(config.name, "name")
    tools = config.tools
    if not isinstance(tools, list):
        raise Refusal(f"tools must be a list of ToolDescription, not {type(tools).__name__}")
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
        except Refusal as refusal:
            refusal.path.append((f".tools[{index}]", None))
            raise
    lines.append(f"}} // namespace {name}")


def _write_tool(tool: Any, parameters_depth: int, lines: List[str]) -> None:
    if not isinstance(tool, ToolDescription):
        raise Refusal(f"expected a ToolDescription, got {type(tool).__name__}")
    name = _field_text(tool.name, "name")
    for line in _rust_lines(_field_text(tool.description, "description")):
        lines.append("// " + line)
    if tool.parameters is None:
        lines.append(f"type {name} = () => any;\n")
        return
    parameters = tool.parameters
    if not is_plain(parameters, parameters_depth):
        try:
            parameters = json_value(parameters, parameters_depth)
        except Refusal as refusal:
            refusal.path.append((".parameters", None))
            raise
    lines.append(f"type {name} = (_: {_schema_text(parameters, '')}) => any;\n")


def _explain(refusal: Refusal) -> HarmonyValueError:
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
                f"nests deeper than the {SERDE_MAX_DEPTH} levels of arrays and objects "
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
            sort_key = key if type(key) is str and key.isascii() else json_key(key)
        except Refusal as refusal:
            raise _explain(refusal) from None
        by_key[sort_key] = (key, config)  # like serde, a later duplicate wins
    sections = ["# Tools"]
    for sort_key in sorted(by_key):
        key, config = by_key[sort_key]
        lines: List[str] = []
        try:
            _write_namespace(config, parameters_depth, lines)
        except Refusal as refusal:
            refusal.path.append((f"[{shown(key, 40)}]", None))
            raise _explain(refusal) from None
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
