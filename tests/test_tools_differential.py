"""The `# Tools` section against openai-harmony, on random tool declarations.

Random namespaces and tools (names and descriptions with unicode, quotes, line
breaks, text spelling special tokens), random JSON Schemas over the keywords the
renderer knows with arbitrary JSON mixed in anywhere, and random `default`s.
Every example must render byte for byte as the reference renders it, or be
refused by both.
"""

import math

import openai_harmony as oh
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from fastharmony import ToolNamespaceConfig
from fastharmony._errors import HarmonyValueError
from fastharmony._tools import MESSAGE_TOOLS_DEPTH, tools_section

# The nested strategies below are big; hypothesis warns when it prints one.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

PREFIX = "<|start|>developer<|message|>"
SUFFIX = "<|end|>"
REFUSED = "refused"


def our_outcome(spec):
    # Fresh tools lists: our constructor replaces dict items by ToolDescriptions in place.
    tools = {
        key: ToolNamespaceConfig(**dict(namespace, tools=list(namespace["tools"])))
        for key, namespace in spec.items()
    }
    try:
        return tools_section(tools, tools_depth=MESSAGE_TOOLS_DEPTH)
    except HarmonyValueError:
        return REFUSED


def reference_outcome(ref, spec):
    tools = {key: oh.ToolNamespaceConfig(**namespace) for key, namespace in spec.items()}
    message = oh.Message.from_role_and_content(oh.Role.DEVELOPER, oh.DeveloperContent(tools=tools))
    try:
        text = ref.decode_utf8(ref.render(message))
    except (ValueError, TypeError):  # serde_json's or json.dumps's refusal
        return REFUSED
    assert text.startswith(PREFIX) and text.endswith(SUFFIX)
    return text[len(PREFIX) : -len(SUFFIX)]


# -- strategies --------------------------------------------------------------------


def short(strategy):
    """`strategy`, with a short repr: hypothesis prints strategies in its events."""
    return st.deferred(lambda: strategy)


SPECIAL_TEXT = [
    "<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|call|>", "<|return|>",
    "<|constrain|>", "<|endoftext|>", "\n", "\r", "\r\n", "\n\n", '"', "\\", "'", "\t",
    "\x00", "\x1f", "\x7f", "\x0b", "\x0c", "\x85", "\u2028", "é", "日本", "😀",
    "// ", " | ", "{", "}", "null", "default: ", "Examples:",
]  # fmt: skip
# A surrogate pair, which the reference's JSON layer joins into one character.
PAIR = "x\ud83d\ude00"

texts = short(
    st.one_of(
        st.text(max_size=10),
        st.lists(st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(max_size=3)), max_size=5).map(
            "".join
        ),
    )
)
# Small pools make `required`, enums and the description deduplication hit.
names = short(st.one_of(st.sampled_from(["a", "b", "id", "x y", "é", "<|call|>", ""]), texts))
descriptions = short(
    st.one_of(
        st.sampled_from(["Same.", "Other."]), st.sampled_from(["Same.", "two\nlines", ""]), texts
    )
)

in_range_integers = st.integers(-(2**63), 2**64 - 1)  # exact for serde_json too
integers = short(
    st.one_of(
        *[in_range_integers] * 6,
        st.integers(),
        st.integers(-(2**64) - 5, 2**64 + 5),
        st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, -(2**64)]),
        # Near powers of ten, some past the largest float (both sides must refuse those).
        st.integers(15, 320).flatmap(
            lambda e: st.integers(10**e - 10 ** (e // 2), 10**e + 10 ** (e // 2))
        ),
        # Around where serde_json's float parsing overflows.
        st.integers(2**1023, 2**1024).map(lambda n: n if n % 2 else -n),
    )
)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
# Short decimals at every exponent, to cross each of ryu's formatting thresholds.
decimal_floats = st.builds(
    lambda digits, exponent: float(f"{digits}e{exponent}"),
    st.integers(-(10**6), 10**6),
    st.integers(-330, 300),
)
floats = st.one_of(
    *[finite_floats] * 3,
    decimal_floats,
    st.sampled_from([0.0, -0.0, 1e15, 1e16, 1e-5, 1e-6, 9.5e-6, 5e-324, 1.7976931348623157e308]),
    # Near the largest float, where serde_json's parsing may overflow.
    st.one_of(
        st.floats(min_value=1e300, allow_infinity=False),
        st.floats(max_value=-1e300, allow_infinity=False),
    ),
)
scalars = short(st.one_of(st.none(), st.booleans(), integers, floats, texts))
keys = short(  # what json.dumps converts: 1 -> "1", True -> "true", ...
    st.one_of(
        names,
        names,
        st.integers(-3, 3),
        st.booleans(),
        st.none(),
        st.floats(width=16),
        st.just(PAIR),
    )
)


