"""The data model: the reference's classes, constructors, defaults, builders and
dict/JSON shapes, and clear errors for input that is not a Harmony message.

Shapes are compared with openai-harmony's own `to_dict()` output; JSON is
compared after `json.loads`, since the reference writes `json.dumps` spacing
and ASCII escapes where fastharmony writes compact UTF-8.
"""

import json
import re

import msgspec
import pydantic
import pytest
from hypothesis import given

import fastharmony
import openai_harmony
from fastharmony import (
    Author,
    ChannelConfig,
    Conversation,
    DeveloperContent,
    HarmonyEncodingName,
    HarmonyError,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)
from strategies import conversation_specs, message_specs

WEATHER_SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def both(build):
    """`build(h)` with fastharmony and with openai-harmony."""
    return build(fastharmony), build(openai_harmony)


def assert_same_dict(build):
    ours, theirs = both(build)
    assert ours.to_dict() == theirs.to_dict()
    assert list(ours.to_dict()) == list(theirs.to_dict())
    return ours


# -- public names -----------------------------------------------------------------


def test_every_public_name_of_the_reference_exists():
    for name in openai_harmony.__all__:
        assert hasattr(fastharmony, name), name
    for name in ["ChannelConfig", "ReasoningEffort", "RenderConversationConfig", "RenderOptions", "ToolNamespaceConfig"]:
        assert hasattr(fastharmony, name)


def test_enum_values_are_the_reference_values():
    for enum_name in ["Role", "ReasoningEffort", "HarmonyEncodingName"]:
        ours, theirs = getattr(fastharmony, enum_name), getattr(openai_harmony, enum_name)
        assert [(m.name, m.value) for m in ours] == [(m.name, m.value) for m in theirs]


def test_enums_are_strings():
    assert Role.USER == "user" and isinstance(Role.USER, str)
    assert ReasoningEffort.HIGH == "High"
    assert str(HarmonyEncodingName.HARMONY_GPT_OSS) == "HarmonyGptOss"


def test_role_from_its_value_and_unknown_roles():
    assert Role("assistant") is Role.ASSISTANT
    with pytest.raises(ValueError, match="Unknown role: 'wizard'"):
        Role("wizard")
    with pytest.raises(HarmonyError):
        Role("wizard")


# -- constructors and defaults -------------------------------------------------------


def test_system_content_defaults_are_the_reference_defaults():
    ours, theirs = SystemContent(), openai_harmony.SystemContent()
    assert ours.model_identity == theirs.model_identity == (
        "You are ChatGPT, a large language model trained by OpenAI."
    )
    assert ours.reasoning_effort is ReasoningEffort.MEDIUM
    assert ours.conversation_start_date is None
    assert ours.knowledge_cutoff == "2024-06"
    assert ours.channel_config == ChannelConfig(
        valid_channels=["analysis", "commentary", "final"], channel_required=True
    )
    assert ours.tools is None
    assert ours.to_dict() == theirs.to_dict()
    assert SystemContent.new() == ours


def test_default_channel_config_is_not_shared_between_instances():
    first, second = SystemContent(), SystemContent()
    first.channel_config.valid_channels.append("extra")
    assert second.channel_config.valid_channels == ["analysis", "commentary", "final"]


def test_other_defaults_are_the_reference_defaults():
    assert Author(role=Role.USER).name is None
    message = Message(author=Author(role=Role.USER))
    assert (message.content, message.channel, message.recipient, message.content_type) == ([], None, None, None)
    assert Conversation().messages == []
    assert ToolDescription(name="f", description="d").parameters is None
    assert ToolNamespaceConfig(name="n", tools=[]).description is None
    assert DeveloperContent() == DeveloperContent.new() == DeveloperContent(instructions=None, tools=None)
    assert RenderConversationConfig().auto_drop_analysis is True
    assert RenderOptions().conversation_has_function_tools is False


