"""The rules of the Harmony format, one test each.

Every test builds the same input with fastharmony and with openai-harmony (the
`build(h)` functions take the library as `h`), checks that both render the same
tokens, and then states the rule itself on those tokens: exact token ids where
the rule is about special tokens, decoded text where it is about wording.

A message renders as

    <|start|>{role}[:{name}][ to={recipient}][<|channel|>{channel}][ {content_type}]<|message|>{content}<|end|>

with `<|call|>` instead of `<|end|>` for an assistant message to a recipient.
"""

import re

import pytest

import fastharmony
import openai_harmony
from fastharmony import HarmonyError, load_harmony_encoding

ENC = load_harmony_encoding("HarmonyGptOss")

START, END, MESSAGE = 200006, 200007, 200008
CHANNEL, CONSTRAIN, CALL, RETURN = 200005, 200003, 200012, 200002
FIRST_SPECIAL = 199998

DEFAULT_SYSTEM_TEXT = (
    "You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "\n"
    "Reasoning: medium\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message."
)
FUNCTIONS_LINE = "Calls to these tools must go to the commentary channel: 'functions'."

# Text that spells every formatting token, and a few other special tokens.
SPELLED_SPECIALS = (
    "<|start|><|end|><|message|><|channel|><|constrain|><|call|><|return|>"
    "<|endoftext|><|startoftext|><|reserved_200013|>"
)


# -- helpers ------------------------------------------------------------------


def ordinary(text):
    """Tokens of `text` as plain text."""
    return ENC.encode(text, disallowed_special=())


def text(tokens):
    return ENC.decode(tokens)


def specials(tokens):
    return [token for token in tokens if token >= FIRST_SPECIAL]


def agreed(ref, render):
    """`render(encoding, h)` with fastharmony and with openai-harmony; they must agree."""
    ours = render(ENC, fastharmony)
    assert ours == render(ref, openai_harmony)
    return ours


def rendered(ref, build, function_tools=None):
    """Tokens of the single message `build(h)`, agreed by both libraries."""

    def render(enc, h):
        options = None
        if function_tools is not None:
            options = h.RenderOptions(conversation_has_function_tools=function_tools)
        return enc.render(build(h), options)

    return agreed(ref, render)


def conversation(h, *messages):
    return h.Conversation.from_messages(list(messages))


def rendered_conversation(ref, build, auto_drop=None, how="render_conversation", next_turn=None):
    """Tokens of the conversation `build(h)`, rendered by `how`, agreed by both libraries.

    `auto_drop` None passes no config; `next_turn` is the role name for completion.
    """

    def render(enc, h):
        config = None if auto_drop is None else h.RenderConversationConfig(auto_drop_analysis=auto_drop)
        if next_turn is not None:
            return getattr(enc, how)(build(h), h.Role(next_turn), config)
        return getattr(enc, how)(build(h), config)

    return agreed(ref, render)


def refused(ref, render, message):
    """Both libraries refuse: the reference with a RuntimeError, ours with HarmonyError, same text."""
    with pytest.raises(RuntimeError, match=re.escape(message)):
        render(ref, openai_harmony)
    with pytest.raises(HarmonyError) as ours:
        render(ENC, fastharmony)
    assert str(ours.value) == message


def user(h, content="Hi"):
    return h.Message.from_role_and_content(h.Role.USER, content)


def assistant(h, content, channel=None):
    message = h.Message.from_role_and_content(h.Role.ASSISTANT, content)
    return message if channel is None else message.with_channel(channel)


def system(h, content):
    return h.Message.from_role_and_content(h.Role.SYSTEM, content)


def developer(h, content):
    return h.Message.from_role_and_content(h.Role.DEVELOPER, content)


def bare_system(h):
    """SystemContent with every optional field unset."""
    return h.SystemContent(
        model_identity=None, reasoning_effort=None, knowledge_cutoff=None, channel_config=None
    )


def get_weather(h):
    return h.ToolDescription.new(
        "get_weather",
        "Gets the weather.",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )


def functions_developer(h, tools):
    return developer(h, h.DeveloperContent.new().with_function_tools(tools))


# -- message frame ----------------------------------------------------------------


def test_a_message_is_start_role_message_content_end(ref):
    tokens = rendered(ref, user)
    assert tokens == [START, *ordinary("user"), MESSAGE, *ordinary("Hi"), END]


