"""The `# Tools` section, rule by rule.

Each test states a rule of the reference's tool-declaration renderer (a port of
`template_tools_section` and `json_schema_to_typescript`, plus the JSON round
trip through `json.dumps` and serde_json that the reference puts every value
through) as an exact expected string, and checks that both fastharmony and
openai-harmony produce it.
"""

import enum
import math
from collections import OrderedDict

import openai_harmony as oh
import pytest

from fastharmony import HarmonyError, ToolNamespaceConfig
from fastharmony._errors import HarmonyValueError
from fastharmony._tools import CONVERSATION_TOOLS_DEPTH, MESSAGE_TOOLS_DEPTH, tools_section

PREFIX = "<|start|>developer<|message|>"
SUFFIX = "<|end|>"


# -- helpers ---------------------------------------------------------------------


def ours(spec, tools_depth=MESSAGE_TOOLS_DEPTH):
    # Fresh tools lists: our constructor replaces dict items by ToolDescriptions in place.
    tools = {
        key: ToolNamespaceConfig(**dict(namespace, tools=list(namespace["tools"])))
        for key, namespace in spec.items()
    }
    return tools_section(tools, tools_depth=tools_depth)


def developer_message(spec, instructions=None):
    tools = {key: oh.ToolNamespaceConfig(**namespace) for key, namespace in spec.items()}
    content = oh.DeveloperContent(instructions=instructions, tools=tools)
    return oh.Message.from_role_and_content(oh.Role.DEVELOPER, content)


def reference(ref, spec):
    """The developer-message text the reference renders for `spec` (tools only)."""
    text = ref.decode_utf8(ref.render(developer_message(spec)))
    assert text.startswith(PREFIX) and text.endswith(SUFFIX)
    return text[len(PREFIX) : -len(SUFFIX)]


def functions(parameters, description="Does it.", name="f"):
    tool = {"name": name, "description": description}
    if parameters is not None:
        tool["parameters"] = parameters
    return {"functions": {"name": "functions", "tools": [tool]}}


def signature(parameters_text, description="Does it.", name="f"):
    return (
        "# Tools\n\n## functions\n\nnamespace functions {\n\n"
        f"// {description}\ntype {name} = (_: {parameters_text}) => any;\n\n"
        "} // namespace functions"
    )


def properties(**schemas):
    return {"type": "object", "properties": schemas}


def assert_section(ref, spec, expected):
    assert ours(spec) == expected
    assert reference(ref, spec) == expected


def assert_parameters(ref, parameters, expected_text):
    assert_section(ref, functions(parameters), signature(expected_text))


def assert_default(ref, value, printed):
    parameters = properties(a={"type": "number", "default": value})
    assert_parameters(ref, parameters, "{\na?: number, // default: " + printed + "\n}")


def assert_refused(ref, spec, match):
    with pytest.raises(HarmonyValueError, match=match):
        ours(spec)
    with pytest.raises((ValueError, TypeError, RecursionError)):
        reference(ref, spec)


def nested_objects(levels):
    schema = {"type": "string"}
    for _ in range(levels):
        schema = properties(a=schema)
    return schema


def nested_objects_text(levels):
    text = "string"
    for level in reversed(range(levels)):
        pad = "    " * level
        text = "{\n" + pad + "a?: " + text + ",\n" + pad + "}"
    return text


# -- the section ---------------------------------------------------------------------


def test_namespaces_sort_by_key_and_are_headed_by_name(ref):
    spec = {
        "b": {"name": "first-by-name", "tools": []},
        "a": {"name": "zeta", "tools": []},
        "B": {"name": "upper", "tools": []},
        "é": {"name": "accent", "tools": []},
    }
    expected = "# Tools\n\n## upper\n\n\n## zeta\n\n\n## first-by-name\n\n\n## accent\n"
    assert_section(ref, spec, expected)


def test_namespace_description_without_tools_is_plain_text(ref):
    spec = {"python": {"name": "python", "description": "Runs code.\nIn a sandbox.", "tools": []}}
    assert_section(ref, spec, "# Tools\n\n## python\n\nRuns code.\nIn a sandbox.")