def test_keyword_constructors_build_what_the_reference_builds():
    assert_same_dict(
        lambda h: h.Message(
            author=h.Author(role=h.Role.TOOL, name="functions.f"),
            content=[h.TextContent(text="a"), h.TextContent(text="b")],
            channel="commentary",
            recipient="assistant",
            content_type="json",
        )
    )
    assert_same_dict(
        lambda h: h.SystemContent(
            model_identity="Id",
            reasoning_effort=h.ReasoningEffort.LOW,
            conversation_start_date="2025-01-01",
            knowledge_cutoff=None,
            channel_config=h.ChannelConfig(valid_channels=["final"], channel_required=False),
            tools={"functions": h.ToolNamespaceConfig(name="functions", description="D", tools=[
                h.ToolDescription(name="f", description="g", parameters=WEATHER_SCHEMA)
            ])},
        )
    )
    assert_same_dict(lambda h: h.DeveloperContent(instructions="Be brief."))


def test_constructors_coerce_like_pydantic():
    # pydantic turns a role string into the enum and a dict into a model.
    assert Author(role="user").role is Role.USER
    assert Message(author={"role": "assistant"}).author == Author(role=Role.ASSISTANT)
    assert SystemContent(reasoning_effort="High").reasoning_effort is ReasoningEffort.HIGH
    content = SystemContent(channel_config={"valid_channels": ["a"], "channel_required": False})
    assert content.channel_config == ChannelConfig(valid_channels=["a"], channel_required=False)
    tools = DeveloperContent(tools={"functions": {"name": "functions", "tools": [{"name": "f", "description": "d"}]}})
    assert tools.tools["functions"].tools == [ToolDescription(name="f", description="d")]


# -- class methods ----------------------------------------------------------------------


def test_class_method_constructors_build_what_the_reference_builds():
    assert_same_dict(lambda h: h.Message.from_role_and_content(h.Role.USER, "Hi"))
    assert_same_dict(lambda h: h.Message.from_role_and_content(h.Role.SYSTEM, h.SystemContent.new()))
    assert_same_dict(lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, "python"), "2"))
    assert_same_dict(
        lambda h: h.Message.from_role_and_contents(h.Role.USER, [h.TextContent(text="a"), h.TextContent(text="b")])
    )
    assert_same_dict(
        lambda h: h.Conversation.from_messages([h.Message.from_role_and_content(h.Role.USER, "Hi")])
    )
    ours, theirs = both(lambda h: h.ChannelConfig.require_channels(["analysis", "final"]))
    assert (ours.valid_channels, ours.channel_required) == (theirs.valid_channels, theirs.channel_required)
    ours, theirs = both(lambda h: h.ToolDescription.new("f", "d", WEATHER_SCHEMA))
    assert (ours.name, ours.description, ours.parameters) == (theirs.name, theirs.description, theirs.parameters)
    assert ToolDescription.new("f", "d").parameters is None


def test_a_string_content_becomes_a_text_content():
    message = Message.from_role_and_content(Role.USER, "Hi")
    assert message.content == [TextContent(text="Hi")]
    assert message.adding_content("there").content == [TextContent(text="Hi"), TextContent(text="there")]


def test_conversation_iterates_over_its_messages():
    messages = [Message.from_role_and_content(Role.USER, "a"), Message.from_role_and_content(Role.USER, "b")]
    assert list(Conversation.from_messages(messages)) == messages
    assert Conversation.from_messages(tuple(messages)).messages == messages


# -- builders mutate and return self ---------------------------------------------------------

MESSAGE_BUILDERS = [
    ("with_channel", "analysis", "channel"),
    ("with_recipient", "functions.f", "recipient"),
    ("with_content_type", "<|constrain|>json", "content_type"),
]
SYSTEM_BUILDERS = [
    ("with_model_identity", "Id", "model_identity"),
    ("with_reasoning_effort", ReasoningEffort.HIGH, "reasoning_effort"),
    ("with_conversation_start_date", "2025-08-05", "conversation_start_date"),
    ("with_knowledge_cutoff", "2023-01", "knowledge_cutoff"),
    ("with_channel_config", ChannelConfig(valid_channels=["x"], channel_required=False), "channel_config"),
]


