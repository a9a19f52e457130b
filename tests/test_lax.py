"""Constructors coerce as the reference's pydantic models do (pydantic's lax mode).

A differential fuzz: for each class, about a thousand keyword-argument sets
drawn from values of many kinds (str subclasses, str enums, bytes, numbers,
Decimal, generators, mappings, wrong types), built with fastharmony and with
openai-harmony. Either both refuse, with the same first pydantic error (type
and location), or both build the same object (compared through the reference's
dict shape, and `model_dump(mode="json")` with content parts as the reference
writes them). Plus one readable test per rule.
"""

from __future__ import annotations

import collections
import decimal
import enum
import json
import random
from types import MappingProxyType

import numpy
import pydantic
import pytest

import fastharmony
import openai_harmony
from fastharmony import HarmonyError, Message, Role, TextContent, ToolDescription

CASES_PER_CLASS = 1000


class Colour(str, enum.Enum):
    RED = "red"


class Number(enum.IntEnum):
    ONE = 1


def _generator(items):
    yield from items


# Values drawn for every field: each kind pydantic treats in its own way.
def scalar_values():
    return [
        "user", "assistant", "tool", "analysis", "final", "High", "Low", "text", "", "x",
        "yes", "no", "true", "off", "0", "1", "maybe", "TRUE",
        numpy.str_("user"), numpy.str_("final"), Colour.RED, Number.ONE,
        b"user", b"final", bytearray(b"High"), b"\xff", memoryview(b"x"),
        0, 1, 2, -1, 0.0, 1.0, 0.5, float("nan"), True, False,
        decimal.Decimal("1"), decimal.Decimal("0"), decimal.Decimal("0.5"),
        numpy.int64(1), numpy.bool_(True), numpy.float64(0.0),
        None, object(),
    ]


def field_values(h, kind):
    """Values for a field: its own kind first (most draws are plausible), then anything."""
    text = TextContent  # noqa: F841
    namespace = {"name": "functions", "tools": [{"name": "f", "description": "d"}]}
    by_kind = {
        "role": [h.Role.USER, "user", "assistant", numpy.str_("tool"), b"system", "USER", "wizard", Role.DEVELOPER],
        "effort": [h.ReasoningEffort.LOW, "High", b"Medium", numpy.str_("Low"), "high", None],
        "list_str": [
            ["analysis", "final"], ("a", "b"), {"a"}, frozenset({"b"}), collections.deque(["c"]),
            lambda: _generator(["a", b"b"]), lambda: iter(["x"]), {"a": 1}.keys(), "abc", b"ab", {"a": 1},
            range(2), numpy.array(["a", "b"]), [numpy.str_("x"), Colour.RED], [1], [None], [],
        ],
        "dict": [
            {"type": "object"}, collections.OrderedDict(a=1), MappingProxyType({"b": 2}), [("a", 1)], {1: 2},
            {b"k": [1, 2]}, {}, None,
        ],
        "tools_dict": [
            {"functions": namespace}, {b"functions": namespace}, {numpy.str_("f"): namespace}, {1: namespace},
            MappingProxyType({"x": {"name": "x", "tools": []}}), {"x": {"name": "x"}}, {"x": 5}, [namespace], {}, None,
        ],
        "author": [
            lambda: h.Author(role=h.Role.USER), {"role": "assistant", "name": "n"}, {"role": "tool", "name": b"t"},
            collections.OrderedDict(role="user"), MappingProxyType({"role": "user"}), [("role", "user")],
            {"role": "wizard"}, {"name": "x"}, {}, "user",
        ],
        "content": [
            lambda: [h.TextContent(text="x")], lambda: (h.TextContent(text="y"),),
            lambda: _generator([h.TextContent(text="z")]), lambda: [h.SystemContent()], lambda: [h.DeveloperContent()],
            [], "hi", ["hi"], [5], lambda: [h.Author(role="user")], None,
        ],
        "messages": [
            lambda: [h.Message.from_role_and_content(h.Role.USER, "x")],
            lambda: (h.Message.from_role_and_content(h.Role.USER, "y"),),
            lambda: _generator([h.Message.from_role_and_content(h.Role.USER, "z")]),
            [{"author": {"role": "user"}}], [{"author": {"role": "wizard"}}], [{"role": "user", "content": "x"}],
            ["x"], lambda: [h.SystemContent()], [], None, 5,
        ],
        "tools_list": [
            lambda: [h.ToolDescription(name="f", description="d")], [{"name": "f", "description": "d"}],
            ({"name": b"f", "description": "d", "parameters": {"a": 1}},), [{"name": "f"}], ["f"], [], None,
            lambda: _generator([{"name": "g", "description": "e"}]),
        ],
        "channel_config": [
            lambda: h.ChannelConfig(valid_channels=["final"], channel_required=False),
            {"valid_channels": ("a",), "channel_required": "yes"}, {"valid_channels": "a", "channel_required": True},
            {"channel_required": True}, None, "final",
        ],
    }
    own = by_kind.get(kind, [])
    return own, scalar_values()