def test_namespace_description_with_tools_is_commented(ref):
    spec = {
        "browser": {
            "name": "browser",
            "description": "Tool for browsing.\nCite sources.",
            "tools": [{"name": "open", "description": "Opens a page."}],
        }
    }
    assert_section(
        ref,
        spec,
        "# Tools\n\n## browser\n\n// Tool for browsing.\n// Cite sources.\nnamespace browser {\n\n"
        "// Opens a page.\ntype open = () => any;\n\n} // namespace browser",
    )


def test_tool_without_parameters_takes_no_arguments(ref):
    assert_section(
        ref,
        functions(None),
        "# Tools\n\n## functions\n\nnamespace functions {\n\n// Does it.\ntype f = () => any;\n\n"
        "} // namespace functions",
    )


def test_multiline_tool_description_is_commented_line_by_line(ref):
    assert_section(
        ref,
        functions(None, description="Line one.\nLine two."),
        "# Tools\n\n## functions\n\nnamespace functions {\n\n// Line one.\n// Line two.\n"
        "type f = () => any;\n\n} // namespace functions",
    )


def test_builtin_browser_and_python_namespaces(ref):
    ours_text = tools_section(
        {"browser": ToolNamespaceConfig.browser(), "python": ToolNamespaceConfig.python()},
        tools_depth=MESSAGE_TOOLS_DEPTH,
    )
    tools = {"browser": oh.ToolNamespaceConfig.browser(), "python": oh.ToolNamespaceConfig.python()}
    message = oh.Message.from_role_and_content(oh.Role.DEVELOPER, oh.DeveloperContent(tools=tools))
    assert ref.decode_utf8(ref.render(message)) == PREFIX + ours_text + SUFFIX
    assert "\nid?: number | string, // default: -1\n" in ours_text
    assert "\nview_source?: boolean, // default: false\n" in ours_text


def test_instructions_come_before_the_section(ref):
    message = developer_message(functions({}), instructions="Be brief.")
    expected = "# Instructions\n\nBe brief.\n\n" + ours(functions({}))
    assert ref.decode_utf8(ref.render(message)) == PREFIX + expected + SUFFIX


def test_system_messages_carry_the_same_section(ref):
    spec = functions(properties(q={"type": "string"}))
    content = oh.SystemContent.new().with_conversation_start_date("2025-01-01")
    content.tools = {key: oh.ToolNamespaceConfig(**namespace) for key, namespace in spec.items()}
    message = oh.Message.from_role_and_content(oh.Role.SYSTEM, content)
    assert ref.decode_utf8(ref.render(message)) == (
        "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
        "Knowledge cutoff: 2024-06\nCurrent date: 2025-01-01\n\nReasoning: medium\n\n"
        + ours(spec)
        + "\n\n# Valid channels: analysis, commentary, final. "
        "Channel must be included for every message.<|end|>"
    )


def test_special_token_text_is_plain_text(ref):
    assert_section(
        ref,
        functions({}, description="<|start|>x<|end|>", name="<|call|>"),
        signature("any", description="<|start|>x<|end|>", name="<|call|>"),
    )


# -- Rust's str::lines -------------------------------------------------------------

NOT_LINE_BREAKS = "a\rb\x0bc\x0cd\x1ce\x1df\x1eg\x85h\u2028i\u2029j"