@pytest.mark.parametrize("builder, value, field", MESSAGE_BUILDERS)
def test_message_builders_mutate_and_return_self(builder, value, field):
    message = Message.from_role_and_content(Role.ASSISTANT, "x")
    assert getattr(message, builder)(value) is message
    assert getattr(message, field) == value


def test_adding_content_mutates_and_returns_self():
    message = Message.from_role_and_content(Role.USER, "a")
    assert message.adding_content(TextContent(text="b")) is message
    assert message.content == [TextContent(text="a"), TextContent(text="b")]


@pytest.mark.parametrize("builder, value, field", SYSTEM_BUILDERS)
def test_system_content_builders_mutate_and_return_self(builder, value, field):
    content = SystemContent.new()
    assert getattr(content, builder)(value) is content
    assert getattr(content, field) == value


def test_with_required_channels_requires_them():
    content = SystemContent.new()
    assert content.with_required_channels(["final"]) is content
    assert content.channel_config == ChannelConfig(valid_channels=["final"], channel_required=True)


def test_with_tools_adds_namespaces_by_name_and_returns_self():
    content = SystemContent.new()
    weather = ToolNamespaceConfig(name="weather", description=None, tools=[])
    assert content.with_tools(weather) is content
    assert content.with_browser_tool() is content
    assert content.with_python_tool() is content
    assert list(content.tools) == ["weather", "browser", "python"]
    assert content.tools["weather"] is weather


def test_developer_content_builders_mutate_and_return_self():
    content = DeveloperContent.new()
    assert content.with_instructions("Be brief.") is content
    tool = ToolDescription.new("f", "d")
    assert content.with_function_tools([tool]) is content
    assert content.tools == {"functions": ToolNamespaceConfig(name="functions", description=None, tools=[tool])}
    other = ToolNamespaceConfig(name="other", tools=[])
    assert content.with_tools(other) is content and content.tools["other"] is other


def test_builder_chains_build_what_the_reference_builds():
    assert_same_dict(
        lambda h: h.SystemContent.new()
        .with_model_identity("Id")
        .with_reasoning_effort(h.ReasoningEffort.LOW)
        .with_conversation_start_date("2025-08-05")
        .with_knowledge_cutoff("2023-01")
        .with_required_channels(["analysis", "final"])
        .with_browser_tool()
    )
    assert_same_dict(
        lambda h: h.DeveloperContent.new()
        .with_instructions("Be brief.")
        .with_function_tools([h.ToolDescription.new("f", "d", WEATHER_SCHEMA), h.ToolDescription.new("g", "e")])
    )
    assert_same_dict(
        lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "x")
        .adding_content("y")
        .with_channel("commentary")
        .with_recipient("functions.f")
        .with_content_type("<|constrain|>json")
    )


# -- equality ------------------------------------------------------------------------------


def test_equal_fields_make_equal_objects():
    def build():
        return Message.from_author_and_content(Author.new(Role.TOOL, "t"), "x").with_channel("c")

    assert build() == build()
    assert build() != build().with_channel("d")
    assert build() != build().adding_content("y")
    assert SystemContent.new() == SystemContent.new()
    assert SystemContent.new() != SystemContent.new().with_reasoning_effort(ReasoningEffort.LOW)
    assert TextContent(text="x") != TextContent(text="y")
    assert Conversation.from_messages([build()]) == Conversation.from_messages([build()])


def test_different_kinds_of_content_are_never_equal():
    assert SystemContent() != DeveloperContent()
    assert TextContent(text="x") != Author(role=Role.USER)


# -- dict and JSON shapes ---------------------------------------------------------------------