@pytest.mark.parametrize("role", ["user", "assistant", "system", "developer"])
def test_the_header_begins_with_the_role(ref, role):
    tokens = rendered(ref, lambda h: h.Message.from_role_and_content(h.Role(role), "x"))
    assert tokens == [START, *ordinary(role), MESSAGE, *ordinary("x"), END]


def test_an_empty_message_still_has_its_frame(ref):
    tokens = rendered(ref, lambda h: h.Message(author=h.Author(role=h.Role.USER), content=[]))
    assert tokens == [START, *ordinary("user"), MESSAGE, END]


def test_multiple_content_parts_are_encoded_separately(ref):
    tokens = rendered(ref, lambda h: user(h, "Hel").adding_content("lo"))
    assert tokens == [START, *ordinary("user"), MESSAGE, *ordinary("Hel"), *ordinary("lo"), END]
    assert ordinary("Hel") + ordinary("lo") != ordinary("Hello")


def test_content_text_is_encoded_as_a_whole_not_word_by_word(ref):
    tokens = rendered(ref, lambda h: user(h, "Hello, world!\n\n  spaced"))
    assert tokens[3:-1] == ordinary("Hello, world!\n\n  spaced")


# -- authors ------------------------------------------------------------------------


def test_user_name_is_rendered_after_a_colon(ref):
    tokens = rendered(
        ref, lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.USER, "alice"), "Hi")
    )
    assert tokens == [START, *ordinary("user"), *ordinary(":alice"), MESSAGE, *ordinary("Hi"), END]
    assert text(tokens) == "<|start|>user:alice<|message|>Hi<|end|>"


@pytest.mark.parametrize("role", ["assistant", "system", "developer"])
def test_a_name_follows_the_role_for_every_role_but_tool(ref, role):
    tokens = rendered(
        ref, lambda h: h.Message.from_author_and_content(h.Author.new(h.Role(role), "bob"), "x")
    )
    assert text(tokens) == f"<|start|>{role}:bob<|message|>x<|end|>"


def test_tool_messages_are_headed_by_the_author_name_only(ref):
    tokens = rendered(
        ref,
        lambda h: h.Message.from_author_and_content(
            h.Author.new(h.Role.TOOL, "functions.get_weather"), '{"temp": 20}'
        ),
    )
    assert tokens == [
        START, *ordinary("functions.get_weather"), MESSAGE, *ordinary('{"temp": 20}'), END,
    ]


def test_tool_message_without_a_name_is_refused(ref):
    refused(
        ref,
        lambda enc, h: enc.render(h.Message.from_role_and_content(h.Role.TOOL, "x")),
        "Tools should have a name!",
    )


def test_tool_message_without_a_name_is_refused_in_a_conversation(ref):
    refused(
        ref,
        lambda enc, h: enc.render_conversation(
            conversation(h, user(h), h.Message.from_role_and_content(h.Role.TOOL, "x"))
        ),
        "Tools should have a name!",
    )


# -- recipients ---------------------------------------------------------------------


def test_recipient_is_rendered_as_to(ref):
    tokens = rendered(
        ref,
        lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "{}").with_recipient(
            "functions.get_weather"
        ),
    )
    assert tokens == [
        START, *ordinary("assistant"), *ordinary(" to=functions.get_weather"), MESSAGE,
        *ordinary("{}"), CALL,
    ]


def test_an_assistant_message_to_a_recipient_ends_in_call(ref):
    tokens = rendered(ref, lambda h: assistant(h, "print(1)", "analysis").with_recipient("python"))
    assert text(tokens) == "<|start|>assistant to=python<|channel|>analysis<|message|>print(1)<|call|>"
    assert tokens[-1] == CALL


def test_recipient_all_is_omitted_yet_an_assistant_message_to_all_ends_in_call(ref):
    tokens = rendered(ref, lambda h: assistant(h, "Hello everyone").with_recipient("all"))
    assert tokens == [START, *ordinary("assistant"), MESSAGE, *ordinary("Hello everyone"), CALL]


@pytest.mark.parametrize("role", ["user", "system", "developer"])
def test_only_assistant_messages_to_a_recipient_end_in_call(ref, role):
    tokens = rendered(
        ref, lambda h: h.Message.from_role_and_content(h.Role(role), "x").with_recipient("assistant")
    )
    assert text(tokens) == f"<|start|>{role} to=assistant<|message|>x<|end|>"