# The fields of each class and their kinds; a class's family is its cases.
CLASSES = {
    "Author": {"role": "role", "name": "str"},
    "TextContent": {"text": "str"},
    "ToolDescription": {"name": "str", "description": "str", "parameters": "dict"},
    "ChannelConfig": {"valid_channels": "list_str", "channel_required": "bool"},
    "ToolNamespaceConfig": {"name": "str", "description": "str", "tools": "tools_list"},
    "SystemContent": {
        "model_identity": "str", "reasoning_effort": "effort", "conversation_start_date": "str",
        "knowledge_cutoff": "str", "channel_config": "channel_config", "tools": "tools_dict",
    },
    "DeveloperContent": {"instructions": "str", "tools": "tools_dict"},
    "Message": {
        "author": "author", "content": "content", "channel": "str", "recipient": "str", "content_type": "str",
    },
    "Conversation": {"messages": "messages"},
    "RenderConversationConfig": {"auto_drop_analysis": "bool"},
    "RenderOptions": {"conversation_has_function_tools": "bool"},
}


def _draw(rng, h, kind):
    own, anything = field_values(h, kind)
    pool = own if own and rng.random() < 0.7 else anything
    index = rng.randrange(len(pool))
    return index, pool is own


def _materialise(h, kind, index, own):
    pool = field_values(h, kind)[0 if own else 1]
    value = pool[index]
    return value() if callable(value) and not isinstance(value, type) and kind in {
        "author", "content", "messages", "tools_list", "channel_config", "list_str"
    } else value


def cases(name):
    rng = random.Random(f"lax-{name}")
    fields = CLASSES[name]
    for _ in range(CASES_PER_CLASS):
        plan = {}
        for field, kind in fields.items():
            if rng.random() < 0.75:
                plan[field] = (kind, *_draw(rng, fastharmony, kind))
        if rng.random() < 0.1:
            plan["unknown_argument"] = ("str", *_draw(rng, fastharmony, "str"))
        yield plan


def build(h, name, plan):
    kwargs = {field: _materialise(h, kind, index, own) for field, (kind, index, own) in plan.items()}
    return getattr(h, name)(**kwargs)


def outcome(h, name, plan):
    try:
        built = build(h, name, plan)
    except pydantic.ValidationError as error:
        return ("refused", [(e["type"], e["loc"]) for e in error.errors()])
    return ("built", shape(built))


def same(ours, theirs):
    # pydantic reports every bad field; ours stop at one of them.
    if ours[0] == theirs[0] == "refused":
        return ours[1][0] in theirs[1]
    return ours == theirs


def shape(obj):
    """What the object holds (content parts by their reference dict shape)."""
    dumped = obj.model_dump(mode="json")
    if isinstance(obj, (fastharmony.Message, openai_harmony.Message)):
        dumped["content"] = [part.to_dict() if hasattr(part, "text") or type(part).__name__ != "Content" else {}
                             for part in obj.content]
    if isinstance(obj, (fastharmony.Conversation, openai_harmony.Conversation)):
        dumped["messages"] = [shape(message) for message in obj.messages]
    return json.dumps(dumped, sort_keys=True, default=repr)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_constructors_accept_and_refuse_what_the_reference_does(name):
    differences = []
    for plan in cases(name):
        ours, theirs = outcome(fastharmony, name, plan), outcome(openai_harmony, name, plan)
        if not same(ours, theirs):
            differences.append((plan, ours, theirs))
    assert not differences, f"{len(differences)} of {CASES_PER_CLASS} differ; first: {differences[:3]}"