def json_values(leaves, plain=False):
    """JSON values; unless `plain`, with tuples and keys json.dumps must convert."""

    def containers(children):
        if plain:
            return st.one_of(
                st.lists(children, max_size=4), st.dictionaries(names, children, max_size=4)
            )
        return st.one_of(
            st.lists(children, max_size=4),
            st.tuples(children, children),
            st.dictionaries(keys, children, max_size=4),
        )

    return short(st.recursive(leaves, containers, max_leaves=8))


values = json_values(st.one_of(scalars, scalars, scalars, st.just(PAIR)))
plain_values = json_values(scalars, plain=True)  # what real schemas hold
type_names = st.sampled_from(
    ["object", "string", "number", "integer", "boolean", "array", "null", "any"]
)


def schema_strategies(values, keys):
    """(schemas, tool parameters) whose arbitrary JSON is drawn from `values`."""

    def keyword(good):
        # Mostly of the type the renderer looks for, sometimes any JSON.
        return st.one_of(good, good, good, values)

    def schema_object(children):
        common = {
            "description": keyword(descriptions),
            "title": keyword(descriptions),
            "examples": keyword(st.lists(st.one_of(names, values), max_size=3)),
            "default": values,
            "nullable": keyword(st.booleans()),
        }

        def shaped(always, **optional):
            return st.fixed_dictionaries(always, optional={**common, **optional})

        properties = keyword(st.dictionaries(names, children, max_size=4))
        required = keyword(st.lists(st.one_of(names, names, values), max_size=4))
        enum = keyword(st.lists(st.one_of(names, names, values), max_size=4))
        one_of = keyword(st.lists(children, max_size=3))
        type_lists = st.lists(st.one_of(type_names, type_names, values), max_size=3)
        return st.one_of(
            shaped({"type": st.just("object"), "properties": properties}, required=required),
            shaped({"type": st.just("string")}, enum=enum),
            shaped({"type": type_names}),
            shaped({"type": st.just("array")}, items=children),
            shaped({"oneOf": one_of}, type=type_names, enum=enum),
            shaped({"type": type_lists}),
            # Any keyword with any value.
            st.fixed_dictionaries(
                {},
                optional={
                    "type": st.one_of(type_names, values),
                    "properties": st.one_of(properties, values),
                    "required": required,
                    "enum": enum,
                    "oneOf": one_of,
                    "items": st.one_of(children, values),
                    **common,
                },
            ),
        )

    leaves = short(st.one_of(schema_object(values), values))
    schemas = short(st.recursive(leaves, schema_object, max_leaves=12))
    object_schemas = st.fixed_dictionaries(
        {
            "type": st.just("object"),
            "properties": st.dictionaries(names, schemas, min_size=1, max_size=5),
        },
        optional={"required": st.lists(names, max_size=4), "description": descriptions},
    )
    parameters = short(
        st.one_of(
            object_schemas,
            object_schemas,
            object_schemas,
            schema_object(schemas),
            st.dictionaries(keys, values, max_size=3),
            st.none(),
        )
    )
    return schemas, parameters


def without_none_parameters(tool):
    if tool["parameters"] is None:
        return {"name": tool["name"], "description": tool["description"]}
    return tool


def tools_specs(parameters):
    labels = st.one_of(names, names, names, st.just(PAIR))
    tool = st.fixed_dictionaries(
        {"name": labels, "description": descriptions, "parameters": parameters}
    ).map(without_none_parameters)
    tools = st.lists(tool, min_size=1, max_size=3)
    namespace = st.fixed_dictionaries(
        {"name": labels, "tools": st.one_of(tools, tools, tools, st.just([]))},
        optional={"description": st.one_of(descriptions, st.just(PAIR))},
    )
    return st.dictionaries(labels, namespace, min_size=1, max_size=3)


schemas, any_parameters = schema_strategies(values, keys)
plain_parameters = schema_strategies(plain_values, names)[1]
parameters = st.one_of(plain_parameters, any_parameters)



def nested_lists(levels):
    value = []
    for _ in range(levels):
        value = [value]
    return value