@pytest.mark.parametrize(
    "description, lines",
    [
        ("", []),
        ("\n", [""]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\r\nb", ["a", "b"]),
        ("a\r\r\nb", ["a\r", "b"]),
        ("trailing\r", ["trailing\r"]),
        ("\r", ["\r"]),
        (NOT_LINE_BREAKS, [NOT_LINE_BREAKS]),
        ("x\n\r", ["x", "\r"]),
    ],
)
def test_descriptions_split_like_rust_lines(ref, description, lines):
    spec = {"ns": {"name": "ns", "description": description, "tools": []}}
    assert_section(ref, spec, "\n".join(["# Tools\n\n## ns\n"] + lines))
    comments = "".join(f"// {line}\n" for line in lines)
    assert_section(
        ref,
        functions(None, description=description),
        "# Tools\n\n## functions\n\nnamespace functions {\n\n"
        + comments
        + "type f = () => any;\n\n} // namespace functions",
    )


# -- schemas ----------------------------------------------------------------------


def test_properties_are_optional_unless_required(ref):
    schema = properties(a={"type": "string"}, b={"type": "boolean"})
    schema["required"] = ["b", 7, None]
    assert_parameters(ref, schema, "{\na?: string,\nb: boolean,\n}")


def test_required_that_is_not_an_array_is_ignored(ref):
    schema = properties(a={"type": "string"})
    schema["required"] = "a"
    assert_parameters(ref, schema, "{\na?: string,\n}")


def test_properties_that_are_not_an_object_render_empty(ref):
    assert_parameters(ref, {"type": "object", "properties": ["a"]}, "{\n}")
    assert_parameters(ref, {"type": "object"}, "{\n}")


def test_string_enum_lists_the_string_values(ref):
    schema = properties(unit={"type": "string", "enum": ["c", "f", 3, None]})
    assert_parameters(ref, schema, '{\nunit?: "c" | "f",\n}')


def test_string_enum_without_strings_is_string(ref):
    schema = properties(a={"type": "string", "enum": [1, 2]}, b={"type": "string", "enum": []})
    assert_parameters(ref, schema, "{\na?: string,\nb?: string,\n}")


def test_integer_renders_as_number(ref):
    assert_parameters(ref, properties(n={"type": "integer"}), "{\nn?: number,\n}")


def test_type_array_joins_type_names(ref):
    schema = properties(
        a={"type": ["integer", "string", 5, "null"]},
        b={"type": [1, 2]},
        c={"type": []},
    )
    assert_parameters(ref, schema, "{\na?: number | string | null,\nb?: any,\nc?: any,\n}")


def test_unknown_or_missing_type_is_any(ref):
    schema = properties(a={"type": "null"}, b={}, c={"type": 3})
    assert_parameters(ref, schema, "{\na?: any,\nb?: any,\nc?: any,\n}")


def test_array_items_render_with_brackets(ref):
    schema = properties(tags={"type": "array", "items": {"type": "string"}})
    assert_parameters(ref, schema, "{\ntags?: string[],\n}")


def test_array_without_items_is_array_of_any(ref):
    schema = properties(a={"type": "array"}, b={"type": "array", "items": None})
    assert_parameters(ref, schema, "{\na?: Array<any>,\nb?: any[],\n}")


def test_array_of_objects_keeps_the_enclosing_indent(ref):
    schema = properties(rows={"type": "array", "items": properties(x={"type": "number"})})
    assert_parameters(ref, schema, "{\nrows?: {\n    x?: number,\n    }[],\n}")


def test_nested_objects_indent_four_spaces_per_level(ref):
    assert nested_objects_text(2) == "{\na?: {\n    a?: string,\n    },\n}"
    assert_parameters(ref, nested_objects(3), nested_objects_text(3))


def test_object_description_is_a_comment_before_the_brace(ref):
    inner = {"type": "object", "description": "Inner.", "properties": {}}
    schema = {"type": "object", "description": "Top.", "properties": {"inner": inner}}
    # The property's own description line comes first; the object repeats it, mid-line.
    assert_parameters(ref, schema, "// Top.\n{\n// Inner.\ninner?:     // Inner.\n{\n    },\n}")


def test_title_description_and_examples_become_comments(ref):
    city = {
        "type": "string",
        "title": "City",
        "description": "Where.",
        "examples": ["Paris", 3, "Oslo"],
    }
    assert_parameters(
        ref,
        properties(city=city),
        '{\n// City\n//\n// Where.\n// Examples:\n// - "Paris"\n// - "Oslo"\ncity?: string,\n}',
    )


def test_examples_header_needs_a_non_empty_array(ref):
    schema = properties(a={"examples": [1]}, b={"examples": []}, c={"examples": "x"})
    assert_parameters(ref, schema, "{\n// Examples:\na?: any,\nb?: any,\nc?: any,\n}")


def test_descriptions_are_not_split_into_lines(ref):
    schema = properties(a={"type": "string", "description": "one\ntwo"})
    assert_parameters(ref, schema, "{\n// one\ntwo\na?: string,\n}")


def test_nullable_appends_null_once(ref):
    schema = properties(
        a={"type": "string", "nullable": True},
        b={"type": ["string", "null"], "nullable": True},
        c={"type": "string", "nullable": 1},
    )
    assert_parameters(ref, schema, "{\na?: string | null,\nb?: string | null,\nc?: string,\n}")


def test_one_of_at_top_level_lists_variants(ref):
    schema = {
        "oneOf": [
            {"type": "string", "description": "A name.", "default": "x"},
            {"type": "number", "nullable": True},
            {"type": "string", "enum": ["a"], "default": "a"},
        ]
    }
    assert_parameters(
        ref,
        schema,
        '\n | string // A name. default: "x"\n | number | null\n | "a" // default: "a"',
    )


def test_one_of_property_description_equal_to_the_first_variants_is_dropped(ref):
    # The "deduplication" skips the property's line above, and the first
    # variant's comment is skipped for repeating it: the text appears nowhere.
    variants = [
        {"type": "number", "description": "Same."},
        {"type": "string", "description": "Other."},
    ]
    schema = properties(id={"description": "Same.", "oneOf": variants})
    assert_parameters(ref, schema, "{\nid?:\n | number\n | string // Other.\n,\n}")


def test_one_of_property_description_goes_above(ref):
    variants = [
        {"type": "number", "description": "Numeric."},
        {"type": "string", "description": "An id.", "nullable": True},
        {"type": "string", "default": "x", "enum": ["x"]},
    ]
    schema = properties(id={"description": "An id.", "default": 3, "oneOf": variants})
    schema["required"] = ["id"]
    assert_parameters(
        ref,
        schema,
        '{\n// An id.\n// default: 3\nid:\n | number\n | string | null\n | "x" // default: x\n,\n}',
    )


def test_one_of_variants_indent_three_spaces(ref):
    schema = properties(p={"oneOf": [properties(q={"type": "number"})]})
    assert_parameters(ref, schema, "{\np?:\n | {\n   q?: number,\n   }\n,\n}")


def test_one_of_that_is_not_an_array_hides_description_and_default(ref):
    hidden = {"type": "string", "oneOf": None, "description": "Hidden.", "default": "d"}
    assert_parameters(ref, properties(a=hidden), "{\na?: string,\n}")


def test_any_json_value_is_a_schema(ref):
    schema = properties(a=True, b=[1], c=2.5, d=None, e="string")
    assert_parameters(ref, schema, "{\na?: any,\nb?: any,\nc?: any,\nd?: any,\ne?: any,\n}")
    assert_parameters(ref, {}, "any")


# -- defaults ---------------------------------------------------------------------


def test_string_default_is_quoted_raw(ref):
    schema = properties(a={"type": "string", "default": 'say "hi"\n'})
    assert_parameters(ref, schema, '{\na?: string, // default: "say "hi"\n"\n}')


def test_string_default_of_an_enum_is_bare(ref):
    schema = properties(u={"type": "string", "enum": ["c", "f"], "default": "c"})
    assert_parameters(ref, schema, '{\nu?: "c" | "f", // default: c\n}')


ESCAPED = "q\"b\\n\n\t\r\b\f\x00\x1f\x7fé\u2028"


@pytest.mark.parametrize(
    "value, printed",
    [
        (0, "0"),
        (-1, "-1"),
        (2**64 - 1, "18446744073709551615"),
        (-(2**63), "-9223372036854775808"),
        (2**64, "1.8446744073709552e19"),
        (-(2**63) - 1, "-9.223372036854776e18"),
        (10**30, "1e30"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (0.1, "0.1"),
        (123.456, "123.456"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e16"),
        (1.5e16, "1.5e16"),
        (1e21, "1e21"),
        (1.5e300, "1.5e300"),
        (1e-5, "0.00001"),
        (1.5e-5, "0.000015"),
        (1e-6, "1e-6"),
        (1e-7, "1e-7"),
        (1.2345e-7, "1.2345e-7"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
        ([1, "two", [3.0], {}], '[1,"two",[3.0],{}]'),
        ({"b": 1, "a": [None, True]}, '{"b":1,"a":[null,true]}'),
        ([ESCAPED], '["q\\"b\\\\n\\n\\t\\r\\b\\f\\u0000\\u001f\x7fé\u2028"]'),
        ({"k\n": "v"}, '{"k\\n":"v"}'),
    ],
)
def test_default_prints_like_serde_json_display(ref, value, printed):
    assert_default(ref, value, printed)


def test_default_floats_are_parsed_the_naive_serde_json_way(ref):
    # serde_json without `float_roundtrip` scales a 17-digit integer by a power
    # of ten in floating point: the value can land one ulp away.
    assert_default(ref, 2.7715077941825975e-163, "2.7715077941825978e-163")
    assert_default(ref, -3.44654920223904e-30, "-3.4465492022390396e-30")


def test_default_long_integers_keep_only_leading_digits(ref):
    # 2**64 + 2**11 + 1 rounds up in Python, but serde_json drops the digits
    # after the 19th and scales, landing on 2**64.
    assert float(2**64 + 2**11 + 1) == 1.8446744073709556e19
    assert_default(ref, 2**64 + 2**11 + 1, "1.8446744073709552e19")


def test_default_null_is_printed(ref):
    schema = properties(a={"type": "string", "default": None})
    assert_parameters(ref, schema, "{\na?: string, // default: null\n}")


# -- the JSON round trip ------------------------------------------------------------


def test_keys_are_converted_as_json_dumps_converts_them(ref):
    schema = {
        "type": "object",
        "properties": {1: {}, False: {}, None: {}, 1.5: {}, math.nan: {}, -2.0: {}, 10**20: {}},
        "required": ["1", "null"],
    }
    assert_parameters(
        ref,
        schema,
        "{\n1: any,\nfalse?: any,\nnull: any,\n1.5?: any,\nNaN?: any,\n-2.0?: any,\n"
        "100000000000000000000?: any,\n}",
    )


def test_duplicate_keys_keep_the_first_place_and_the_last_value(ref):
    schemas = {1: {"type": "string"}, "x": {}, "1": {"type": "boolean"}}
    schema = {"type": "object", "properties": schemas}
    assert_parameters(ref, schema, "{\n1?: boolean,\nx?: any,\n}")


def test_tuples_are_arrays(ref):
    schema = properties(a={"type": ("string", "null"), "default": (1, (2,))})
    assert_parameters(ref, schema, "{\na?: string | null, // default: [1,[2]]\n}")


def test_str_and_int_subclasses_are_their_plain_values(ref):
    class Color(str, enum.Enum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 9

    red = {"type": "string", "enum": [Color.RED], "default": [Size.BIG]}
    schema = {"type": "object", "properties": {Color.RED: red}}
    assert_parameters(ref, schema, '{\nred?: "red", // default: [9]\n}')


def test_ordered_dicts_keep_their_order(ref):
    # As json.dumps reads them; pydantic < 2.14 in the reference took storage order (a, b).
    schemas = OrderedDict([("a", {}), ("b", {})])
    schemas.move_to_end("a")
    assert_parameters(ref, {"type": "object", "properties": schemas}, "{\nb?: any,\na?: any,\n}")


def test_surrogate_pairs_are_joined(ref):
    pair = "\ud83d\ude00"
    schema = {"type": "object", "properties": {pair: {"type": "string", "default": pair}}}
    assert_section(
        ref,
        functions(schema, description="d" + pair, name="n" + pair),
        signature('{\n😀?: string, // default: "😀"\n}', description="d😀", name="n😀"),
    )


def test_lone_surrogates_are_refused(ref):
    assert_refused(ref, functions({"x-note": "\ud800"}), "lone surrogate")
    assert_refused(ref, functions({}, description="\udc00"), "lone surrogate")


@pytest.mark.parametrize(
    "value, name", [(math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")]
)
def test_nan_and_infinity_are_refused(ref, value, name):
    spec = functions({"type": "object", "x-limit": [value]})
    assert_refused(ref, spec, rf"\['x-limit'\]\[0\]: {name} is not valid JSON")


@pytest.mark.parametrize("value", [10**309, -(10**400), 2**1024 - 2**970 - 1])
def test_numbers_serde_json_parses_to_infinity_are_refused(ref, value):
    assert_refused(ref, functions({"maximum": value}), "out of range")


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), 1j])
def test_values_json_dumps_cannot_serialize_are_refused(ref, value):
    match = f"{type(value).__name__} is not JSON serializable"
    assert_refused(ref, functions({"x": value}), match)


@pytest.mark.parametrize("parameters", [{"x": [10**5000]}, {10**5000: 1}])
def test_integers_too_long_for_json_dumps_are_refused(ref, parameters):
    assert_refused(ref, functions(parameters), "too many digits to write as JSON")


def test_keys_json_dumps_cannot_serialize_are_refused(ref):
    match = "keys must be str, int, float, bool or None, not tuple"
    assert_refused(ref, functions({(1, 2): "x"}), match)


def test_refusals_are_value_errors():
    with pytest.raises(ValueError):
        ours(functions({"x": math.nan}))
    with pytest.raises(HarmonyError):
        ours(functions({"x": math.nan}))


# -- nesting ---------------------------------------------------------------------------


def test_deepest_schema_the_reference_accepts_renders(ref):
    # serde_json refuses more than 127 nested arrays and objects in a message;
    # the parameters sit 8 deep, and each object level adds 2.
    assert_parameters(ref, nested_objects(59), nested_objects_text(59))


def test_one_level_deeper_is_refused(ref):
    assert_refused(ref, functions(nested_objects(60)), "nests deeper than the 127 levels")


def test_deeply_nested_arrays_count_one_level_each(ref):
    def nested_lists(levels):
        value = 1
        for _ in range(levels):
            value = [value]
        return value

    accepted = functions(properties(a={"default": nested_lists(117)}))
    assert ours(accepted) == reference(ref, accepted)
    refused = functions(properties(a={"default": nested_lists(118)}))
    assert_refused(ref, refused, "nests deeper")


def test_very_deep_schema_is_refused_without_recursion_error():
    with pytest.raises(HarmonyValueError, match=r"nests deeper.*flatten the schema"):
        ours(functions(nested_objects(100000)))


def test_conversations_nest_the_tools_two_levels_deeper(ref):
    def render_conversation(spec):
        conversation = oh.Conversation.from_messages([developer_message(spec)])
        return ref.decode_utf8(ref.render_conversation(conversation))

    assert CONVERSATION_TOOLS_DEPTH == MESSAGE_TOOLS_DEPTH + 2
    fits = functions(nested_objects(58))
    assert render_conversation(fits) == PREFIX + ours(fits, CONVERSATION_TOOLS_DEPTH) + SUFFIX
    too_deep = functions(nested_objects(59))
    with pytest.raises(ValueError):
        render_conversation(too_deep)
    with pytest.raises(HarmonyValueError, match="nests deeper"):
        tools_section({"functions": ToolNamespaceConfig(**too_deep["functions"])})  # the default


def test_reference_cycles_are_refused():
    schema = {"type": "object"}
    schema["properties"] = {"self": schema}
    with pytest.raises(HarmonyValueError, match="reference cycle"):
        ours(functions(schema))