def test_message_dict_shape_flattens_the_author_and_lists_the_content():
    message = assert_same_dict(lambda h: h.Message.from_role_and_content(h.Role.USER, "Hi"))
    assert message.to_dict() == {"role": "user", "name": None, "content": [{"type": "text", "text": "Hi"}]}


def test_message_dict_shape_adds_only_the_header_fields_that_are_set():
    message = assert_same_dict(
        lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "x").with_recipient("all")
    )
    assert list(message.to_dict()) == ["role", "name", "content", "recipient"]


def test_system_content_dict_leaves_out_none_fields_and_ends_with_its_type():
    content = assert_same_dict(
        lambda h: h.SystemContent.new().with_tools(h.ToolNamespaceConfig(name="n", tools=[h.ToolDescription.new("f", "d")]))
    )
    out = content.to_dict()
    assert "conversation_start_date" not in out and list(out)[-1] == "type"
    assert out["tools"] == {"n": {"name": "n", "tools": [{"name": "f", "description": "d"}]}}
    bare = SystemContent(model_identity=None, reasoning_effort=None, knowledge_cutoff=None, channel_config=None)
    assert bare.to_dict() == {"type": "system_content"}


def test_none_values_inside_a_schema_are_kept():
    schema = {"type": "object", "properties": {"a": {"type": "string", "default": None}}}
    assert_same_dict(lambda h: h.DeveloperContent.new().with_function_tools([h.ToolDescription.new("f", "d", schema)]))


def test_developer_content_dict_shape():
    content = assert_same_dict(lambda h: h.DeveloperContent.new().with_instructions("Be brief."))
    assert content.to_dict() == {"instructions": "Be brief.", "type": "developer_content"}


def test_json_is_the_dict_as_json():
    ours, theirs = both(
        lambda h: h.Conversation.from_messages(
            [
                h.Message.from_role_and_content(h.Role.SYSTEM, h.SystemContent.new().with_browser_tool()),
                h.Message.from_role_and_content(h.Role.USER, "Grüße 🤖 \u2028"),
            ]
        )
    )
    assert json.loads(ours.to_json()) == json.loads(theirs.to_json())
    assert json.loads(ours.messages[1].to_json()) == json.loads(theirs.messages[1].to_json())


def test_content_may_be_a_plain_string_on_input():
    data = {"role": "user", "content": "Hi"}
    ours, theirs = both(lambda h: h.Message.from_dict(data))
    assert ours == Message.from_role_and_content(Role.USER, "Hi")
    assert ours.to_dict() == theirs.to_dict()


def test_structured_contents_load_from_dicts():
    data = {
        "role": "system",
        "content": [
            {"type": "system_content", "reasoning_effort": "Low", "channel_config": {"valid_channels": ["final"], "channel_required": True}},
            {"type": "developer_content", "instructions": "x"},
            {"type": "text", "text": "t"},
        ],
    }
    ours, theirs = both(lambda h: h.Message.from_dict(data))
    assert ours.to_dict() == theirs.to_dict()
    assert [type(part) for part in ours.content] == [SystemContent, DeveloperContent, TextContent]


def test_system_and_developer_content_from_dict():
    raw = {"model_identity": "Id", "reasoning_effort": "High", "tools": {"f": {"name": "f", "tools": []}}}
    ours, theirs = both(lambda h: h.SystemContent.from_dict(dict(raw)))
    assert ours.to_dict() == theirs.to_dict()
    assert SystemContent.from_dict(ours.to_dict()) == ours
    ours, theirs = both(lambda h: h.DeveloperContent.from_dict({"instructions": "x", "type": "developer_content"}))
    assert ours.to_dict() == theirs.to_dict()


@given(spec=message_specs(with_tools=True))
def test_messages_from_the_same_dict_have_the_same_dict_and_json(spec):
    ours, theirs = Message.from_dict(spec), openai_harmony.Message.from_dict(spec)
    assert ours.to_dict() == theirs.to_dict()
    assert json.loads(ours.to_json()) == json.loads(theirs.to_json())


