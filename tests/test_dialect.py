"""The oss-harmony 0.0.11 dialect: choosing it, and its rendering rules, one test each.

The fork oss-harmony 0.0.11 renders headers differently from openai-harmony
0.0.8 in two rules (src/encoding.rs, diffed against openai/harmony v0.0.8;
nothing else on the render side differs):

- R1: on the channel `commentary` (exactly), the recipient follows the channel:
  `<|start|>assistant<|channel|>commentary to=functions.f<|message|>`;
- R2: a content type not beginning with `<|constrain|>` gets it, on any channel:
  ` <|constrain|>json` where 0.0.8 renders ` json`.

Each test renders the same message with fastharmony in that dialect and with
the fork itself (`oss_ref`), checks the tokens are equal, and states the rule
on the tokens. The property-based comparison over random conversations is in
test_render_differential.py (both dialects).
"""

import pytest

import fastharmony
from fastharmony import HarmonyError, Message, Role, load_harmony_encoding

OURS = load_harmony_encoding("HarmonyGptOss", dialect="0.0.11")
DEFAULT = load_harmony_encoding("HarmonyGptOss")

CHANNEL, CONSTRAIN, MESSAGE = 200005, 200003, 200008


def both(oss_harmony, build):
    """(fastharmony message, oss-harmony message) built by `build(h)`."""
    return build(fastharmony), build(oss_harmony)


def header_text(tokens):
    """The header between <|start|> and <|message|>, special tokens spelled out."""
    return OURS.decode(tokens[1 : tokens.index(MESSAGE)])


def assert_renders_as_fork(oss_ref, ours, theirs):
    tokens = OURS.render(ours)
    assert tokens == oss_ref.render(theirs)
    return tokens


# -- choosing the dialect ---------------------------------------------------------------


def test_the_default_dialect_is_0_0_8():
    assert DEFAULT.dialect == "0.0.8"
    assert OURS.dialect == "0.0.11"
    assert OURS is load_harmony_encoding("HarmonyGptOss", dialect="0.0.11")
    assert OURS is not DEFAULT


def test_the_environment_variable_chooses_the_dialect_when_none_is_given(monkeypatch):
    monkeypatch.setenv("FASTHARMONY_DIALECT", "0.0.11")
    assert load_harmony_encoding("HarmonyGptOss") is OURS
    assert load_harmony_encoding("HarmonyGptOss", dialect="0.0.8") is DEFAULT  # the argument wins
    monkeypatch.setenv("FASTHARMONY_DIALECT", "")
    assert load_harmony_encoding("HarmonyGptOss") is DEFAULT
    monkeypatch.delenv("FASTHARMONY_DIALECT")
    assert load_harmony_encoding("HarmonyGptOss") is DEFAULT


@pytest.mark.parametrize("dialect", ["0.0.9", "0.0.10", "oss", "0.0.11 ", 11, b"0.0.11"])
def test_an_unknown_dialect_is_refused_naming_the_dialects(dialect):
    with pytest.raises(fastharmony._errors.HarmonyValueError) as raised:
        load_harmony_encoding("HarmonyGptOss", dialect=dialect)
    assert '"0.0.8"' in str(raised.value) and '"0.0.11"' in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_an_unknown_dialect_in_the_environment_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("FASTHARMONY_DIALECT", "0.0.12")
    with pytest.raises(HarmonyError, match="FASTHARMONY_DIALECT is '0.0.12'.*\"0.0.8\".*\"0.0.11\""):
        load_harmony_encoding("HarmonyGptOss")


# -- R1: on commentary, the recipient follows the channel --------------------------------


def test_r1_an_assistant_call_on_commentary_names_the_channel_before_the_recipient(oss_harmony, oss_ref):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "{}")
        .with_channel("commentary")
        .with_recipient("functions.get_weather"),
    )
    tokens = assert_renders_as_fork(oss_ref, ours, theirs)
    assert header_text(tokens) == "assistant<|channel|>commentary to=functions.get_weather"
    assert DEFAULT.decode(DEFAULT.render(ours)).startswith(
        "<|start|>assistant to=functions.get_weather<|channel|>commentary<|message|>"
    )


def test_r1_a_tool_result_on_commentary_names_the_channel_before_the_recipient(oss_harmony, oss_ref):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message.from_author_and_content(h.Author.new(h.Role.TOOL, "functions.f"), "42")
        .with_channel("commentary")
        .with_recipient("assistant"),
    )
    tokens = assert_renders_as_fork(oss_ref, ours, theirs)
    assert header_text(tokens) == "functions.f<|channel|>commentary to=assistant"


@pytest.mark.parametrize("channel", ["analysis", "final", "Commentary", "commentary ", "x"])
def test_r1_other_channels_keep_the_recipient_first(oss_harmony, oss_ref, channel):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "x").with_channel(channel).with_recipient("python"),
    )
    tokens = assert_renders_as_fork(oss_ref, ours, theirs)
    assert header_text(tokens) == f"assistant to=python<|channel|>{channel}"


