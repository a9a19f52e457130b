"""The render cache (`load_harmony_encoding(..., render_cache=N)`).

The property that makes it safe: an encoding with a cache renders exactly the
tokens an encoding without one renders, for every render path, whatever was
rendered before (so also after the messages were changed in place), and
refuses what it refuses. The other rules: a changed message misses, the
cache is bounded, and threads share it safely.
"""

import copy
import pickle
import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastharmony
from fastharmony import (
    Conversation,
    DeveloperContent,
    HarmonyError,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    SystemContent,
    ToolDescription,
    load_harmony_encoding,
)
from strategies import conversation_specs

PLAIN = {dialect: load_harmony_encoding("HarmonyGptOss", dialect=dialect) for dialect in ("0.0.8", "0.0.11")}


def cached(dialect="0.0.8", size=8):
    enc = load_harmony_encoding("HarmonyGptOss", dialect=dialect, render_cache=size)
    enc.clear_render_cache()
    return enc


def outcome(render):
    try:
        return render()
    except HarmonyError as error:
        return type(error), str(error)


def every_render(enc, conversation, config, options):
    results = [
        outcome(lambda: enc.render_conversation(conversation, config)),
        outcome(lambda: enc.render_conversation_for_completion(conversation, Role.ASSISTANT, config)),
        outcome(lambda: enc.render_conversation_for_training(conversation, config)),
        outcome(lambda: enc.render_conversation_with_spans(conversation, config)),
    ]
    for message in conversation.messages:
        results.append(outcome(lambda: enc.render(message, options)))
    return results


def conversation_of(specs):
    return Conversation(messages=[Message.from_dict(copy.deepcopy(spec)) for spec in specs])


@settings(max_examples=50)
@given(
    history=st.lists(conversation_specs(with_tools=True), min_size=1, max_size=4),
    auto_drop=st.sampled_from([None, True, False]),
    function_tools=st.sampled_from([None, True, False]),
    dialect=st.sampled_from(["0.0.8", "0.0.11"]),
    size=st.sampled_from([1, 3, 64]),
    seed=st.integers(0, 2**16),
)
def test_a_cached_encoding_renders_what_an_uncached_one_renders(history, auto_drop, function_tools, dialect, size, seed):
    # Several conversations in a row, each also re-rendered after its messages
    # are shuffled, extended with earlier ones, and changed in place.
    enc, plain = cached(dialect, size), PLAIN[dialect]
    config = None if auto_drop is None else RenderConversationConfig(auto_drop_analysis=auto_drop)
    options = None if function_tools is None else RenderOptions(conversation_has_function_tools=function_tools)
    rng = random.Random(seed)
    seen = []
    for specs in history:
        conversation = conversation_of(specs)
        seen += conversation.messages
        variants = [conversation, Conversation(messages=rng.sample(seen, len(seen)))]
        for variant in variants:
            assert every_render(enc, variant, config, options) == every_render(plain, variant, config, options)
        for message in conversation.messages:
            message.channel = rng.choice([None, "analysis", "final", "commentary", message.channel])
            if message.content and isinstance(message.content[0], fastharmony.TextContent):
                message.content[0].text += rng.choice(["", "!", " x"])
        for variant in variants:
            assert every_render(enc, variant, config, options) == every_render(plain, variant, config, options)


def test_a_message_rendered_again_is_a_hit_and_renders_the_same():
    enc = cached()
    conversation = Conversation.from_messages(
        [Message.from_role_and_content(Role.USER, "Hi"), Message.from_role_and_content(Role.ASSISTANT, "Hello").with_channel("final")]
    )
    first = enc.render_conversation(conversation)
    assert enc.render_cache_info() == (0, 2, 8, 2)
    assert enc.render_conversation(conversation) == first == PLAIN["0.0.8"].render_conversation(conversation)
    assert enc.render_cache_info() == (2, 2, 8, 2)


def test_an_equal_message_built_anew_is_a_hit():
    enc = cached()
    enc.render(Message.from_role_and_content(Role.USER, "same text"))
    enc.render(Message.from_role_and_content(Role.USER, "same " + "text"))
    assert enc.render_cache_info().hits == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda m: setattr(m.content[0], "text", "changed"),
        lambda m: setattr(m, "channel", "final"),
        lambda m: setattr(m, "recipient", "functions.f"),
        lambda m: setattr(m, "content_type", "json"),
        lambda m: setattr(m.author, "name", "bob"),
        lambda m: setattr(m.author, "role", Role.ASSISTANT),
        lambda m: m.content.append(fastharmony.TextContent(text="more")),
    ],
    ids=["text", "channel", "recipient", "content_type", "name", "role", "another part"],
)
def test_a_message_changed_in_place_misses(change):
    enc = cached()
    message = Message.from_role_and_content(Role.USER, "original")
    before = enc.render(message)
    change(message)
    after = enc.render(message)
    assert enc.render_cache_info().hits == 0
    assert after == PLAIN["0.0.8"].render(message) != before