def test_none_system_fields_come_back_as_defaults_after_a_dict_round_trip():
    # A quirk of the reference kept for compatibility: `to_dict` leaves out None
    # fields, so `from_dict` restores their defaults.
    for h in (fastharmony, openai_harmony):
        content = h.SystemContent(channel_config=None, knowledge_cutoff=None)
        assert h.SystemContent.from_dict(content.to_dict()).channel_config is not None
        assert h.SystemContent.from_dict(content.to_dict()).knowledge_cutoff == "2024-06"


@given(specs=conversation_specs(with_tools=True))
def test_conversations_round_trip_through_dict_and_json_as_the_reference_does(specs):
    ours = Conversation(messages=[Message.from_dict(spec) for spec in specs])
    theirs = openai_harmony.Conversation(messages=[openai_harmony.Message.from_dict(spec) for spec in specs])
    ours_again = Conversation.from_json(ours.to_json())
    theirs_again = openai_harmony.Conversation.from_json(theirs.to_json())
    assert ours_again.to_dict() == theirs_again.to_dict()
    assert Conversation.from_dict(ours.to_dict()) == ours_again
    assert Conversation.from_json(ours.to_json().encode()) == ours_again
    # After one trip (None fields back to their defaults) nothing changes any more.
    assert Conversation.from_json(ours_again.to_json()) == ours_again
    assert Conversation.from_dict(ours_again.to_dict()) == ours_again
    for message in ours_again.messages:
        assert Message.from_dict(message.to_dict()) == message
        assert Message.from_json(message.to_json()) == message
    # Each library reads the other's JSON.
    assert Conversation.from_json(theirs.to_json()) == ours_again
    assert openai_harmony.Conversation.from_json(ours.to_json()).to_dict() == theirs_again.to_dict()


# -- errors name the path and the problem ------------------------------------------------------


def conversation_with(message):
    return {"messages": [{"role": "user", "content": "ok"}, message]}


@pytest.mark.parametrize(
    "message, error",
    [
        ({"role": "wizard", "content": "x"}, "messages[1].role: Unknown role: 'wizard'"),
        ({"role": "user", "content": [{"type": "image", "url": "x"}]}, "messages[1].content[0].type: unknown content type 'image'"),
        ({"role": "user", "content": 5}, "messages[1].content: expected `str | array`, got `int`"),
        ({"role": "user", "content": "x", "channel": 5}, "messages[1].channel: expected `str | null`, got `int`"),
        ({"role": "user", "content": "x", "name": ["a"]}, "messages[1].name: expected `str | null`, got `array`"),
        ({"role": "user", "content": [{"type": "text", "text": None}]}, "messages[1].content[0].text: expected `str`, got `null`"),
        ({"role": "system", "content": [{"type": "system_content", "reasoning_effort": "Extreme"}]}, "messages[1].content[0].reasoning_effort"),
        ({"content": "x"}, "messages[1]: object missing required field `role`"),
    ],
)
def test_bad_conversation_data_is_refused_with_the_path(message, error):
    for load in (Conversation.from_dict, lambda data: Conversation.from_json(json.dumps(data))):
        with pytest.raises(HarmonyError) as raised:
            load(conversation_with(message))
        assert isinstance(raised.value, ValueError)
        assert str(raised.value).startswith(error)


def test_the_reference_refuses_the_same_messages():
    for message in [{"role": "wizard", "content": "x"}, {"role": "user", "content": [{"type": "image"}]}]:
        with pytest.raises(ValueError):
            openai_harmony.Message.from_dict(message)
        with pytest.raises(ValueError):
            Message.from_dict(message)


def test_message_from_dict_names_the_field():
    with pytest.raises(HarmonyError, match=r"^role: Unknown role: 'wizard'$"):
        Message.from_dict({"role": "wizard", "content": "x"})


def test_invalid_json_is_refused():
    with pytest.raises(HarmonyError, match="JSON") as raised:
        Conversation.from_json('{"messages": [')
    assert isinstance(raised.value, ValueError)
    with pytest.raises(HarmonyError):
        Message.from_json("not json")


