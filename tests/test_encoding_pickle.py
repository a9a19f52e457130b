"""HarmonyEncoding travels to other processes: it pickles by name and dialect.

Unpickling loads the encoding through `load_harmony_encoding`, so the
vocabulary is read once per process however many pickled encodings arrive,
and in this process unpickling gives back the very same object.
"""

import copy
import pickle
import subprocess
import sys

import pytest

from fastharmony import Conversation, Message, Role, load_harmony_encoding

CONVERSATION = Conversation.from_messages(
    [
        Message.from_role_and_content(Role.USER, "What is the weather?"),
        Message.from_role_and_content(Role.ASSISTANT, '{"city": "Paris"}')
        .with_channel("commentary")
        .with_recipient("functions.get_weather")
        .with_content_type("json"),
    ]
)


@pytest.mark.parametrize("dialect", ["0.0.8", "0.0.11"])
def test_an_encoding_pickles_by_name_and_dialect(dialect):
    enc = load_harmony_encoding("HarmonyGptOss", dialect=dialect)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(enc, protocol=protocol)
        assert len(data) < 200  # a name and a dialect, not the vocabulary
        again = pickle.loads(data)
        assert again is enc
        assert again.dialect == dialect
        assert again.render_conversation(CONVERSATION) == enc.render_conversation(CONVERSATION)


@pytest.mark.parametrize("dialect", ["0.0.8", "0.0.11"])
def test_copies_of_an_encoding_are_the_encoding(dialect):
    enc = load_harmony_encoding("HarmonyGptOss", dialect=dialect)
    assert copy.copy(enc) is enc
    assert copy.deepcopy(enc) is enc
    holder = copy.deepcopy({"enc": enc, "n": [1]})
    assert holder["enc"] is enc


def test_an_unpickled_encoding_renders_identically_in_a_new_process():
    # The point is a process that has not loaded the encoding: a real one.
    encodings = [load_harmony_encoding("HarmonyGptOss", dialect=d) for d in ("0.0.8", "0.0.11", "0.0.8")]
    code = (
        "import pickle, sys\n"
        "import fastharmony._vocab as e\n"
        "encodings, conversation = pickle.loads(sys.stdin.buffer.read())\n"
        "assert encodings[0] is encodings[2] and encodings[0] is not encodings[1]\n"
        "assert e.tokenizer_of(encodings[0]) is e.tokenizer_of(encodings[1])  # one vocabulary\n"
        "sys.stdout.buffer.write(pickle.dumps([enc.render_conversation(conversation) for enc in encodings]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps((encodings, CONVERSATION)),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert pickle.loads(result.stdout) == [enc.render_conversation(CONVERSATION) for enc in encodings]