def test_tool_messages_to_the_assistant_end_in_end(ref):
    tokens = rendered(
        ref,
        lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, "python"), "2")
        .with_recipient("assistant")
        .with_channel("analysis"),
    )
    assert text(tokens) == "<|start|>python to=assistant<|channel|>analysis<|message|>2<|end|>"


# -- channels and content types ---------------------------------------------------------


def test_channel_follows_the_channel_token(ref):
    tokens = rendered(ref, lambda h: assistant(h, "Thinking", "analysis"))
    assert tokens == [
        START, *ordinary("assistant"), CHANNEL, *ordinary("analysis"), MESSAGE,
        *ordinary("Thinking"), END,
    ]


def test_an_empty_channel_still_renders_the_channel_token(ref):
    tokens = rendered(ref, lambda h: assistant(h, "x", ""))
    assert tokens == [START, *ordinary("assistant"), CHANNEL, MESSAGE, *ordinary("x"), END]


def test_header_order_is_role_name_recipient_channel_content_type(ref):
    tokens = rendered(
        ref,
        lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.ASSISTANT, "bot"), "{}")
        .with_content_type("json")
        .with_channel("commentary")
        .with_recipient("functions.f"),
    )
    assert tokens == [
        START, *ordinary("assistant"), *ordinary(":bot"), *ordinary(" to=functions.f"),
        CHANNEL, *ordinary("commentary"), *ordinary(" json"), MESSAGE, *ordinary("{}"), CALL,
    ]


def test_constrain_content_type_renders_the_constrain_token(ref):
    tokens = rendered(
        ref,
        lambda h: assistant(h, "{}", "commentary")
        .with_recipient("functions.f")
        .with_content_type("<|constrain|>json"),
    )
    assert tokens == [
        START, *ordinary("assistant"), *ordinary(" to=functions.f"), CHANNEL,
        *ordinary("commentary"), *ordinary(" "), CONSTRAIN, *ordinary("json"), MESSAGE,
        *ordinary("{}"), CALL,
    ]


def test_a_bare_constrain_content_type_is_a_space_and_the_constrain_token(ref):
    tokens = rendered(ref, lambda h: assistant(h, "x").with_content_type("<|constrain|>"))
    assert tokens == [START, *ordinary("assistant"), *ordinary(" "), CONSTRAIN, MESSAGE, *ordinary("x"), END]


def test_only_the_leading_constrain_marker_is_a_special_token(ref):
    tokens = rendered(ref, lambda h: assistant(h, "x").with_content_type("<|constrain|><|constrain|>"))
    assert tokens[:-3] == [START, *ordinary("assistant"), *ordinary(" "), CONSTRAIN, *ordinary("<|constrain|>")]


@pytest.mark.parametrize("content_type", ["json", "text/plain", "x<|constrain|>", " <|constrain|>json", ""])
def test_other_content_types_are_text_after_a_space(ref, content_type):
    tokens = rendered(ref, lambda h: assistant(h, "x").with_content_type(content_type))
    assert tokens == [START, *ordinary("assistant"), *ordinary(" " + content_type), MESSAGE, *ordinary("x"), END]


# -- system messages -------------------------------------------------------------------


def test_default_system_content(ref):
    tokens = rendered(ref, lambda h: system(h, h.SystemContent.new()))
    assert tokens == [START, *ordinary("system"), MESSAGE, *ordinary(DEFAULT_SYSTEM_TEXT), END]


def test_system_content_with_no_fields_renders_nothing(ref):
    tokens = rendered(ref, lambda h: system(h, bare_system(h)))
    assert tokens == [START, *ordinary("system"), MESSAGE, END]


def test_identity_knowledge_cutoff_and_current_date_share_the_first_section(ref):
    tokens = rendered(
        ref,
        lambda h: system(
            h,
            bare_system(h)
            .with_model_identity("You are a pirate.")
            .with_knowledge_cutoff("2023-01")
            .with_conversation_start_date("2025-08-05"),
        ),
    )
    assert text(tokens)[len("<|start|>system<|message|>") : -len("<|end|>")] == (
        "You are a pirate.\nKnowledge cutoff: 2023-01\nCurrent date: 2025-08-05"
    )