# Values neither side can take, and keys json.dumps cannot write.
POISONS = [
    ("value", math.nan, "NaN"),
    ("value", math.inf, "Infinity"),
    ("value", -math.inf, "-Infinity"),
    ("value", "\ud800", "lone high surrogate"),
    ("value", "a\udfff", "lone low surrogate"),
    ("value", 10**309, "1e309 (serde_json: out of range)"),
    ("value", -(2**1024), "-2**1024 (serde_json: out of range)"),
    ("value", 2**1024 - 2**970, "2**1024 - 2**970 (serde_json: out of range)"),
    ("value", 10**5000, "10**5000 (too many digits for json.dumps)"),
    ("value", {1}, "a set"),
    ("value", b"x", "bytes"),
    ("value", 1j, "a complex"),
    ("value", nested_lists(130), "130 nested lists"),
    ("key", (1, 2), "a tuple key"),
    ("key", frozenset(), "a frozenset key"),
    ("key", 10**5000, "a 10**5000 key"),
    ("key", "\udc00", "a lone surrogate key"),
]
# Each poison gets a tenth of the profile's examples (FASTHARMONY_EXAMPLES).
EXAMPLES_PER_POISON = max(10, settings.default.max_examples // 10)


# `oneOf` schemas, whose comments and deduplication have the most rules.
defaults = st.one_of(names, scalars, values)
variants = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "type": type_names,
            "description": descriptions,
            "default": defaults,
            "nullable": st.booleans(),
            "enum": st.lists(names, max_size=2),
        },
    ),
    # An enum's string default prints differently at top level and at property level.
    st.fixed_dictionaries(
        {"enum": st.lists(names, min_size=1, max_size=2), "default": names},
        optional={"type": type_names, "description": descriptions},
    ),
)
one_of_schemas = st.fixed_dictionaries(
    {"oneOf": st.lists(st.one_of(variants, variants, schemas), max_size=3)},
    optional={
        "description": descriptions,
        "default": defaults,
        "title": descriptions,
        "examples": st.lists(names, max_size=2),
        "enum": st.lists(names, max_size=2),
    },
)


# -- properties --------------------------------------------------------------------


@given(spec=tools_specs(parameters))
def test_tools_section_matches_reference(ref, spec):
    expected = reference_outcome(ref, spec)
    event(REFUSED if expected == REFUSED else "rendered")
    assert our_outcome(spec) == expected


def containers(value):
    """The dicts and lists in `value`, outermost first."""
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(item)
            stack.extend(item)
    return found


@pytest.mark.parametrize("where, poison", [p[:2] for p in POISONS], ids=[p[2] for p in POISONS])
@settings(max_examples=EXAMPLES_PER_POISON)
@given(spec=tools_specs(plain_parameters), data=st.data())
def test_refuses_what_the_reference_refuses(ref, where, poison, spec, data):
    # One poison, anywhere in otherwise plain parameters: both sides must refuse.
    places = [
        place
        for namespace in spec.values()
        for tool in namespace["tools"]
        for place in containers(tool.get("parameters"))
        if where == "value" or isinstance(place, dict)
    ]
    assume(places)
    place = data.draw(st.sampled_from(places))
    if where == "key":
        place[poison] = data.draw(plain_values)
    elif isinstance(place, list):
        place.insert(data.draw(st.integers(0, len(place))), poison)
    else:
        place[data.draw(names)] = poison
    assert reference_outcome(ref, spec) == REFUSED
    assert our_outcome(spec) == REFUSED


@given(
    properties=st.dictionaries(names, one_of_schemas, min_size=1, max_size=3),
    top_level=one_of_schemas,
    items=one_of_schemas,
)
def test_one_of_schemas_match_reference(ref, properties, top_level, items):
    properties = dict(properties, list={"type": "array", "items": items})
    parameters = {"type": "object", "properties": properties, "required": ["a", "id"]}
    tools = [
        {"name": "f", "description": "", "parameters": parameters},
        {"name": "g", "description": "", "parameters": top_level},
    ]
    spec = {"ns": {"name": "ns", "tools": tools}}
    assert our_outcome(spec) == reference_outcome(ref, spec)


@given(
    default=defaults,
    schema_type=type_names,
    enum=st.one_of(st.none(), st.lists(names, max_size=2)),
)
def test_defaults_print_as_the_reference_prints_them(ref, default, schema_type, enum):
    prop = {"type": schema_type, "default": default}
    if enum is not None:
        prop["enum"] = enum
    parameters = {"type": "object", "properties": {"p": prop}}
    spec = {
        "functions": {
            "name": "functions",
            "tools": [{"name": "f", "description": "", "parameters": parameters}],
        }
    }
    assert our_outcome(spec) == reference_outcome(ref, spec)