def test_a_system_message_misses_when_what_it_says_about_function_tools_changes():
    enc = cached()
    system = Message.from_role_and_content(Role.SYSTEM, SystemContent.new())
    tool = ToolDescription.new("f", "F.", {"type": "object", "properties": {}})
    developer = Message.from_role_and_content(Role.DEVELOPER, DeveloperContent.new().with_function_tools([tool]))
    user = Message.from_role_and_content(Role.USER, "Hi")
    for messages in ([system, user], [system, developer, user], [system, user]):
        conversation = Conversation(messages=messages)
        assert enc.render_conversation(conversation) == PLAIN["0.0.8"].render_conversation(conversation)
    for flag in (True, False):
        options = RenderOptions(conversation_has_function_tools=flag)
        assert enc.render(system, options) == PLAIN["0.0.8"].render(system, options)


def test_tool_parameters_changed_in_place_miss():
    enc = cached()
    parameters = {"type": "object", "properties": {"n": {"type": "integer", "default": 1}}}
    developer = Message.from_role_and_content(
        Role.DEVELOPER, DeveloperContent.new().with_function_tools([ToolDescription.new("f", "F.", parameters)])
    )
    for default in (1, 1.0, True, float("nan"), None, (1,), [1]):
        developer.content[0].tools["functions"].tools[0].parameters["properties"]["n"]["default"] = default
        assert outcome(lambda: enc.render(developer)) == outcome(lambda: PLAIN["0.0.8"].render(developer))


def test_refusals_are_not_cached():
    enc = cached()
    nameless_tool = Message.from_role_and_content(Role.TOOL, "x")
    for _ in range(2):
        with pytest.raises(HarmonyError, match="Tools should have a name!"):
            enc.render_conversation(Conversation(messages=[nameless_tool]))
    assert enc.render_cache_info().currsize == 0


def test_the_cache_is_bounded_least_recently_used_out():
    enc = cached(size=2)
    a, b, c = (Message.from_role_and_content(Role.USER, text) for text in "abc")
    for message in (a, b, a, c):  # c evicts b, the least recently used
        enc.render(message)
    assert enc.render_cache_info() == (1, 3, 2, 2)
    enc.render(a)
    enc.render(b)
    assert enc.render_cache_info() == (2, 4, 2, 2)


def test_an_unhashable_value_is_rendered_or_refused_without_the_cache():
    enc = cached()
    message = Message.from_role_and_content(Role.USER, "x")
    message.channel = ["analysis"]
    with pytest.raises(HarmonyError, match="channel"):
        enc.render(message)
    assert enc.render_cache_info().currsize == 0


def test_the_render_cache_argument_is_checked():
    assert load_harmony_encoding("HarmonyGptOss", render_cache=0) is PLAIN["0.0.8"]
    assert load_harmony_encoding("HarmonyGptOss", render_cache=16) is load_harmony_encoding("HarmonyGptOss", render_cache=16)
    for bad in (-1, True, 1.5, "8"):
        with pytest.raises(fastharmony._errors.HarmonyValueError, match="render_cache"):
            load_harmony_encoding("HarmonyGptOss", render_cache=bad)
    assert PLAIN["0.0.8"].render_cache_info() == (0, 0, 0, 0)


def test_a_cached_encoding_pickles_with_its_cache_size():
    enc = cached(dialect="0.0.11", size=32)
    again = pickle.loads(pickle.dumps(enc))
    assert again is enc
    assert again.render_cache_info().maxsize == 32 and again.dialect == "0.0.11"


def test_threads_sharing_a_small_cache_render_what_one_thread_renders():
    enc = cached(size=3)
    plain = PLAIN["0.0.8"]
    conversations = [
        Conversation.from_messages(
            [Message.from_role_and_content(Role.USER, f"question {i % 5}")]
            + [Message.from_role_and_content(Role.ASSISTANT, f"answer {j}").with_channel("final") for j in range(i % 4)]
        )
        for i in range(40)
    ]
    expected = [plain.render_conversation(c) for c in conversations]
    failures = []
    barrier = threading.Barrier(4)

    def work(seed):
        order = list(range(len(conversations)))
        random.Random(seed).shuffle(order)
        barrier.wait()
        for index in order * 3:
            if enc.render_conversation(conversations[index]) != expected[index]:
                failures.append(index)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    info = enc.render_cache_info()
    assert info.currsize <= 3 and info.hits + info.misses > 0