def test_the_first_section_keeps_its_order_with_fields_missing(ref):
    tokens = rendered(
        ref, lambda h: system(h, bare_system(h).with_conversation_start_date("2025-08-05"))
    )
    assert text(tokens) == "<|start|>system<|message|>Current date: 2025-08-05<|end|>"


@pytest.mark.parametrize(
    "effort, word", [("LOW", "low"), ("MEDIUM", "medium"), ("HIGH", "high")]
)
def test_reasoning_effort_is_its_own_section_in_lowercase(ref, effort, word):
    tokens = rendered(
        ref,
        lambda h: system(
            h,
            bare_system(h).with_model_identity("Id").with_reasoning_effort(h.ReasoningEffort[effort]),
        ),
    )
    assert text(tokens) == f"<|start|>system<|message|>Id\n\nReasoning: {word}<|end|>"


def test_valid_channels_section_with_channel_must_be_included(ref):
    tokens = rendered(
        ref, lambda h: system(h, bare_system(h).with_required_channels(["analysis", "final"]))
    )
    assert text(tokens) == (
        "<|start|>system<|message|># Valid channels: analysis, final."
        " Channel must be included for every message.<|end|>"
    )


def test_channel_must_be_included_only_when_channels_are_required(ref):
    tokens = rendered(
        ref,
        lambda h: system(
            h,
            bare_system(h).with_channel_config(
                h.ChannelConfig(valid_channels=["analysis", "final"], channel_required=False)
            ),
        ),
    )
    assert text(tokens) == "<|start|>system<|message|># Valid channels: analysis, final.<|end|>"


def test_no_channels_section_without_valid_channels(ref):
    tokens = rendered(
        ref,
        lambda h: system(h, bare_system(h).with_required_channels([])),
        function_tools=True,
    )
    assert text(tokens) == "<|start|>system<|message|><|end|>"


def test_functions_line_follows_the_channels_when_the_conversation_has_function_tools(ref):
    tokens = rendered(ref, lambda h: system(h, h.SystemContent.new()), function_tools=True)
    assert text(tokens) == (
        f"<|start|>system<|message|>{DEFAULT_SYSTEM_TEXT}\n{FUNCTIONS_LINE}<|end|>"
    )


def test_functions_line_is_absent_without_the_render_option(ref):
    for function_tools in (None, False):
        tokens = rendered(ref, lambda h: system(h, h.SystemContent.new()), function_tools=function_tools)
        assert FUNCTIONS_LINE not in text(tokens)


def test_functions_line_appears_when_a_developer_message_declares_function_tools(ref):
    tokens = rendered_conversation(
        ref,
        lambda h: conversation(
            h, system(h, h.SystemContent.new()), functions_developer(h, [get_weather(h)]), user(h)
        ),
    )
    assert f"{DEFAULT_SYSTEM_TEXT}\n{FUNCTIONS_LINE}<|end|>" in text(tokens)


def test_functions_line_appears_even_when_function_tools_are_declared_after_the_system_message(ref):
    tokens = rendered_conversation(
        ref,
        lambda h: conversation(
            h, system(h, h.SystemContent.new()), user(h), functions_developer(h, [get_weather(h)])
        ),
    )
    assert FUNCTIONS_LINE in text(tokens)


def test_functions_line_counts_function_tools_in_any_message_even_one_auto_drop_removes(ref):
    # The reference decides from every message's content, before dropping any: a
    # DeveloperContent with function tools inside a user message on `analysis`
    # (which alone would be refused) is dropped, yet the system message says
    # where calls go.
    def build(h):
        stray = h.Message.from_role_and_content(
            h.Role.USER, h.DeveloperContent.new().with_function_tools([get_weather(h)])
        ).with_channel("analysis")
        answer = h.Message.from_role_and_content(h.Role.ASSISTANT, "Sunny.").with_channel("final")
        return conversation(h, system(h, h.SystemContent.new()), stray, answer)

    tokens = rendered_conversation(ref, build)
    assert text(tokens) == (
        f"<|start|>system<|message|>{DEFAULT_SYSTEM_TEXT}\n{FUNCTIONS_LINE}<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Sunny.<|end|>"
    )


def test_functions_line_is_absent_when_the_functions_namespace_is_empty(ref):
    tokens = rendered_conversation(
        ref,
        lambda h: conversation(h, system(h, h.SystemContent.new()), functions_developer(h, []), user(h)),
    )
    assert FUNCTIONS_LINE not in text(tokens)


