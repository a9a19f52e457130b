"""The rules of fastharmony.training, one test each (see docs/training.md).

Each test renders a small conversation and shows, as text, which tokens
are trained: `trained(example)` decodes the trained tokens, with " | " where
an untrained stretch separates them.
"""

import pytest

from fastharmony import (
    Author,
    Conversation,
    HarmonyError,
    Message,
    RenderConversationConfig,
    Role,
    load_harmony_encoding,
)
from fastharmony.training import LossMask, TrainingExample, render_example, render_examples, to_conversation

enc = load_harmony_encoding("HarmonyGptOss")
KEEP = RenderConversationConfig(auto_drop_analysis=False)


def user(text):
    return Message.from_role_and_content(Role.USER, text)


def assistant(text, channel="final"):
    return Message.from_role_and_content(Role.ASSISTANT, text).with_channel(channel)


def call(arguments, function="get_weather"):
    return (
        Message.from_role_and_content(Role.ASSISTANT, arguments)
        .with_channel("commentary")
        .with_recipient(f"functions.{function}")
        .with_content_type("<|constrain|>json")
    )


def result(text, function="get_weather"):
    return (
        Message.from_author_and_content(Author.new(Role.TOOL, f"functions.{function}"), text)
        .with_channel("commentary")
        .with_recipient("assistant")
    )


def trained(example: TrainingExample) -> str:
    pieces, current = [], []
    for token, keep in zip(example.input_ids, example.loss_mask):
        if keep:
            current.append(token)
        elif current:
            pieces.append(enc.decode(current))
            current = []
    if current:
        pieces.append(enc.decode(current))
    return " | ".join(pieces)


TOOL_TURN = [
    user("Weather in Paris?"),
    assistant("Need the tool.", "analysis"),
    call('{"city":"Paris"}'),
    result("sunny"),
    assistant("It is sunny.", "analysis"),
    assistant("Sunny!"),
]

# -- which messages --------------------------------------------------------------------


def test_by_default_every_assistant_message_is_trained_tool_calls_included_and_nothing_else():
    system = Message.from_role_and_content(Role.SYSTEM, "You are a bot.")
    example = render_example(enc, [system, *TOOL_TURN])
    assert trained(example) == (
        "<|channel|>analysis<|message|>Need the tool.<|end|>"
        '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>'
        " | <|channel|>analysis<|message|>It is sunny.<|end|><|start|>assistant<|channel|>final<|message|>Sunny!<|return|>"
    )
    assert [span.trained for span in example.spans] == [False, False, True, True, False, True, True]


def test_tool_results_are_never_trained():
    with pytest.raises(HarmonyError, match="tool results are never trained"):
        LossMask(roles={"assistant", "tool"})
    example = render_example(enc, TOOL_TURN, mask=LossMask(roles={"assistant", "user"}))
    assert [span.trained for span in example.spans if span.role == "tool"] == [False]


def test_roles_choose_whose_messages_are_trained():
    example = render_example(enc, [user("Hi"), assistant("Hello")], mask=LossMask(roles={"user"}))
    assert trained(example) == "<|message|>Hi<|end|>"


def test_channels_final_trains_answers_only_and_calls_still_follow_tool_calls():
    example = render_example(enc, TOOL_TURN, mask=LossMask(channels={"final"}))
    assert trained(example) == (
        ' to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>'
        " | <|channel|>final<|message|>Sunny!<|return|>"
    )
    example = render_example(enc, TOOL_TURN, mask=LossMask(channels={"final"}, tool_calls=False))
    assert trained(example) == "<|channel|>final<|message|>Sunny!<|return|>"


def test_tool_calls_false_leaves_calls_untrained():
    example = render_example(enc, TOOL_TURN, mask=LossMask(tool_calls=False))
    assert trained(example) == (
        "<|channel|>analysis<|message|>Need the tool.<|end|>"
        " | <|channel|>analysis<|message|>It is sunny.<|end|><|start|>assistant<|channel|>final<|message|>Sunny!<|return|>"
    )


def test_turns_last_trains_only_what_follows_the_last_user_message():
    convo = [user("1+1?"), assistant("2"), user("2+2?"), assistant("4")]
    assert trained(render_example(enc, convo)) == (
        "<|channel|>final<|message|>2<|end|> | <|channel|>final<|message|>4<|return|>"
    )
    assert trained(render_example(enc, convo, mask=LossMask(turns="last"))) == "<|channel|>final<|message|>4<|return|>"