@pytest.mark.parametrize("recipient", ["all", None])
def test_r1_commentary_without_a_rendered_recipient_is_the_channel_alone(oss_harmony, oss_ref, recipient):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message(
            author=h.Author(role=h.Role.ASSISTANT), content=[h.TextContent(text="x")],
            channel="commentary", recipient=recipient,
        ),
    )
    tokens = assert_renders_as_fork(oss_ref, ours, theirs)
    assert header_text(tokens) == "assistant<|channel|>commentary"


def test_r1_a_recipient_without_a_channel_is_rendered_as_in_0_0_8(oss_harmony, oss_ref):
    ours, theirs = both(
        oss_harmony, lambda h: h.Message.from_role_and_content(h.Role.USER, "x").with_recipient("bob")
    )
    assert assert_renders_as_fork(oss_ref, ours, theirs) == DEFAULT.render(ours)


# -- R2: every content type is constrained -------------------------------------------------


@pytest.mark.parametrize("channel", ["commentary", "final", "analysis", None])
def test_r2_a_content_type_without_constrain_gets_it_on_any_channel(oss_harmony, oss_ref, channel):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message(
            author=h.Author(role=h.Role.ASSISTANT), content=[h.TextContent(text="{}")],
            channel=channel, recipient="functions.f", content_type="json",
        ),
    )
    tokens = assert_renders_as_fork(oss_ref, ours, theirs)
    assert header_text(tokens).endswith(" <|constrain|>json")
    at = tokens.index(CONSTRAIN)
    assert tokens[at - 1 : at] == OURS.encode(" ") and tokens[at + 1 : at + 2] == OURS.encode("json")


@pytest.mark.parametrize("content_type", ["<|constrain|>json", "<|constrain|>", "<|constrain|> json", "<|constrain|><|constrain|>"])
def test_r2_a_content_type_already_constrained_renders_as_in_0_0_8(oss_harmony, oss_ref, content_type):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message.from_role_and_content(h.Role.ASSISTANT, "{}").with_content_type(content_type),
    )
    assert assert_renders_as_fork(oss_ref, ours, theirs) == DEFAULT.render(ours)


@pytest.mark.parametrize("content_type", ["", " ", "code", "text json", "<|end|>"])
def test_r2_any_other_content_type_is_prefixed_as_text_after_the_constrain_token(oss_harmony, oss_ref, content_type):
    ours, theirs = both(
        oss_harmony,
        lambda h: h.Message.from_role_and_content(h.Role.USER, "x").with_content_type(content_type),
    )
    tokens = assert_renders_as_fork(oss_ref, ours, theirs)
    at = tokens.index(CONSTRAIN)
    assert tokens[at + 1 : tokens.index(MESSAGE)] == OURS.encode(content_type, disallowed_special=())


# -- nothing else differs -------------------------------------------------------------------


def test_a_conversation_without_recipients_or_content_types_renders_as_in_0_0_8(oss_harmony, oss_ref):
    def build(h):
        return h.Conversation.from_messages(
            [
                h.Message.from_role_and_content(h.Role.SYSTEM, h.SystemContent.new()),
                h.Message.from_role_and_content(
                    h.Role.DEVELOPER,
                    h.DeveloperContent.new().with_function_tools(
                        [h.ToolDescription.new("f", "F.", {"type": "object", "properties": {"a": {"type": "string", "default": "x"}}})]
                    ),
                ),
                h.Message.from_role_and_content(h.Role.USER, "Hi"),
                h.Message.from_role_and_content(h.Role.ASSISTANT, "Hmm").with_channel("analysis"),
                h.Message.from_role_and_content(h.Role.ASSISTANT, "Hello").with_channel("final"),
            ]
        )

    ours, theirs = build(fastharmony), build(oss_harmony)
    for render in ("render_conversation", "render_conversation_for_training"):
        assert getattr(OURS, render)(ours) == getattr(oss_ref, render)(theirs) == getattr(DEFAULT, render)(ours)
    assert OURS.render_conversation_for_completion(ours, Role.ASSISTANT) == oss_ref.render_conversation_for_completion(
        theirs, oss_harmony.Role.ASSISTANT
    )


def test_stop_tokens_and_decoding_do_not_depend_on_the_dialect(oss_ref):
    # (The reference returns them in a hash set's order.)
    assert OURS.stop_tokens() == sorted(oss_ref.stop_tokens()) == DEFAULT.stop_tokens()
    assert OURS.stop_tokens_for_assistant_actions() == sorted(oss_ref.stop_tokens_for_assistant_actions())
    tokens = DEFAULT.render(Message.from_role_and_content(Role.USER, "héllo"))
    assert OURS.decode(tokens) == oss_ref.decode(tokens)
