"""The property that makes training examples trustworthy, and the reference's tokens.

For every run of trained messages in an example (messages adjacent in the
tokens, all trained), with the default `header="generated"`:
- the tokens before the run are `render_conversation_for_completion` of the
  messages rendered before it, and in the last turn (every turn of a
  `per_turn` example) of the conversation up to there with the same analysis
  policy: the model is trained exactly on what it samples after that prompt;
- the run's trained tokens parse back
  (`parse_messages_from_completion_tokens(..., Role.ASSISTANT)`) into exactly
  the run's messages, and nothing outside the runs is trained.

And `input_ids` are the reference's `render_conversation_for_training` of
the conversation the policy renders.
"""

import copy

import fastharmony
import openai_harmony
from hypothesis import given, settings
from hypothesis import strategies as st

from fastharmony import (
    Conversation,
    HarmonyError,
    RenderConversationConfig,
    Role,
    load_harmony_encoding,
)
from fastharmony.training import LossMask, render_example, render_examples, to_conversation
from strategies import conversation_specs
from training_strategies import openai_records, training_conversations

enc = load_harmony_encoding("HarmonyGptOss")
# The comparisons with the reference spend most of their time in its pydantic
# layer: a third of the examples (FASTHARMONY_EXAMPLES scales them too).
REFERENCE_EXAMPLES = settings(max_examples=max(20, settings.default.max_examples // 3))
KEEP = RenderConversationConfig(auto_drop_analysis=False)

masks = st.builds(
    LossMask,
    channels=st.sampled_from([None, {"final"}, {"analysis", "final"}, {"commentary"}]),
    tool_calls=st.booleans(),
    turns=st.sampled_from(["all", "last"]),
    history_analysis=st.sampled_from(["drop", "keep", "reference"]),
)


def load(h, specs):
    return h.Conversation(messages=[h.Message.from_dict(copy.deepcopy(spec)) for spec in specs])


def dropped_by_policy(messages):
    """The "drop" rule, written out independently of fastharmony.training:
    turns (split at user messages) before the last user message that ended
    in a final answer lose their analysis messages."""
    users = [i for i, m in enumerate(messages) if m.author.role == Role.USER]
    if not users:
        return set()
    dropped, turn_start = set(), 0
    for boundary in users:
        turn = range(turn_start, boundary)
        assistant = [i for i in turn if messages[i].author.role == Role.ASSISTANT]
        if assistant and messages[assistant[-1]].channel == "final" and messages[assistant[-1]].recipient is None:
            dropped |= {i for i in assistant if messages[i].channel == "analysis"}
        turn_start = boundary
    return dropped


def policy_prompt(messages, policy):
    """The completion prompt for `messages` under an analysis policy."""
    if policy == "reference":
        return enc.render_conversation_for_completion(Conversation.from_messages(messages), Role.ASSISTANT)
    if policy == "drop":
        dropped = dropped_by_policy(messages)
        messages = [m for i, m in enumerate(messages) if i not in dropped]
    return enc.render_conversation_for_completion(Conversation.from_messages(messages), Role.ASSISTANT, KEEP)


def runs(example):
    """Lists of spans: trained messages adjacent in the tokens."""
    out, current = [], []
    for span in example.spans:
        if span.dropped:
            continue
        if span.trained:
            current.append(span)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def check_runs(example, messages, policy, literal_from):
    ids, mask = example.input_ids, example.loss_mask
    covered = [0] * len(ids)
    for run in runs(example):
        first = run[0]
        before = [messages[s.index] for s in example.spans[: first.index] if not s.dropped]
        prompt = enc.render_conversation_for_completion(Conversation.from_messages(before), Role.ASSISTANT, KEEP)
        assert ids[: len(prompt)] == prompt
        if first.index > literal_from:
            assert ids[: len(prompt)] == policy_prompt(messages[: first.index], policy)
        start, end = len(prompt), run[-1].end
        assert all(mask[start:end]), "a run is trained from its prompt to its last stop token"
        covered[start:end] = [1] * (end - start)
        parsed = enc.parse_messages_from_completion_tokens(ids[start:end], Role.ASSISTANT)
        assert parsed == [messages[s.index] for s in run]
    assert list(mask) == covered, "nothing outside the runs is trained"


@given(training_conversations(), masks)
def test_every_trained_run_is_what_the_model_samples_after_its_prompt(spec, mask):
    messages = load(fastharmony, spec["messages"]).messages
    example = render_example(enc, messages, mask=mask)
    last_user = max(i for i, m in enumerate(messages) if m.author.role == Role.USER)
    # The literal prompt holds in the last turn; under "reference" nowhere in
    # general (its auto-drop depends on how the conversation ends).
    literal_from = len(messages) if mask.history_analysis == "reference" else last_user
    check_runs(example, messages, mask.history_analysis, literal_from)


@given(training_conversations(), masks)
def test_per_turn_examples_train_every_turn_after_the_prompt_it_had(spec, mask):
    messages = load(fastharmony, spec["messages"]).messages
    examples = render_examples(enc, [Conversation(messages=messages)], mask=mask, per_turn=True)
    for example in examples:
        prefix = messages[: len(example.spans)]
        literal_from = len(prefix) if mask.history_analysis == "reference" else -1
        check_runs(example, prefix, mask.history_analysis, literal_from)
        # Only the example's last turn is trained.
        users = [s.index for s in example.spans if s.role == "user"]
        assert not any(s.trained for s in example.spans if users and s.index < users[-1])


def reference_training_render(ref, messages_specs, policy):
    if policy == "drop":
        ours = load(fastharmony, messages_specs).messages
        dropped = dropped_by_policy(ours)
        messages_specs = [m for i, m in enumerate(messages_specs) if i not in dropped]
    convo = load(openai_harmony, messages_specs)
    if policy == "reference":
        return ref.render_conversation_for_training(convo)
    return ref.render_conversation_for_training(convo, openai_harmony.RenderConversationConfig(auto_drop_analysis=False))


@REFERENCE_EXAMPLES
@given(training_conversations(), st.sampled_from(["drop", "keep", "reference"]))
def test_input_ids_are_the_reference_training_render_whole_and_per_turn(ref, spec, policy):
    mask = LossMask(history_analysis=policy)
    example = render_example(enc, load(fastharmony, spec["messages"]), mask=mask)
    assert example.input_ids == reference_training_render(ref, spec["messages"], policy)
    for example in render_examples(enc, [spec], mask=mask, per_turn=True):
        prefix = spec["messages"][: len(example.spans)]
        assert example.input_ids == reference_training_render(ref, prefix, policy)


@REFERENCE_EXAMPLES
@given(conversation_specs(with_tools=True), st.sampled_from(["keep", "reference"]))
def test_any_conversation_renders_as_the_reference_renders_it_for_training(ref, spec, policy):
    # The corners of strategies.py: where the reference refuses, so do we.
    config = openai_harmony.RenderConversationConfig(auto_drop_analysis=policy == "reference")
    try:
        expected = ref.render_conversation_for_training(load(openai_harmony, spec), config)
    except Exception:
        expected = None
    try:
        got = render_example(enc, load(fastharmony, spec), mask=LossMask(history_analysis=policy)).input_ids
    except HarmonyError:
        got = None
    assert got == expected


@given(openai_records())
def test_openai_records_convert_by_the_request_rules_keeping_all_reasoning(record):
    from fastharmony.chat import conversation_from_request

    ours = to_conversation(record, "openai", "2025-06-28").messages
    request = conversation_from_request(record, start_date="2025-06-28").messages
    # A request leaves out the reasoning before the last final answer; a
    # transcript keeps it: that is the only difference.
    finals = [i for i, m in enumerate(ours) if m.author.role == Role.ASSISTANT and m.channel == "final"]
    last_final = finals[-1] if finals else -1
    assert [m for i, m in enumerate(ours) if i > last_final or m.channel != "analysis"] == request
    reasoning = [m["reasoning_content"] for m in record["messages"] if m.get("reasoning_content")]
    assert [m.content[0].text for m in ours if m.channel == "analysis"] == reasoning


@given(openai_records())
def test_openai_records_render_trained_answers_and_calls(record):
    [example] = render_examples(enc, [record], source="openai", start_date="2025-06-28",
                                mask=LossMask(history_analysis="keep"))
    convo = to_conversation(record, "openai", "2025-06-28")
    check_runs(example, convo.messages, "keep", -1)