def test_functions_line_needs_the_namespace_to_be_called_functions(ref):
    def build(h):
        tools = h.ToolNamespaceConfig(name="functions", description=None, tools=[get_weather(h)])
        tools_under_another_key = h.DeveloperContent(tools={"helpers": tools})
        return conversation(h, system(h, h.SystemContent.new()), developer(h, tools_under_another_key))

    assert FUNCTIONS_LINE not in text(rendered_conversation(ref, build))


def test_functions_line_is_absent_when_only_system_tools_exist(ref):
    tokens = rendered_conversation(
        ref, lambda h: conversation(h, system(h, h.SystemContent.new().with_browser_tool()), user(h))
    )
    assert FUNCTIONS_LINE not in text(tokens)


def test_system_tools_section_comes_between_reasoning_and_channels(ref):
    tokens = rendered(ref, lambda h: system(h, h.SystemContent.new().with_python_tool()))
    body = text(tokens)
    assert body.index("Reasoning: medium\n\n# Tools\n\n## python\n") < body.index("\n\n# Valid channels")


def test_tool_namespaces_are_rendered_sorted_by_key(ref):
    def build(h):
        content = h.SystemContent.new()
        for name in ("zeta", "python", "browser", "alpha"):
            content = content.with_tools(
                h.ToolNamespaceConfig(name=name, description=f"The {name} tools.", tools=[])
            )
        return system(h, content)

    body = text(rendered(ref, build))
    positions = [body.index(f"## {name}\n") for name in ("alpha", "browser", "python", "zeta")]
    assert positions == sorted(positions)


def test_tool_namespaces_are_sorted_by_key_not_by_name(ref):
    def build(h):
        first = h.ToolNamespaceConfig(name="zzz", description="Sorted first.", tools=[])
        second = h.ToolNamespaceConfig(name="aaa", description="Sorted second.", tools=[])
        return developer(h, h.DeveloperContent(tools={"b": second, "a": first}))

    body = text(rendered(ref, build))
    assert body.index("## zzz") < body.index("## aaa")


def test_system_content_outside_a_system_message_is_refused(ref):
    for role, rust_name in [("user", "User"), ("assistant", "Assistant"), ("developer", "Developer")]:
        refused(
            ref,
            lambda enc, h: enc.render(h.Message.from_role_and_content(h.Role(role), h.SystemContent.new())),
            f"SystemContent may only appear in system messages, found in {rust_name}",
        )
    refused(
        ref,
        lambda enc, h: enc.render(
            h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, "t"), h.SystemContent.new())
        ),
        "SystemContent may only appear in system messages, found in Tool",
    )


# -- developer messages ------------------------------------------------------------------


def test_developer_instructions_are_headed_by_instructions(ref):
    tokens = rendered(
        ref, lambda h: developer(h, h.DeveloperContent.new().with_instructions("Answer in French."))
    )
    assert tokens == [
        START, *ordinary("developer"), MESSAGE, *ordinary("# Instructions\n\nAnswer in French."), END,
    ]


def test_developer_content_without_fields_renders_nothing(ref):
    tokens = rendered(ref, lambda h: developer(h, h.DeveloperContent.new()))
    assert tokens == [START, *ordinary("developer"), MESSAGE, END]


def test_developer_tools_follow_the_instructions(ref):
    tokens = rendered(
        ref,
        lambda h: developer(
            h,
            h.DeveloperContent.new().with_instructions("Be brief.").with_function_tools([get_weather(h)]),
        ),
    )
    assert text(tokens) == (
        "<|start|>developer<|message|># Instructions\n\nBe brief.\n\n"
        "# Tools\n\n## functions\n\nnamespace functions {\n\n"
        "// Gets the weather.\ntype get_weather = (_: {\ncity: string,\n}) => any;\n\n"
        "} // namespace functions<|end|>"
    )


def test_developer_content_outside_a_developer_message_is_refused(ref):
    for role, rust_name in [("user", "User"), ("assistant", "Assistant"), ("system", "System")]:
        refused(
            ref,
            lambda enc, h: enc.render(
                h.Message.from_role_and_content(h.Role(role), h.DeveloperContent.new().with_instructions("x"))
            ),
            f"DeveloperContent may only appear in developer messages, found in {rust_name}",
        )


