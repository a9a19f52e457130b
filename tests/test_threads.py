"""Threads: one HarmonyEncoding shared by many threads gives the answers one
thread gets; StreamableParsers are independent objects.

Eight threads start together and work through a mix of conversations and
completions (tools, hostile text, malformed streams that raise) in different
orders, with the thread switch interval shortened and the memo tables shrunk
to a few entries, so that threads interleave inside rendering and parsing and
clear each other's memo tables all the time.
"""

from __future__ import annotations

import random
import sys
import threading

import pytest

from fastharmony import (
    Author,
    Conversation,
    DeveloperContent,
    HarmonyError,
    Message,
    Role,
    StreamableParser,
    SystemContent,
    ToolDescription,
    load_harmony_encoding,
)
from fastharmony import _encoding, _parser, _render

enc = load_harmony_encoding("HarmonyGptOss")
THREADS = 8
ROUNDS = 10


def _conversation(seed: int) -> Conversation:
    rng = random.Random(seed)
    words = ["Paris", "<|end|>", "é🙂", "  ", "\n", "weather", "<|start|>", "42"]

    def text():
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))

    tool = ToolDescription.new(
        f"tool_{seed}",
        text(),
        {"type": "object", "properties": {"city": {"type": "string", "description": text()}}},
    )
    messages = [
        Message.from_role_and_content(Role.SYSTEM, SystemContent.new().with_conversation_start_date(text())),
        Message.from_role_and_content(
            Role.DEVELOPER, DeveloperContent.new().with_instructions(text()).with_function_tools([tool])
        ),
        Message.from_role_and_content(Role.USER, text()),
        Message.from_role_and_content(Role.ASSISTANT, text()).with_channel(rng.choice(["analysis", "final"])),
        Message.from_role_and_content(Role.ASSISTANT, '{"city":"Paris"}')
        .with_channel("commentary")
        .with_recipient(f"functions.tool_{seed}")
        .with_content_type("<|constrain|>json"),
        Message.from_author_and_content(Author.new(Role.TOOL, f"functions.tool_{seed}"), text()).with_channel(
            "commentary"
        ),
    ]
    return Conversation.from_messages(messages[: rng.randint(2, len(messages))])


CONVERSATIONS = [_conversation(seed) for seed in range(40)]
COMPLETIONS = [
    enc.encode(text, allowed_special="all")
    for text in [
        "<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Done.<|return|>",
        '<|channel|>commentary to=functions.f <|constrain|>json<|message|>{"a": 1}<|call|>',
        "<|channel|>final The answer is 4.<|return|>",
        "<|channel|>final<|message|>4<|end|>Stray<|start|>assistant<|message|>x<|end|>",
        "<|channel|>final<|message|>" + "é🙂 " * 50 + "<|return|>",
        "<|channel|>final extra words<|message|>x<|end|>",
    ]
] + [enc.render_conversation(conversation)[2:] for conversation in CONVERSATIONS[:10]]


def _outcome(call):
    try:
        return call()
    except HarmonyError as error:
        return ("HarmonyError", str(error))


def _streamed(tokens, strict):
    parser = StreamableParser(enc, Role.ASSISTANT, strict=strict)
    deltas = []
    for token in tokens:
        try:
            parser.process(token)
        except HarmonyError as error:
            deltas.append(str(error))
        deltas.append(parser.last_content_delta)
    _outcome(parser.process_eos)
    return deltas, [m.to_dict() for m in parser.messages]