def test_a_conversation_is_an_object_with_messages():
    with pytest.raises(HarmonyError, match="object"):
        Conversation.from_dict([])
    with pytest.raises(HarmonyError, match="messages"):
        Conversation.from_dict({})


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda h: h.Author(role="wizard"), "Author.role: unknown role 'wizard'"),
        (lambda h: h.Author(role="USER"), "Author.role: unknown role 'USER'"),
        (lambda h: h.Author(role=h.Role.USER, name=5), "Author.name"),
        (lambda h: h.TextContent(text=5), "TextContent.text"),
        (lambda h: h.SystemContent(reasoning_effort="low"), "SystemContent.reasoning_effort"),
        (lambda h: h.SystemContent(model_identity=1), "SystemContent.model_identity"),
        (lambda h: h.SystemContent(tools=[]), "SystemContent.tools"),
        (lambda h: h.ChannelConfig(valid_channels="abc", channel_required=True), "ChannelConfig.valid_channels"),
        (lambda h: h.ChannelConfig(valid_channels=[], channel_required="maybe"), "ChannelConfig.channel_required"),
        (lambda h: h.ToolDescription(name="f", description=None), "ToolDescription.description"),
        (lambda h: h.ToolDescription(name="f", description="d", parameters=[]), "ToolDescription.parameters"),
        (lambda h: h.ToolNamespaceConfig(name="n", tools=["f"]), "ToolNamespaceConfig.tools[0]"),
        (lambda h: h.DeveloperContent(instructions=3), "DeveloperContent.instructions"),
        (lambda h: h.DeveloperContent(tools=[]), "DeveloperContent.tools"),
        (lambda h: h.Message(author=h.Author(role=h.Role.USER), content="x"), "Message.content"),
        (lambda h: h.Message(author=h.Author(role=h.Role.USER), channel=3), "Message.channel"),
        (lambda h: h.Conversation(messages=["x"]), "Conversation.messages[0]"),
        (lambda h: h.RenderConversationConfig(auto_drop_analysis=None), "RenderConversationConfig.auto_drop_analysis"),
        (lambda h: h.RenderOptions(conversation_has_function_tools=2), "RenderOptions.conversation_has_function_tools"),
    ],
)
def test_wrong_types_in_constructors_are_refused_with_the_field(build, error):
    # The reference raises pydantic's ValidationError; ours is one too (and a
    # HarmonyError), with the same first error: its type, location and wording.
    with pytest.raises(pydantic.ValidationError) as theirs:
        build(openai_harmony)
    with pytest.raises(HarmonyError) as raised:
        build(fastharmony)
    ours = raised.value
    assert isinstance(ours, ValueError) and isinstance(ours, pydantic.ValidationError)
    owner, _, field = error.partition(".")
    assert ours.title == owner and str(ours).startswith(f"1 validation error for {owner}\n")
    first = {key: theirs.value.errors()[0][key] for key in ("type", "loc", "msg")}
    assert {key: ours.errors()[0][key] for key in ("type", "loc", "msg")} == first
    assert first["msg"] in str(ours)


@pytest.mark.parametrize(
    "build",
    [
        lambda h: h.ChannelConfig(valid_channels=("analysis", "final"), channel_required=True),
        lambda h: h.ToolNamespaceConfig(name="n", tools=(h.ToolDescription.new("f", "d"),)),
        lambda h: h.Message(author=h.Author(role=h.Role.USER), content=(h.TextContent(text="x"),)),
        lambda h: h.Conversation(messages=(h.Message.from_role_and_content(h.Role.USER, "x"),)),
        lambda h: h.RenderConversationConfig(auto_drop_analysis=0),
        lambda h: h.RenderOptions(conversation_has_function_tools=1),
        lambda h: h.ChannelConfig(valid_channels=["final"], channel_required="true"),
    ],
    ids=["channels-tuple", "tools-tuple", "content-tuple", "messages-tuple", "bool-0", "bool-1", "bool-str"],
)
def test_constructors_accept_what_pydantic_accepts(build):
    ours, theirs = both(build)
    if hasattr(theirs, "to_dict"):  # pydantic's model_dump loses the content's subclass
        assert ours.to_dict() == theirs.to_dict()
    else:
        assert msgspec.to_builtins(ours) == json.loads(theirs.model_dump_json())