def test_rendering_refusals_are_runtime_errors_and_harmony_errors():
    with pytest.raises(RuntimeError):
        ENC.render(fastharmony.Message.from_role_and_content(fastharmony.Role.TOOL, "x"))
    assert issubclass(HarmonyError, RuntimeError)


def test_a_lone_surrogate_in_message_text_is_refused(ref):
    # The reference's JSON layer refuses it (ValueError); ours says what is wrong.
    with pytest.raises(ValueError):
        ref.render(user(openai_harmony, "a\ud800b"))
    with pytest.raises(HarmonyError, match="surrogate"):
        ENC.render(user(fastharmony, "a\ud800b"))
    with pytest.raises(HarmonyError, match="surrogate"):
        ENC.render_conversation(conversation(fastharmony, user(fastharmony, "\udfff")))


PAIR = "\ud83d\ude00"  # 😀 as two surrogate code points, as `surrogatepass` decoding leaves it


@pytest.mark.parametrize(
    "build",
    [
        lambda h: user(h, "a" + PAIR + "b"),
        lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.USER, "n" + PAIR), "x"),
        lambda h: assistant(h, "x").with_recipient("functions.f" + PAIR),
        lambda h: assistant(h, "x").with_channel("c" + PAIR).with_content_type("<|constrain|>" + PAIR),
    ],
    ids=["text", "name", "recipient", "channel-and-content-type"],
)
def test_a_surrogate_pair_is_joined_into_its_character(ref, build):
    # The reference's JSON layer joins the pair; so does ours, in every field.
    tokens = rendered(ref, build)
    assert "😀" in text(tokens)
    assert rendered_conversation(ref, lambda h: conversation(h, build(h))) == tokens


# -- conversations -----------------------------------------------------------------------


def test_a_conversation_is_its_messages_back_to_back(ref):
    tokens = rendered_conversation(
        ref, lambda h: conversation(h, user(h, "Hi"), assistant(h, "Hello", "final"))
    )
    assert tokens == rendered(ref, user) + rendered(ref, lambda h: assistant(h, "Hello", "final"))


def test_an_empty_conversation_renders_nothing(ref):
    assert rendered_conversation(ref, lambda h: conversation(h)) == []


@pytest.mark.parametrize("role", ["user", "assistant", "system", "developer", "tool"])
def test_completion_appends_start_and_the_next_role(ref, role):
    tokens = rendered_conversation(
        ref,
        lambda h: conversation(h, user(h)),
        None,
        "render_conversation_for_completion",
        role,
    )
    assert tokens == rendered(ref, user) + [START, *ordinary(role)]


def _reasoning_then_answers(h):
    return conversation(
        h,
        user(h, "What is 2+2?"),
        assistant(h, "Simple arithmetic.", "analysis"),
        assistant(h, "4", "final"),
        user(h, "And 3+3?"),
        assistant(h, "Again arithmetic.", "analysis"),
        assistant(h, "6", "final"),
    )


def test_analysis_before_the_first_final_is_dropped_when_the_last_assistant_message_is_final(ref):
    tokens = rendered_conversation(ref, _reasoning_then_answers)
    assert text(tokens) == (
        "<|start|>user<|message|>What is 2+2?<|end|>"
        "<|start|>assistant<|channel|>final<|message|>4<|end|>"
        "<|start|>user<|message|>And 3+3?<|end|>"
        "<|start|>assistant<|channel|>analysis<|message|>Again arithmetic.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>6<|end|>"
    )


def test_auto_drop_analysis_is_the_default(ref):
    assert rendered_conversation(ref, _reasoning_then_answers) == rendered_conversation(
        ref, _reasoning_then_answers, True
    )


def test_auto_drop_analysis_false_keeps_every_message(ref):
    tokens = rendered_conversation(ref, _reasoning_then_answers, False)
    assert text(tokens).count("<|channel|>analysis") == 2


def test_analysis_is_kept_when_the_last_assistant_message_is_not_final(ref):
    def build(h):
        return conversation(
            h,
            user(h, "Q"),
            assistant(h, "A", "analysis"),
            assistant(h, "B", "final"),
            user(h, "Q2"),
            assistant(h, "C", "analysis"),
        )

    tokens = rendered_conversation(ref, build)
    assert "<|channel|>analysis<|message|>A" in text(tokens)