# -- which tokens of a trained message ---------------------------------------------------


def test_header_generated_leaves_the_prompts_start_assistant_untrained_but_not_the_next_ones():
    example = render_example(enc, [user("Hi"), assistant("Hmm.", "analysis"), assistant("Hello")])
    prompt = enc.render_conversation_for_completion(Conversation.from_messages([user("Hi")]), Role.ASSISTANT)
    assert example.loss_mask[: len(prompt)] == bytes(len(prompt))
    assert all(example.loss_mask[len(prompt):])
    assert trained(example).startswith("<|channel|>analysis")
    assert "<|end|><|start|>assistant<|channel|>final" in trained(example)


def test_header_content_trains_content_and_stop_token_only():
    example = render_example(enc, TOOL_TURN[-3:], mask=LossMask(header="content"))
    assert trained(example) == "It is sunny.<|end|> | Sunny!<|return|>"


def test_header_full_trains_every_token_of_a_trained_message():
    example = render_example(enc, [user("Hi"), assistant("Hello")], mask=LossMask(header="full"))
    assert trained(example) == "<|start|>assistant<|channel|>final<|message|>Hello<|return|>"


def test_stop_token_false_leaves_end_call_and_return_untrained():
    example = render_example(enc, TOOL_TURN[:3] + [result("sunny"), assistant("Sunny!")],
                             mask=LossMask(stop_token=False, header="content"))
    assert trained(example) == 'Need the tool. | {"city":"Paris"} | Sunny!'


def test_a_final_answer_that_ends_the_conversation_ends_in_return_earlier_ones_in_end():
    example = render_example(enc, [user("a"), assistant("b"), user("c"), assistant("d")])
    text = enc.decode(example.input_ids)
    assert text.endswith("<|channel|>final<|message|>d<|return|>")
    assert "<|channel|>final<|message|>b<|end|>" in text


# -- the analysis of earlier turns -------------------------------------------------------

TWO_TURNS = [
    user("1+1?"), assistant("Adding.", "analysis"), assistant("2"),
    user("Weather?"), *TOOL_TURN[1:],
]


def test_history_analysis_drop_removes_the_reasoning_of_answered_turns_and_keeps_the_last_turns():
    example = render_example(enc, TWO_TURNS)
    text = enc.decode(example.input_ids)
    assert "Adding." not in text
    assert "Need the tool." in text and "It is sunny." in text  # before a tool call too
    assert [span.dropped for span in example.spans] == [False, True] + [False] * 7
    dropped = example.spans[1]
    assert dropped.start == dropped.content_start == dropped.end == example.spans[2].start


def test_history_analysis_drop_keeps_the_reasoning_of_a_turn_that_did_not_end_in_an_answer():
    convo = [user("Weather?"), assistant("Need the tool.", "analysis"), call("{}"), result("sunny"), user("Thanks"), assistant("You're welcome")]
    assert "Need the tool." in enc.decode(render_example(enc, convo).input_ids)


def test_history_analysis_keep_renders_as_auto_drop_analysis_false():
    example = render_example(enc, TWO_TURNS, mask=LossMask(history_analysis="keep"))
    expected = enc.render_conversation_for_training(Conversation.from_messages(TWO_TURNS), KEEP)
    assert example.input_ids == expected


def test_history_analysis_reference_renders_as_the_reference_default():
    convo = [user("2+2?"), assistant("Easy.", "analysis"), assistant("4")]
    example = render_example(enc, convo, mask=LossMask(history_analysis="reference"))
    assert example.input_ids == enc.render_conversation_for_training(Conversation.from_messages(convo))
    assert "Easy." not in enc.decode(example.input_ids)  # single-turn data loses its reasoning
    assert "Easy." in enc.decode(render_example(enc, convo).input_ids)


# -- the example -----------------------------------------------------------------------


def test_spans_describe_each_message():
    example = render_example(enc, TOOL_TURN)
    span = example.spans[2]
    assert (span.index, span.role, span.channel, span.recipient, span.trained, span.weight) == (
        2, "assistant", "commentary", "functions.get_weather", True, 1.0)
    assert enc.decode(example.input_ids[span.start:span.content_start]).startswith("<|start|>assistant to=")
    assert enc.decode(example.input_ids[span.content_start:span.end]) == '{"city":"Paris"}<|call|>'


