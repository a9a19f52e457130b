"""pydantic interop: our classes as pydantic field types, and the BaseModel
methods the reference's classes carry, compared with openai-harmony's own
classes (which ARE pydantic models).

The one intended difference: the reference types message content as the empty
base `Content`, so its dumps write each part as `{}` and it validates a part
given as a dict into an empty `Content()`. Ours keep the part. Comparisons of
messages therefore blank our parts the way the reference does (`as_reference`).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pydantic
import pytest
from hypothesis import given

import fastharmony
import openai_harmony
from fastharmony import HarmonyError, Message, Role, SystemContent, TextContent
from strategies import message_specs

WEATHER = {"type": "object", "properties": {"city": {"type": "string", "default": None}}, "required": ["city"]}
CLASSES = [
    "Author", "ChannelConfig", "Content", "Conversation", "DeveloperContent", "Message", "RenderConversationConfig",
    "RenderOptions", "SystemContent", "TextContent", "ToolDescription", "ToolNamespaceConfig",
]
DUMP_OPTIONS = [
    {},
    {"mode": "json"},
    {"exclude_none": True},
    {"mode": "json", "exclude_none": True},
    {"exclude_defaults": True},
    {"include": {"author"}},
    {"exclude": {"author": {"name"}, "channel": True}},
    {"include": {"author": True, "content": {0}}},
    {"exclude": {"content": {"__all__"}}},
    {"by_alias": True, "mode": "json"},
]


def as_reference(dumped):
    """A dump of ours with every message content part blanked, as the reference writes it."""
    if isinstance(dumped, dict):
        return {key: ([{} for _ in value] if key == "content" and isinstance(value, list) else as_reference(value))
                for key, value in dumped.items()}
    if isinstance(dumped, list):
        return [as_reference(item) for item in dumped]
    return dumped


def both(build):
    return build(fastharmony), build(openai_harmony)


def messages(h):
    return [
        h.Message.from_role_and_content(h.Role.USER, "Hi"),
        h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, "functions.f"), "42")
        .with_channel("commentary").with_recipient("assistant"),
        h.Message.from_role_and_content(h.Role.SYSTEM, h.SystemContent.new().with_browser_tool()),
        h.Message.from_role_and_content(
            h.Role.DEVELOPER, h.DeveloperContent.new().with_function_tools([h.ToolDescription.new("f", "d", WEATHER)])
        ),
    ]


# -- our classes as pydantic field types ------------------------------------------------------


def request_model(h):
    class Request(pydantic.BaseModel):
        m: list[h.Message | dict] | None = None
        c: h.Conversation | None = None
        s: h.SystemContent = h.SystemContent()
        o: h.RenderConversationConfig | None = None

    return Request


def test_a_pydantic_model_holds_messages_as_the_issue_shows():
    class R(pydantic.BaseModel):
        m: list[fastharmony.Message | dict] | None = None

    message = Message.from_role_and_content(Role.USER, "hi")
    assert R(m=[message]).m[0] is message
    assert R(m=[{"author": {"role": "user"}}]).m == [{"author": {"role": "user"}}]  # a dict stays a dict
    assert message.model_dump(exclude_none=True) == {
        "author": {"role": Role.USER}, "content": [{"type": "text", "text": "hi"}]
    }


@pytest.mark.parametrize("options", DUMP_OPTIONS[:5], ids=str)
def test_an_enclosing_model_validates_and_dumps_as_the_reference(options):
    def build(h):
        return request_model(h)(
            m=[*messages(h), {"author": {"role": "user"}, "note": "a dict stays a dict"}],
            c=h.Conversation.from_messages(messages(h)),
            s={"reasoning_effort": "High", "tools": {"python": h.ToolNamespaceConfig.python()}},
            o={"auto_drop_analysis": "false"},
        )

    ours, theirs = both(build)
    assert as_reference(ours.model_dump(**options)) == theirs.model_dump(**options)
    assert as_reference(json.loads(ours.model_dump_json(exclude_none=True))) == json.loads(
        theirs.model_dump_json(exclude_none=True)
    )


def test_an_enclosing_model_validates_json_as_the_reference():
    payload = json.dumps({"m": [{"author": {"role": "user"}}, {"x": 1}], "c": {"messages": [{"author": {"role": "tool", "name": "t"}}]},
                          "s": {"model_identity": None}})
    ours, theirs = both(lambda h: request_model(h).model_validate_json(payload))
    assert as_reference(ours.model_dump(mode="json")) == theirs.model_dump(mode="json")
    assert [type(item).__name__ for item in ours.m] == [type(item).__name__ for item in theirs.m]


def test_an_enclosing_model_keeps_the_parts_the_reference_loses():
    Request = request_model(fastharmony)
    request = Request(m=[Message.from_role_and_content(Role.USER, "Hi")])
    dumped = request.model_dump(mode="json")
    assert dumped["m"][0]["content"] == [{"type": "text", "text": "Hi"}]
    again = Request.model_validate(
        {"c": {"messages": [{"author": {"role": "user"}, "content": [{"type": "text", "text": "x"}]}]}}
    )
    assert again.c.messages[0].content == [TextContent(text="x")]
    assert Request.model_validate_json(request.model_dump_json()).m[0] == request.m[0].model_dump(mode="json")


@pytest.mark.parametrize(
    "value",
    [3, "x", [1], {"author": {"role": "wizard"}}, {"author": {"role": "user"}, "channel": 5}, {"content": []}],
    ids=repr,
)
def test_an_enclosing_model_refuses_what_the_reference_refuses(value):
    def errors(h):
        class R(pydantic.BaseModel):
            m: h.Message

        with pytest.raises(pydantic.ValidationError) as raised:
            R(m=value)
        return [(error["type"], error["loc"], error["msg"]) for error in raised.value.errors()]

    ours, theirs = both(errors)
    assert ours[0] in theirs


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_json_schemas_are_the_references(name, mode):
    ours, theirs = both(lambda h: getattr(h, name).model_json_schema(mode=mode))
    assert json.dumps(ours) == json.dumps(theirs)


def test_an_enclosing_models_json_schema_is_the_references():
    ours, theirs = both(lambda h: request_model(h).model_json_schema())
    assert json.dumps(ours) == json.dumps(theirs)


# -- the BaseModel methods ---------------------------------------------------------------------


@pytest.mark.parametrize("options", DUMP_OPTIONS, ids=str)
def test_model_dump_of_a_message_is_the_references_but_for_the_parts(options):
    for ours, theirs in zip(*both(messages)):
        assert as_reference(ours.model_dump(**options)) == theirs.model_dump(**options)
        json_options = {key: value for key, value in options.items() if key != "mode"}
        assert as_reference(json.loads(ours.model_dump_json(**json_options))) == json.loads(
            theirs.model_dump_json(**json_options)
        )


@pytest.mark.parametrize(
    "build",
    [
        lambda h: h.SystemContent.new().with_browser_tool().with_conversation_start_date("2025-01-01"),
        lambda h: h.SystemContent(reasoning_effort="Low", channel_config=None, knowledge_cutoff=None),
        lambda h: h.DeveloperContent.new().with_instructions("Grüße \u2028 \x00").with_function_tools(
            [h.ToolDescription.new("f", "d", {**WEATHER, "n": [1.5, 1e20, 10**20, True, None]})]
        ),
        lambda h: h.TextContent(text="x"),
        lambda h: h.Author.new(h.Role.TOOL, "t"),
        lambda h: h.ToolNamespaceConfig.python(),
        lambda h: h.ChannelConfig.require_channels(["final"]),
        lambda h: h.RenderConversationConfig(auto_drop_analysis=False),
        lambda h: h.RenderOptions(),
    ],
)
@pytest.mark.parametrize("options", [{}, {"exclude_none": True}, {"exclude_defaults": True}, {"indent": 2},
                                     {"exclude": {"tools"}}], ids=str)
def test_model_dump_json_writes_the_references_text(build, options):
    ours, theirs = both(build)
    assert ours.model_dump_json(**options) == theirs.model_dump_json(**options)
    dump_options = {key: value for key, value in options.items() if key != "indent"}
    assert ours.model_dump(**dump_options) == theirs.model_dump(**dump_options)
    assert ours.model_dump(mode="json", **dump_options) == theirs.model_dump(mode="json", **dump_options)


def test_a_part_dumps_without_its_type_at_the_top_and_with_it_inside_a_message():
    assert TextContent(text="x").model_dump() == openai_harmony.TextContent(text="x").model_dump() == {"text": "x"}
    assert Message.from_role_and_content(Role.USER, "x").model_dump()["content"] == [{"type": "text", "text": "x"}]


@given(spec=message_specs(with_tools=True))
def test_messages_from_the_same_dict_dump_as_the_reference(spec):
    ours, theirs = Message.from_dict(spec), openai_harmony.Message.from_dict(spec)
    for options in ({}, {"mode": "json"}, {"mode": "json", "exclude_none": True}):
        assert as_reference(ours.model_dump(**options)) == theirs.model_dump(**options)
    for ours_part, theirs_part in zip(ours.content, theirs.content):
        assert ours_part.model_dump(mode="json") == theirs_part.model_dump(mode="json")


def test_model_copy_copies_and_updates_as_the_reference():
    for deep in (False, True):
        ours, theirs = both(lambda h: h.Message.from_role_and_content(h.Role.USER, "x"))
        ours_copy = ours.model_copy(update={"channel": "final"}, deep=deep)
        theirs_copy = theirs.model_copy(update={"channel": "final"}, deep=deep)
        assert as_reference(ours_copy.model_dump()) == theirs_copy.model_dump()
        assert ours.channel is None and ours_copy is not ours
        assert (ours_copy.content is ours.content) == (theirs_copy.content is theirs.content)
        assert (ours_copy.author is ours.author) == (theirs_copy.author is theirs.author)


@pytest.mark.parametrize(
    "name, data",
    [
        ("Author", {"role": "user", "name": b"n", "extra": 1}),
        ("SystemContent", {"reasoning_effort": "High", "channel_config": {"valid_channels": ("a",), "channel_required": 1}}),
        ("DeveloperContent", {"instructions": "x", "tools": {"functions": {"name": "functions", "tools": [{"name": "f", "description": "d"}]}}}),
        ("ToolNamespaceConfig", {"name": "n", "tools": []}),
        ("RenderConversationConfig", {"auto_drop_analysis": "no"}),
        ("Message", {"author": {"role": "user"}, "channel": "final"}),
        ("Conversation", {"messages": [{"author": {"role": "assistant"}, "recipient": "functions.f"}]}),
    ],
)
def test_model_validate_builds_what_the_reference_builds(name, data):
    ours, theirs = both(lambda h: getattr(h, name).model_validate(data))
    assert as_reference(ours.model_dump(mode="json")) == theirs.model_dump(mode="json")
    ours, theirs = both(lambda h: getattr(h, name).model_validate_json(json.dumps(data, default=lambda b: b.decode())))
    assert as_reference(ours.model_dump(mode="json")) == theirs.model_dump(mode="json")
    assert getattr(fastharmony, name).model_validate(ours) is ours


@pytest.mark.parametrize("call", ["model_validate", "model_validate_json"])
@pytest.mark.parametrize("value", [5, "[1]", "{", None], ids=repr)
def test_model_validate_refuses_what_the_reference_refuses(call, value):
    def errors(h):
        with pytest.raises(pydantic.ValidationError) as raised:
            getattr(h.Message, call)(value)
        return [(error["type"], error["loc"]) for error in raised.value.errors()]

    ours, theirs = both(errors)
    assert ours[0] in theirs


def test_exclude_unset_leaves_out_the_fields_that_hold_their_default():
    # The reference records which fields a constructor or assignment set; we
    # do not, and count as set the fields whose value is not the default.
    message = Message.from_role_and_content(Role.USER, "x").with_channel("final")
    ours, theirs = message, openai_harmony.Message.from_role_and_content(openai_harmony.Role.USER, "x").with_channel("final")
    assert as_reference(ours.model_dump(exclude_unset=True)) == theirs.model_dump(exclude_unset=True)
    assert ours.model_fields_set == {"author", "content", "channel"}
    explicit = fastharmony.Author(role=Role.USER, name=None)
    assert explicit.model_dump(exclude_unset=True) == {"role": Role.USER}  # the reference adds "name": None


def test_model_validate_keeps_parts_given_as_dicts():
    message = Message.model_validate({"author": {"role": "user"}, "content": [{"type": "text", "text": "x"}]})
    assert message.content == [TextContent(text="x")]
    # The reference loses the part: an empty Content.
    theirs = openai_harmony.Message.model_validate({"author": {"role": "user"}, "content": [{"type": "text", "text": "x"}]})
    assert type(theirs.content[0]) is openai_harmony.Content


@pytest.mark.parametrize("name", CLASSES)
def test_model_fields_are_the_references(name):
    ours, theirs = both(lambda h: getattr(h, name).model_fields)
    assert list(ours) == list(theirs)
    for field in ours:
        assert ours[field].is_required() == theirs[field].is_required(), field
        ours_default, theirs_default = (
            info.get_default(call_default_factory=True) for info in (ours[field], theirs[field])
        )
        assert getattr(ours_default, "model_dump", lambda: ours_default)() == getattr(
            theirs_default, "model_dump", lambda: theirs_default
        )()


def test_the_references_own_validation_error_test_passes():
    # openai-harmony's tests/test_harmony.py, test_decode_utf8_invalid_token.
    encoding = fastharmony.load_harmony_encoding(fastharmony.HarmonyEncodingName.HARMONY_GPT_OSS)
    with pytest.raises(pydantic.ValidationError, match="Input should be a valid dictionary or instance of Message"):
        encoding.render_conversation_for_completion(
            fastharmony.Conversation.from_messages([SystemContent.new()]), Role.ASSISTANT
        )


def test_validation_errors_are_harmony_errors_and_value_errors():
    with pytest.raises(HarmonyError) as raised:
        fastharmony.Author(role="wizard")
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, pydantic.ValidationError)


def test_without_pydantic_the_same_words_in_a_harmony_value_error():
    # A real process: pydantic must be absent from it from the start.
    code = """
import sys
sys.modules["pydantic"] = sys.modules["pydantic_core"] = None
import fastharmony
try:
    fastharmony.Author(role="wizard")
except fastharmony.HarmonyError as error:
    assert isinstance(error, ValueError)
    print(error)
print(fastharmony.Message.from_role_and_content(fastharmony.Role.USER, "x").model_dump_json())
print("pydantic" in sys.modules and sys.modules["pydantic"] is not None)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "1 validation error for Author",
        "role",
        "  Input should be 'user', 'assistant', 'system', 'developer' or 'tool' "
        "[type=enum, input_value='wizard', input_type=str]",
        '{"author":{"role":"user","name":null},"content":[{"type":"text","text":"x"}],"channel":null,"recipient":null,"content_type":null}',
        "False",
    ]


def test_importing_fastharmony_does_not_import_pydantic():
    code = "import sys, fastharmony; m = fastharmony.Message.from_role_and_content(fastharmony.Role.USER, 'x'); m.model_dump(); print('pydantic' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False", run.stderr