@pytest.mark.parametrize(
    "build, missing",
    [
        (lambda h: h.TextContent(), "text"),
        (lambda h: h.Author(), "role"),
        (lambda h: h.Message(), "author"),
        (lambda h: h.ToolNamespaceConfig(name="n"), "tools"),
        (lambda h: h.ChannelConfig(channel_required=True), "valid_channels"),
    ],
)
def test_a_missing_argument_is_pydantics_missing_field(build, missing):
    with pytest.raises(pydantic.ValidationError, match="Field required"):
        build(openai_harmony)
    with pytest.raises(HarmonyError) as raised:
        build(fastharmony)
    assert isinstance(raised.value, ValueError)
    assert raised.value.errors()[0]["type"] == "missing" and raised.value.errors()[0]["loc"] == (missing,)
    assert "Field required [type=missing" in str(raised.value)


def test_unknown_keyword_arguments_are_ignored_as_pydantic_ignores_them():
    assert_same_dict(lambda h: h.Message(id=1, author=h.Author(role=h.Role.USER, nickname="x"), content=[h.TextContent(text="x", lang="en")]))
    assert SystemContent(identity="x") == SystemContent()


def test_extra_positional_arguments_are_refused():
    with pytest.raises(HarmonyError, match="^Conversation: Extra positional arguments provided$") as raised:
        Conversation([], [])
    assert isinstance(raised.value, ValueError)


def test_coercing_tools_leaves_the_callers_containers_as_they_are():
    # pydantic copies what it coerces; so do we.
    tools = [{"name": "t", "description": "d"}]
    mapping = {"functions": {"name": "functions", "tools": tools}}
    developer = DeveloperContent(tools=mapping)
    assert type(mapping["functions"]) is dict and type(tools[0]) is dict
    assert developer.tools["functions"].tools == [ToolDescription.new("t", "d")]
    namespace = ToolNamespaceConfig(name="functions", tools=tools)
    assert type(tools[0]) is dict and namespace.tools == [ToolDescription.new("t", "d")]


# -- to_json writes the reference's bytes --------------------------------------------------------


@given(specs=conversation_specs(with_tools=True))
def test_to_json_writes_the_references_exact_text(specs):
    ours = Conversation(messages=[Message.from_dict(spec) for spec in specs])
    theirs = openai_harmony.Conversation(messages=[openai_harmony.Message.from_dict(spec) for spec in specs])
    assert ours.to_json() == theirs.to_json()
    for mine, reference in zip(ours.messages, theirs.messages):
        assert mine.to_json() == reference.to_json()


def test_str_subclasses_and_str_enums_are_stored_as_str():
    import numpy

    message = Message(author={"role": numpy.str_("user"), "name": numpy.str_("n")}, content=[TextContent(text=numpy.str_("x"))],
                      channel=numpy.str_("final"), recipient=Role.ASSISTANT)
    assert [type(value) for value in (message.author.name, message.content[0].text, message.channel, message.recipient)] == [str] * 4
    assert message.recipient == "assistant"
    assert Message.from_role_and_content(Role.USER, "x").with_recipient(Role.ASSISTANT).recipient.__class__ is str
    reference = openai_harmony.Message(author={"role": numpy.str_("user"), "name": numpy.str_("n")},
                                       content=[openai_harmony.TextContent(text=numpy.str_("x"))],
                                       channel=numpy.str_("final"), recipient=openai_harmony.Role.ASSISTANT)
    assert message.to_json() == reference.to_json()