def test_labels_are_the_input_ids_with_untrained_tokens_ignored():
    example = render_example(enc, [user("Hi"), assistant("Hello")])
    labels = example.labels(ignore_index=-1)
    assert [label for label in labels if label != -1] == [t for t, m in zip(example.input_ids, example.loss_mask) if m]
    assert example.labels().count(-100) == example.loss_mask.count(0)


def test_weights_give_each_trained_token_its_messages_weight():
    convo = [user("a"), assistant("b", "analysis"), assistant("c")]
    example = render_example(enc, convo, weights=[5.0, 0.5, 2.0])
    weights = example.weights()
    analysis, final = example.spans[1], example.spans[2]
    assert set(weights[analysis.content_start:analysis.end]) == {0.5}
    assert set(weights[final.start:final.end]) == {2.0}
    assert set(weights[: analysis.start]) == {0.0}
    assert render_example(enc, convo).weights() == [float(m) for m in example.loss_mask]
    with pytest.raises(HarmonyError, match="2 given for 3 messages"):
        render_example(enc, convo, weights=[1.0, 2.0])


def test_per_turn_gives_one_example_per_trained_turn_each_with_its_own_reasoning():
    examples = render_examples(enc, [Conversation.from_messages(TWO_TURNS)], per_turn=True)
    assert [trained(example).split(" | ")[0] for example in examples] == [
        "<|channel|>analysis<|message|>Adding.<|end|><|start|>assistant<|channel|>final<|message|>2<|return|>",
        '<|channel|>analysis<|message|>Need the tool.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>',
    ]


# -- inputs ------------------------------------------------------------------------------


def test_a_conversation_its_json_and_a_list_of_messages_render_alike():
    convo = Conversation.from_messages(TOOL_TURN)
    examples = render_examples(enc, [convo, convo.to_json(), convo.to_json().encode(), TOOL_TURN])
    assert all(example == examples[0] for example in examples)


def test_openai_records_need_a_fixed_date():
    record = {"messages": [{"role": "user", "content": "Hi"}]}
    with pytest.raises(HarmonyError, match="start_date is required"):
        render_examples(enc, [record], source="openai")
    [example] = render_examples(enc, [record], source="openai", start_date="2025-06-28")
    assert "Current date: 2025-06-28" in enc.decode(example.input_ids)


def test_openai_records_keep_the_reasoning_of_their_answers():
    record = {"messages": [{"role": "user", "content": "2+2?"},
                           {"role": "assistant", "reasoning_content": "Easy.", "content": "4"}]}
    messages = to_conversation(record, "openai", "2025-06-28").messages
    assert [(m.channel, m.content[0].text) for m in messages[1:]] == [(None, "2+2?"), ("analysis", "Easy."), ("final", "4")]


def test_a_bad_item_is_reported_with_its_index():
    items = [Conversation.from_messages(TOOL_TURN), "{not json", Conversation.from_messages(TOOL_TURN)]
    with pytest.raises(HarmonyError, match=r"^items\[1\]: "):
        render_examples(enc, items)


def test_bad_arguments_are_named():
    with pytest.raises(HarmonyError, match="LossMask.header"):
        LossMask(header="prompt")
    with pytest.raises(HarmonyError, match=r"^LossMask.roles: Unknown role: 'robot'$"):
        LossMask(roles={"robot"})
    with pytest.raises(HarmonyError, match="workers"):
        render_examples(enc, [], workers=0)
    with pytest.raises(HarmonyError, match="source"):
        render_examples(enc, [], source="sharegpt")
    with pytest.raises(HarmonyError, match="mask must be a LossMask"):
        render_example(enc, TOOL_TURN, mask={"roles": ["assistant"]})


def test_workers_render_the_same_examples_in_input_order():
    corpus = [Conversation.from_messages([user(str(n)), assistant(str(n) * n)]) for n in range(1, 40)]
    one = render_examples(enc, corpus)
    assert render_examples(enc, corpus, workers=2, chunk_size=3) == one
    assert [enc.decode(example.input_ids).count("7") for example in one][6] == 8