def _jobs():
    """(name, call): everything a server does with a shared encoding."""
    jobs = []
    for index, conversation in enumerate(CONVERSATIONS):
        jobs.append((f"render_conversation {index}", lambda c=conversation: enc.render_conversation(c)))
        jobs.append(
            (
                f"for_completion {index}",
                lambda c=conversation: enc.render_conversation_for_completion(c, Role.ASSISTANT),
            )
        )
        jobs.append((f"for_training {index}", lambda c=conversation: enc.render_conversation_for_training(c)))
        jobs.append((f"render {index}", lambda c=conversation: [enc.render(m) for m in c.messages]))
        jobs.append((f"to_json {index}", lambda c=conversation: Conversation.from_json(c.to_json()).to_dict()))
    for index, tokens in enumerate(COMPLETIONS):
        for strict in (True, False):
            jobs.append(
                (
                    f"parse {index} strict={strict}",
                    lambda t=tokens, s=strict: [
                        m.to_dict() for m in enc.parse_messages_from_completion_tokens(t, Role.ASSISTANT, strict=s)
                    ],
                )
            )
            jobs.append((f"stream {index} strict={strict}", lambda t=tokens, s=strict: _streamed(t, s)))
        jobs.append((f"decode {index}", lambda t=tokens: (enc.decode(t), enc.decode_bytes(t))))
        jobs.append((f"encode {index}", lambda t=tokens: enc.encode(enc.decode(t), allowed_special="all")))
    return jobs


@pytest.fixture
def contended(monkeypatch):
    """Threads switch every few microseconds; memo tables hold four entries."""
    monkeypatch.setattr(_parser, "_PARSED_HEADERS_LIMIT", 4)
    monkeypatch.setattr(_render, "_HEADER_CACHE_LIMIT", 4)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def _run_in_threads(work):
    """Run work(thread_index) in THREADS threads started together; re-raise failures."""
    barrier = threading.Barrier(THREADS)
    failures = []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append((index, error))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0][1]


def test_a_shared_encoding_gives_every_thread_the_single_thread_answers(contended):
    jobs = _jobs()
    expected = {name: _outcome(call) for name, call in jobs}
    assert any(isinstance(value, tuple) and value[:1] == ("HarmonyError",) for value in expected.values())
    mismatches = []

    def work(index):
        rng = random.Random(index)
        for _ in range(ROUNDS):
            order = list(jobs)
            rng.shuffle(order)
            for name, call in order:
                if _outcome(call) != expected[name]:
                    mismatches.append((index, name))

    _run_in_threads(work)
    assert mismatches == []


def test_parsers_are_independent_objects(contended):
    """Parsers fed interleaved, token by token (in one thread or in many),
    end as if each had been fed alone."""
    streams = [COMPLETIONS[index % len(COMPLETIONS)] for index in range(THREADS * 2)]
    expected = [_streamed(tokens, strict=False) for tokens in streams]

    def feed_interleaved(parsers, deltas, indices, rng):
        positions = {index: 0 for index in indices}
        while positions:
            index = rng.choice(sorted(positions))
            tokens = streams[index]
            try:
                parsers[index].process(tokens[positions[index]])
            except HarmonyError as error:
                deltas[index].append(str(error))
            deltas[index].append(parsers[index].last_content_delta)
            positions[index] += 1
            if positions[index] == len(tokens):
                del positions[index]
                _outcome(parsers[index].process_eos)

    def fresh():
        return [StreamableParser(enc, Role.ASSISTANT, strict=False) for _ in streams], [[] for _ in streams]

    # One thread, all parsers interleaved.
    parsers, deltas = fresh()
    feed_interleaved(parsers, deltas, range(len(streams)), random.Random(0))
    assert [(d, [m.to_dict() for m in p.messages]) for p, d in zip(parsers, deltas)] == expected

    # Many threads, two parsers each, interleaved within and across threads.
    parsers, deltas = fresh()
    _run_in_threads(lambda index: feed_interleaved(parsers, deltas, [2 * index, 2 * index + 1], random.Random(index)))
    assert [(d, [m.to_dict() for m in p.messages]) for p, d in zip(parsers, deltas)] == expected


def test_concurrent_first_loads_return_one_encoding(monkeypatch):
    monkeypatch.setattr(_encoding, "_loaded", {})
    loaded = [None] * THREADS

    def load(index):
        loaded[index] = load_harmony_encoding("HarmonyGptOss" if index % 2 else _encoding.HarmonyEncodingName.HARMONY_GPT_OSS)

    _run_in_threads(load)
    assert all(encoding is loaded[0] for encoding in loaded)
    assert loaded[0] is not enc  # built afresh, once
    assert loaded[0].render_conversation(CONVERSATIONS[0]) == enc.render_conversation(CONVERSATIONS[0])
