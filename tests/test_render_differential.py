"""Property-based differential tests: fastharmony renders what openai-harmony renders.

Hypothesis draws conversations as plain data (see strategies.py), the same spec
is loaded into both libraries, and every render path must give identical
tokens, or both must refuse: ours with HarmonyError and, where the reference's
core refused, its exact message.

Every test runs in both dialects: fastharmony's default against openai-harmony
0.0.8, and `dialect="0.0.11"` against the fork oss-harmony 0.0.11.

Raise the example count with FASTHARMONY_EXAMPLES (see conftest.py).
"""

import copy

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

import fastharmony
import openai_harmony
from fastharmony import HarmonyError, load_harmony_encoding
from strategies import ROLES, conversation_specs, hostile_text

ENC = load_harmony_encoding("HarmonyGptOss")


class Oracle:
    """One dialect: our encoding beside the reference's module and encoding."""

    def __init__(self, ours, module, reference):
        self.ours, self.module, self.reference = ours, module, reference

    def __repr__(self):
        return f"<Oracle {self.ours.dialect}>"


@pytest.fixture(scope="module", params=["0.0.8", "0.0.11"])
def oracle(request, ref):
    if request.param == "0.0.8":
        return Oracle(ENC, openai_harmony, ref)
    module = request.getfixturevalue("oss_harmony")
    reference = request.getfixturevalue("oss_ref")
    return Oracle(load_harmony_encoding("HarmonyGptOss", dialect="0.0.11"), module, reference)

# -- the comparison -------------------------------------------------------------------


def load(h, specs):
    return h.Conversation(messages=[h.Message.from_dict(copy.deepcopy(spec)) for spec in specs])


def outcome(render):
    try:
        return render(), None
    except Exception as error:  # noqa: BLE001 - compared below
        return None, error


def assert_same_rendering(render_ours, render_reference):
    expected, reference_error = outcome(render_reference)
    if reference_error is None:
        event("rendered")
        assert render_ours() == expected
        return
    event(f"refused: {str(reference_error)[:40]}")
    note(f"reference refused: {reference_error!r}")
    with pytest.raises(HarmonyError) as ours:
        render_ours()
    if type(reference_error) is RuntimeError:  # the core's messages are deterministic
        assert str(ours.value) == str(reference_error)


def assert_all_paths_agree(oracle, specs, auto_drop, next_turn, function_tools):
    enc, ref, openai_harmony = oracle.ours, oracle.reference, oracle.module
    ours, theirs = load(fastharmony, specs), load(openai_harmony, specs)

    def config(h):
        return None if auto_drop is None else h.RenderConversationConfig(auto_drop_analysis=auto_drop)

    assert_same_rendering(
        lambda: enc.render_conversation(ours, config(fastharmony)),
        lambda: ref.render_conversation(theirs, config(openai_harmony)),
    )
    assert_same_rendering(
        lambda: enc.render_conversation_for_completion(ours, fastharmony.Role(next_turn), config(fastharmony)),
        lambda: ref.render_conversation_for_completion(theirs, openai_harmony.Role(next_turn), config(openai_harmony)),
    )
    assert_same_rendering(
        lambda: enc.render_conversation_for_training(ours, config(fastharmony)),
        lambda: ref.render_conversation_for_training(theirs, config(openai_harmony)),
    )
    for our_message, their_message in zip(ours.messages, theirs.messages):

        def options(h):
            if function_tools is None:
                return None
            return h.RenderOptions(conversation_has_function_tools=function_tools)

        assert_same_rendering(
            lambda: enc.render(our_message, options(fastharmony)),
            lambda: ref.render(their_message, options(openai_harmony)),
        )


render_settings = {
    "auto_drop": st.sampled_from([None, True, False]),
    "next_turn": st.sampled_from(ROLES),
    "function_tools": st.sampled_from([None, True, False]),
}


@given(specs=conversation_specs(), **render_settings)
def test_conversations_render_identically(oracle, specs, auto_drop, next_turn, function_tools):
    assert_all_paths_agree(oracle, specs, auto_drop, next_turn, function_tools)


@given(specs=conversation_specs(with_tools=True), **render_settings)
def test_conversations_declaring_tools_render_identically(oracle, specs, auto_drop, next_turn, function_tools):
    assert_all_paths_agree(oracle, specs, auto_drop, next_turn, function_tools)


@given(
    specs=st.lists(
        st.fixed_dictionaries(
            {
                "role": st.sampled_from(["user", "assistant", "tool"]),
                "name": st.just("t"),
                "content": st.sampled_from(["x", "y"]),
                "channel": st.sampled_from(["analysis", "final", "commentary"]),
            }
        ),
        max_size=8,
    ),
    auto_drop=st.sampled_from([None, True, False]),
)
def test_analysis_dropping_agrees_on_dense_channel_mixes(oracle, specs, auto_drop):
    # The hostile strategies rarely line up final/analysis patterns; this one
    # draws nothing else.
    enc, ref, openai_harmony = oracle.ours, oracle.reference, oracle.module
    ours, theirs = load(fastharmony, specs), load(openai_harmony, specs)
    our_config = None if auto_drop is None else fastharmony.RenderConversationConfig(auto_drop_analysis=auto_drop)
    their_config = None if auto_drop is None else openai_harmony.RenderConversationConfig(auto_drop_analysis=auto_drop)
    assert enc.render_conversation(ours, our_config) == ref.render_conversation(theirs, their_config)
    assert enc.render_conversation_for_training(ours, our_config) == ref.render_conversation_for_training(theirs, their_config)


@given(text=hostile_text)
def test_hostile_text_never_becomes_a_special_token(text):
    message = fastharmony.Message.from_role_and_content(fastharmony.Role.USER, text)
    tokens = ENC.render(message)
    assert [t for t in tokens if ENC.is_special_token(t)] == [200006, 200008, 200007]
    assert ENC.decode_utf8(tokens) == f"<|start|>user<|message|>{text}<|end|>"