def test_analysis_is_kept_when_the_last_assistant_message_has_no_channel(ref):
    def build(h):
        return conversation(h, assistant(h, "A", "analysis"), assistant(h, "B", "final"), assistant(h, "C"))

    assert "<|message|>A" in text(rendered_conversation(ref, build))


def test_a_later_user_message_does_not_stop_the_drop(ref):
    def build(h):
        return conversation(h, assistant(h, "A", "analysis"), assistant(h, "B", "final"), user(h, "thanks"))

    assert "<|message|>A" not in text(rendered_conversation(ref, build))


def test_the_first_final_message_of_any_role_bounds_the_drop(ref):
    # A quirk of the reference kept as the format: the boundary is the first
    # message on channel `final`, whoever wrote it.
    def build(h):
        return conversation(
            h,
            assistant(h, "A", "analysis"),
            user(h, "U").with_channel("final"),
            assistant(h, "B", "analysis"),
            assistant(h, "C", "final"),
        )

    body = text(rendered_conversation(ref, build))
    assert "<|message|>A" not in body and "<|message|>B" in body


def test_analysis_messages_of_any_role_are_dropped(ref):
    def build(h):
        return conversation(h, user(h, "U").with_channel("analysis"), assistant(h, "C", "final"))

    assert text(rendered_conversation(ref, build)) == "<|start|>assistant<|channel|>final<|message|>C<|end|>"


def test_auto_drop_applies_to_completion_and_training(ref):
    for how, next_turn in [
        ("render_conversation_for_completion", "user"),
        ("render_conversation_for_training", None),
    ]:
        tokens = rendered_conversation(ref, _reasoning_then_answers, None, how, next_turn)
        assert "Simple arithmetic." not in text(tokens)
        tokens = rendered_conversation(ref, _reasoning_then_answers, False, how, next_turn)
        assert "Simple arithmetic." in text(tokens)


def test_training_ends_a_final_answer_with_return(ref):
    tokens = rendered_conversation(
        ref, lambda h: conversation(h, user(h), assistant(h, "Hello", "final")), None,
        "render_conversation_for_training",
    )
    assert tokens[-1] == RETURN
    assert tokens[:-1] == rendered_conversation(
        ref, lambda h: conversation(h, user(h), assistant(h, "Hello", "final"))
    )[:-1]


def test_training_replaces_even_a_call_at_the_end_of_a_final_answer(ref):
    tokens = rendered_conversation(
        ref,
        lambda h: conversation(h, assistant(h, "{}", "final").with_recipient("functions.f")),
        None,
        "render_conversation_for_training",
    )
    assert tokens[-1] == RETURN and CALL not in tokens


@pytest.mark.parametrize(
    "last",
    [
        lambda h: assistant(h, "x", "analysis"),
        lambda h: assistant(h, "x"),
        lambda h: user(h, "x").with_channel("final"),
        lambda h: assistant(h, "x", "commentary").with_recipient("functions.f"),
    ],
    ids=["assistant-analysis", "assistant-no-channel", "user-final", "assistant-call"],
)
def test_training_keeps_the_end_token_unless_the_last_message_is_a_final_assistant_answer(ref, last):
    training = rendered_conversation(
        ref, lambda h: conversation(h, user(h), last(h)), None, "render_conversation_for_training"
    )
    assert training == rendered_conversation(ref, lambda h: conversation(h, user(h), last(h)))
    assert RETURN not in training


def test_training_of_an_empty_conversation_is_empty(ref):
    assert rendered_conversation(ref, lambda h: conversation(h), None, "render_conversation_for_training") == []


# -- text that spells special tokens stays text ---------------------------------------------


def test_text_spelling_special_tokens_stays_text_in_every_header_field_and_the_content(ref):
    s = SPELLED_SPECIALS
    tokens = rendered(
        ref,
        lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.ASSISTANT, s), s)
        .adding_content(s)
        .with_recipient(s)
        .with_channel(s)
        .with_content_type("<|constrain|>" + s),
    )
    assert specials(tokens) == [START, CHANNEL, CONSTRAIN, MESSAGE, CALL]
    assert text(tokens) == (
        f"<|start|>assistant:{s} to={s}<|channel|>{s} <|constrain|>{s}<|message|>{s}{s}<|call|>"
    )


def test_text_spelling_special_tokens_stays_text_in_a_tool_name(ref):
    tokens = rendered(
        ref,
        lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, SPELLED_SPECIALS), "x"),
    )
    assert specials(tokens) == [START, MESSAGE, END]


def test_text_spelling_special_tokens_stays_text_in_system_content(ref):
    s = SPELLED_SPECIALS
    tokens = rendered(
        ref,
        lambda h: system(
            h,
            h.SystemContent.new()
            .with_model_identity(s)
            .with_knowledge_cutoff(s)
            .with_conversation_start_date(s)
            .with_required_channels([s, s]),
        ),
        function_tools=True,
    )
    assert specials(tokens) == [START, MESSAGE, END]
    assert text(tokens).count(s) == 5


def test_text_spelling_special_tokens_stays_text_in_developer_instructions(ref):
    tokens = rendered(
        ref, lambda h: developer(h, h.DeveloperContent.new().with_instructions(SPELLED_SPECIALS))
    )
    assert specials(tokens) == [START, MESSAGE, END]


def test_text_spelling_special_tokens_stays_text_in_tool_declarations(ref):
    s = SPELLED_SPECIALS

    def build(h):
        schema = {
            "type": "object",
            "description": s,
            "properties": {
                s: {"type": "string", "description": s, "enum": [s, "x"], "default": s},
                "n": {"type": "number", "description": s, "default": 3},
            },
            "required": [s],
        }
        tool = h.ToolDescription.new(s, s, schema)
        namespace = h.ToolNamespaceConfig(name=s, description=s, tools=[tool])
        return developer(
            h, h.DeveloperContent.new().with_instructions(s).with_tools(namespace).with_function_tools([tool])
        )

    tokens = rendered(ref, build)
    assert specials(tokens) == [START, MESSAGE, END]
    assert text(tokens).count(s) >= 9


def test_text_spelling_special_tokens_stays_text_in_system_tool_declarations(ref):
    s = SPELLED_SPECIALS

    def build(h):
        namespace = h.ToolNamespaceConfig(
            name=s, description=s, tools=[h.ToolDescription.new(s, s, None)]
        )
        return system(h, h.SystemContent.new().with_tools(namespace))

    tokens = rendered(ref, build)
    assert specials(tokens) == [START, MESSAGE, END]


# -- values assigned after construction ---------------------------------------------------
# Neither library validates assignments; the reference's JSON layer then refuses
# what is not a string, and so must ours, with a HarmonyError.


def _assigned(make, path, value):
    def build(h):
        obj = make(h)
        target = obj
        *parents, field = path.split(".")
        for parent in parents:
            target = getattr(target, parent) if not parent.isdigit() else target[int(parent)]
        setattr(target, field, value)
        return obj

    return build


@pytest.mark.parametrize(
    "make, path",
    [
        (lambda h: user(h), "channel"),
        (lambda h: user(h), "recipient"),
        (lambda h: user(h), "content_type"),
        (lambda h: user(h), "author.name"),
        (lambda h: user(h), "content.0.text"),
        (lambda h: system(h, h.SystemContent.new()), "content.0.model_identity"),
        (lambda h: system(h, h.SystemContent.new()), "content.0.knowledge_cutoff"),
        (lambda h: system(h, h.SystemContent.new()), "content.0.conversation_start_date"),
        (lambda h: system(h, h.SystemContent.new()), "content.0.channel_config.valid_channels"),
        (lambda h: developer(h, h.DeveloperContent.new()), "content.0.instructions"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
@pytest.mark.parametrize("value", [20250101, 1.5, ["x"]], ids=["int", "float", "list"])
def test_a_non_string_assigned_after_construction_is_refused(ref, make, path, value):
    if path.endswith("valid_channels") and isinstance(value, list):
        value = [5]
    build = _assigned(make, path, value)
    with pytest.raises(ValueError):
        ref.render(build(openai_harmony))
    with pytest.raises(HarmonyError):
        ENC.render(build(fastharmony))


def test_a_role_assigned_after_construction_is_refused_at_render_in_the_one_wording():
    # Assignment is not validated (as in pydantic); the renderer guards it, and
    # says it as every other unknown-role error does.
    message = fastharmony.Message.from_role_and_content(fastharmony.Role.USER, "x")
    message.author.role = "wizard"
    with pytest.raises(HarmonyError, match=r"^Message\.author\.role: Unknown role: 'wizard'$"):
        load_harmony_encoding("HarmonyGptOss").render(message)
