"""The vocabulary and the token-level API: o200k_harmony exactly as the reference has it.

The bundled copy must rebuild the official `o200k_base.tiktoken` byte for byte;
TIKTOKEN_ENCODINGS_BASE, when set, names the folder to read it from instead; a
missing or altered file is refused by name. Encoding, decoding and the special
tokens are compared with openai-harmony. Nothing here needs the network.
"""

import hashlib
import json
import re
import socket
import subprocess
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

import openai_harmony
from fastharmony import HarmonyError, _vocab, load_harmony_encoding
from strategies import hostile_text

ENC = load_harmony_encoding("HarmonyGptOss")
# The reference raises its own HarmonyError from its Python layer.
EITHER_HARMONY_ERROR = (HarmonyError, openai_harmony.HarmonyError)
OFFICIAL_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

FORMATTING_TOKENS = {
    "<|startoftext|>": 199998,
    "<|endoftext|>": 199999,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|call|>": 200012,
}


@pytest.fixture
def bundled(monkeypatch):
    monkeypatch.delenv("TIKTOKEN_ENCODINGS_BASE", raising=False)


def official_file_bytes():
    return _vocab.tiktoken_file_from_token_bytes(_vocab.ordinary_token_bytes())


@pytest.fixture(scope="module")
def official_file():
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TIKTOKEN_ENCODINGS_BASE", raising=False)
        return official_file_bytes()


def no_network(*args, **kwargs):
    raise AssertionError("the network was used")


# -- the vocabulary file ---------------------------------------------------------------


def test_bundled_vocabulary_rebuilds_the_official_file_byte_for_byte(bundled, official_file):
    assert hashlib.sha256(official_file).hexdigest() == OFFICIAL_SHA256
    assert _vocab.O200K_TIKTOKEN_SHA256 == OFFICIAL_SHA256
    assert official_file.count(b"\n") == 199_998


def test_bundled_vocabulary_has_the_o200k_ordinary_tokens(bundled):
    tokens = _vocab.ordinary_token_bytes()
    assert len(tokens) == _vocab.N_ORDINARY_TOKENS == 199_998
    assert len(set(tokens)) == len(tokens)
    assert tokens[24912] == b"hello"


def test_the_tiktoken_file_parses_back_to_the_same_tokens(official_file):
    tokens = _vocab.parse_tiktoken_file(official_file, "o200k_base.tiktoken")
    assert _vocab.tiktoken_file_from_token_bytes(tokens) == official_file


def test_tiktoken_encodings_base_names_the_folder_to_read(monkeypatch, tmp_path, official_file):
    (tmp_path / "o200k_base.tiktoken").write_bytes(official_file)
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    # With the bundled copy gone, only the file in that folder can serve.
    monkeypatch.setattr(_vocab, "BUNDLED_VOCAB_PATH", tmp_path / "missing.tokens")
    tokenizer = _vocab.Tokenizer()
    assert tokenizer.encode_ordinary("hello world") == [24912, 2375]
    assert tokenizer.token_bytes(24912) == b"hello"


def test_a_missing_vocabulary_file_is_refused_by_path(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    with pytest.raises(HarmonyError, match="cannot read vocabulary file") as raised:
        _vocab.Tokenizer()
    assert str(tmp_path / "o200k_base.tiktoken") in str(raised.value)


def test_a_corrupted_vocabulary_file_is_refused_by_path_and_hash(monkeypatch, tmp_path, official_file):
    corrupted = bytearray(official_file)
    corrupted[1000] ^= 1
    (tmp_path / "o200k_base.tiktoken").write_bytes(bytes(corrupted))
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    with pytest.raises(HarmonyError, match="SHA-256") as raised:
        _vocab.Tokenizer()
    assert str(tmp_path / "o200k_base.tiktoken") in str(raised.value)
    assert OFFICIAL_SHA256 in str(raised.value)


def test_a_corrupted_bundled_copy_is_refused_by_path(bundled, monkeypatch, tmp_path):
    packed = bytearray(_vocab.BUNDLED_VOCAB_PATH.read_bytes())
    packed[-1] ^= 1
    (tmp_path / "o200k_base.tokens").write_bytes(bytes(packed))
    monkeypatch.setattr(_vocab, "BUNDLED_VOCAB_PATH", tmp_path / "o200k_base.tokens")
    with pytest.raises(HarmonyError, match="SHA-256") as raised:
        _vocab.Tokenizer()
    assert str(tmp_path / "o200k_base.tokens") in str(raised.value)


def test_loading_needs_no_network(bundled, monkeypatch, tmp_path, official_file):
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert _vocab.Tokenizer().encode_ordinary("offline") == ENC.encode("offline")
    (tmp_path / "o200k_base.tiktoken").write_bytes(official_file)
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    assert _vocab.Tokenizer().encode_ordinary("offline") == ENC.encode("offline")


# -- special tokens ----------------------------------------------------------------------


def test_special_tokens_are_the_reference_special_tokens(ref):
    assert ENC.special_tokens_set == ref.special_tokens_set
    assert len(ENC.special_tokens_set) == 201_088 - 199_998 + 1


def test_special_token_ids_run_from_199998_to_201088(ref):
    ids = {name: ENC.encode(name, allowed_special="all") for name in ENC.special_tokens_set}
    assert all(len(tokens) == 1 for tokens in ids.values())
    assert sorted(tokens[0] for tokens in ids.values()) == list(range(199_998, 201_089))
    assert ids == {name: ref.encode(name, allowed_special="all") for name in ref.special_tokens_set}


def test_formatting_tokens_have_their_names(ref):
    for name, token in FORMATTING_TOKENS.items():
        assert ENC.encode(name, allowed_special={name}) == [token] == ref.encode(name, allowed_special={name})
        assert ENC.decode([token]) == name == ref.decode([token])


def test_unnamed_special_tokens_are_reserved_by_id(ref):
    for token in (200000, 200001, 200004, 200009, 200013, 201088):
        assert ENC.decode([token]) == f"<|reserved_{token}|>" == ref.decode([token])


def test_is_special_token_agrees_at_every_boundary(ref):
    for token in [0, 1, 199_997, 199_998, 199_999, 200_006, 201_088, 201_089, 2**31, 2**32 - 1, True, False]:
        assert ENC.is_special_token(token) == ref.is_special_token(token), token


@pytest.mark.parametrize("token", [-1, 2**32, 2**40])
def test_is_special_token_refuses_ids_that_are_not_32_bit(ref, token):
    with pytest.raises(OverflowError):
        ref.is_special_token(token)
    with pytest.raises(HarmonyError):
        ENC.is_special_token(token)


@pytest.mark.parametrize("token", [3.0, "1", None])
def test_is_special_token_refuses_non_integers(ref, token):
    with pytest.raises(TypeError):
        ref.is_special_token(token)
    with pytest.raises(HarmonyError):
        ENC.is_special_token(token)


def test_stop_tokens_are_end_return_and_call(ref):
    assert set(ENC.stop_tokens()) == set(ref.stop_tokens()) == {200002, 200007, 200012}
    assert len(ENC.stop_tokens()) == 3


def test_stop_tokens_for_assistant_actions_are_return_and_call(ref):
    # The reference returns them in hash order: compare as sets.
    assert set(ENC.stop_tokens_for_assistant_actions()) == set(ref.stop_tokens_for_assistant_actions()) == {200002, 200012}
    assert len(ENC.stop_tokens_for_assistant_actions()) == 2


def test_name_is_harmony_gpt_oss(ref):
    assert ENC.name == ref.name == "HarmonyGptOss"


# -- encode ------------------------------------------------------------------------------


def test_encode_plain_text(ref):
    assert ENC.encode("hello world") == [24912, 2375] == ref.encode("hello world")


def test_text_spelling_a_special_token_is_refused_by_default(ref):
    for encoding in (ref, ENC):
        with pytest.raises(EITHER_HARMONY_ERROR) as raised:
            encoding.encode("Hi <|end|> there")
        assert "disallowed special token '<|end|>'" in str(raised.value)
    assert str(pytest.raises(HarmonyError, ENC.encode, "a<|call|>").value) == str(
        pytest.raises(openai_harmony.HarmonyError, ref.encode, "a<|call|>").value
    )


def test_the_disallowed_special_error_is_a_runtime_error_in_both(ref):
    assert isinstance(pytest.raises(HarmonyError, ENC.encode, "<|start|>").value, RuntimeError)
    assert isinstance(pytest.raises(openai_harmony.HarmonyError, ref.encode, "<|start|>").value, RuntimeError)


def test_disallowed_special_empty_encodes_special_spellings_as_text(ref):
    assert ENC.encode("<|start|>", disallowed_special=()) == [27, 91, 5236, 91, 29] == ref.encode(
        "<|start|>", disallowed_special=()
    )


def test_allowed_special_makes_special_tokens(ref):
    text = "<|start|>user<|message|>Hi<|end|>"
    assert ENC.encode(text, allowed_special="all") == [200006, 1428, 200008, 12194, 200007]
    assert ENC.encode(text, allowed_special="all") == ref.encode(text, allowed_special="all")


def test_allowed_special_subset_leaves_the_others_disallowed(ref):
    for encoding in (ref, ENC):
        with pytest.raises(EITHER_HARMONY_ERROR, match=re.escape("'<|end|>'")):
            encoding.encode("<|start|>x<|end|>", allowed_special={"<|start|>"})
    kwargs = {"allowed_special": {"<|start|>"}, "disallowed_special": ()}
    assert ENC.encode("<|start|>x<|end|>", **kwargs) == ref.encode("<|start|>x<|end|>", **kwargs)


def test_a_token_both_allowed_and_disallowed_is_refused(ref):
    for encoding in (ref, ENC):
        with pytest.raises(EITHER_HARMONY_ERROR):
            encoding.encode("<|start|>", allowed_special={"<|start|>"}, disallowed_special={"<|start|>"})


def test_disallowed_special_may_name_any_string(ref):
    # The reference checks every string it is given, special token or not.
    for encoding in (ref, ENC):
        with pytest.raises(EITHER_HARMONY_ERROR, match="'forbidden'"):
            encoding.encode("a forbidden word", disallowed_special={"forbidden"})
        with pytest.raises(EITHER_HARMONY_ERROR, match=re.escape("'end|>'")):
            encoding.encode("<|end|>", disallowed_special=["end|>"])
    assert ENC.encode("allowed", disallowed_special={"forbidden"}) == ref.encode("allowed", disallowed_special={"forbidden"})


def test_lone_surrogates_are_encoded_as_replacement_characters(ref):
    assert ENC.encode("a\ud800b") == ref.encode("a\ud800b") == ENC.encode("a\ufffdb")


special_names = st.sampled_from(sorted(_vocab.SPECIAL_TOKENS)[:40] + list(FORMATTING_TOKENS))
encodable_text = st.one_of(
    hostile_text,
    st.text(max_size=40),
    st.lists(st.one_of(special_names, st.text(max_size=5)), max_size=6).map("".join),
)


@given(text=encodable_text)
def test_ordinary_encoding_agrees(ref, text):
    assert ENC.encode(text, disallowed_special=()) == ref.encode(text, disallowed_special=())


@given(text=encodable_text, allowed=st.one_of(st.just("all"), st.sets(special_names, max_size=4)),
       disallowed=st.one_of(st.just("all"), st.just(()), st.sets(special_names, max_size=4)))
def test_encoding_with_special_options_agrees(ref, text, allowed, disallowed):
    def run(encoding):
        try:
            return encoding.encode(text, allowed_special=allowed, disallowed_special=disallowed)
        except EITHER_HARMONY_ERROR as error:
            return str(error)

    assert run(ENC) == run(ref)


# -- decode --------------------------------------------------------------------------------


def first_token_that_is_not_utf8():
    return next(t for t in range(_vocab.N_ORDINARY_TOKENS) if not _is_utf8(ENC.decode_bytes([t])))


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_decode_spells_special_tokens(ref):
    tokens = [200006, 1428, 200008, 12194, 200007]
    assert ENC.decode(tokens) == ref.decode(tokens) == "<|start|>user<|message|>Hi<|end|>"
    assert ENC.decode_utf8(tokens) == ref.decode_utf8(tokens)


def test_decode_bytes_is_the_raw_bytes(ref):
    partial = first_token_that_is_not_utf8()
    tokens = [200006, partial, 24912]
    assert ENC.decode_bytes(tokens) == bytes(ref._inner.decode_bytes(tokens))
    assert isinstance(ENC.decode_bytes(tokens), bytes)


def test_decode_replaces_invalid_utf8_and_decode_utf8_refuses_it(ref):
    tokens = [24912, first_token_that_is_not_utf8()]
    assert ENC.decode(tokens) == ref.decode(tokens)
    assert "\ufffd" in ENC.decode(tokens)
    assert ENC.decode(tokens, errors="ignore") == ref.decode(tokens, errors="ignore") == "hello"
    with pytest.raises(Exception) as theirs:
        ref.decode_utf8(tokens)
    with pytest.raises(HarmonyError) as ours:
        ENC.decode_utf8(tokens)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("token", [201_089, 300_000])
def test_decoding_an_unknown_token_is_refused(ref, token):
    with pytest.raises(Exception) as theirs:
        ref.decode([1, token])
    with pytest.raises(HarmonyError) as ours:
        ENC.decode([1, token])
    assert str(ours.value) == str(theirs.value) == f"Invalid token for decoding: {token}"
    with pytest.raises(HarmonyError):
        ENC.decode_utf8([token])
    with pytest.raises(HarmonyError):
        ENC.decode_bytes([token])


@given(tokens=st.lists(st.one_of(st.integers(0, 201_088), st.sampled_from(list(FORMATTING_TOKENS.values()))), max_size=30))
def test_decoding_agrees(ref, tokens):
    assert ENC.decode_bytes(tokens) == bytes(ref._inner.decode_bytes(tokens))
    assert ENC.decode(tokens) == ref.decode(tokens)
    try:
        expected = ref.decode_utf8(tokens)
    except Exception as error:  # noqa: BLE001
        with pytest.raises(HarmonyError) as ours:
            ENC.decode_utf8(tokens)
        assert str(ours.value) == str(error)
    else:
        assert ENC.decode_utf8(tokens) == expected


@given(text=encodable_text)
def test_decoding_inverts_encoding(text):
    assert ENC.decode_utf8(ENC.encode(text, disallowed_special=())) == text


# -- the BPE is built by the first encode, and only then -------------------------------
#
# Parsing, decoding and the stop tokens read the packed token table; building
# tiktoken's BPE costs ~150 ms and ~25 MB, so a process that never encodes
# never builds it. The observable: tiktoken is imported by the build alone,
# so in a fresh process `"tiktoken" in sys.modules` says whether it happened.

_PARSE_ONLY_PROCESS = """
import sys, json, tracemalloc
tracemalloc.start()
from fastharmony import StreamableParser, load_harmony_encoding
enc = load_harmony_encoding("HarmonyGptOss")
tokens = [200006, 173781, 200005, 17196, 200008, 12194, 2375, 200007]
messages = enc.parse_messages_from_completion_tokens(tokens)
parser = StreamableParser(enc, None)
for token in tokens:
    parser.process(token)
parser.process_eos()
report = {
    "parsed": [m.to_dict() for m in messages] == [m.to_dict() for m in parser.messages],
    "text": enc.decode(tokens),
    "utf8": enc.decode_utf8(tokens),
    "stop": sorted(enc.stop_tokens() + enc.stop_tokens_for_assistant_actions()),
    "special": enc.is_special_token(200006) and not enc.is_special_token(12194),
    "bpe_before_encode": "tiktoken" in sys.modules,
    "peak_mb_before_encode": tracemalloc.get_traced_memory()[1] / 2**20,
}
report["first_encode"] = enc.encode(sys.argv[1])
report["first_render"] = enc.render_conversation_for_completion(
    __import__("fastharmony").Conversation.from_messages([]), "assistant")
report["bpe_after_encode"] = "tiktoken" in sys.modules
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def parse_only_process():
    # A real process: what is built at load is a property of a fresh interpreter.
    text = "The quick brown fox\\n\\n    jumps  over\\tthe lazy dog. こんにちは 123456"
    done = subprocess.run(
        [sys.executable, "-c", _PARSE_ONLY_PROCESS, text],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return text, json.loads(done.stdout)


def test_a_process_that_only_parses_never_builds_the_bpe(parse_only_process):
    _, report = parse_only_process
    assert report["parsed"]
    assert report["text"] == report["utf8"] == "<|start|>assistant<|channel|>final<|message|>Hi world<|end|>"
    assert report["stop"] == [200002, 200002, 200007, 200012, 200012]
    assert report["special"]
    assert report["bpe_before_encode"] is False
    assert report["bpe_after_encode"] is True


def test_loading_and_parsing_stay_small_in_memory(parse_only_process):
    # The packed table is ~5 MB; the BPE's rank table alone would be ~25 MB.
    _, report = parse_only_process
    assert report["peak_mb_before_encode"] < 15


def test_the_first_encode_of_a_process_agrees_with_the_reference(ref, parse_only_process):
    text, report = parse_only_process
    assert report["first_encode"] == ref.encode(text)
    assert report["first_render"] == ref.render_conversation_for_completion(
        openai_harmony.Conversation.from_messages([]), openai_harmony.Role.ASSISTANT
    )


def test_threads_encoding_first_at_once_build_the_bpe_once():
    tokenizer = _vocab.Tokenizer()
    assert not tokenizer.bpe_built
    n = 6
    barrier = threading.Barrier(n)
    seen = [None] * n

    def first_encode(slot):
        barrier.wait()
        tokens = tokenizer.encode_ordinary("hello world")
        seen[slot] = (tokens, tokenizer.core)

    threads = [threading.Thread(target=first_encode, args=(slot,)) for slot in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tokenizer.bpe_built
    assert all(tokens == [24912, 2375] for tokens, _ in seen)
    # A second build would have replaced `core`: every thread holds the one object.
    assert all(core is tokenizer.core for _, core in seen)


def test_decoding_never_builds_the_bpe():
    tokenizer = _vocab.Tokenizer()
    assert tokenizer.decode_bytes([24912, 2375, 200006, 200100]) == b"hello world<|start|><|reserved_200100|>"
    for bad in ([201089], [-1], [1.0], [2**40]):
        with pytest.raises((KeyError, TypeError, OverflowError)):
            tokenizer.decode_bytes(bad)
    assert not tokenizer.bpe_built


# -- how the BPE is built: its rank dict released while CoreBPE builds ------------


class _RanksSeen:
    """PackedVocabulary.ranks, recording every dict it returns."""

    def __init__(self, monkeypatch):
        self.dicts = []
        ranks = _vocab.PackedVocabulary.ranks

        def recorded(vocabulary):
            self.dicts.append(ranks(vocabulary))
            return self.dicts[-1]

        monkeypatch.setattr(_vocab.PackedVocabulary, "ranks", recorded)


_SAMPLE = "The quick brown fox\n\n    jumps  over\tthe lazy dog. こんにちは 123456 <|start|>"


def test_the_rank_dict_is_emptied_while_the_installed_tiktoken_builds_from_it(ref, monkeypatch):
    # The mechanism behind the lower peak (see _vocab.build_core_bpe): one
    # build, and the dict it was given is empty by the time it returns.
    seen = _RanksSeen(monkeypatch)
    tokenizer = _vocab.Tokenizer()
    assert tokenizer.encode_ordinary(_SAMPLE) == ref.encode(_SAMPLE, allowed_special=set(), disallowed_special=())
    assert len(seen.dicts) == 1
    assert seen.dicts[0] == {}


def _core_bpe_that(monkeypatch, before):
    # tiktoken's CoreBPE behind a constructor that first does `before(special_tokens)`.
    import tiktoken._tiktoken

    real = tiktoken._tiktoken.CoreBPE

    def constructor(ranks, special_tokens, pattern):
        before(special_tokens)
        return real(ranks, special_tokens, pattern)

    monkeypatch.setattr(tiktoken._tiktoken, "CoreBPE", constructor)


def _read_as_ints(special_tokens):
    # A tiktoken that read the special tokens before the ranks: it finds the ranks empty.
    for rank in special_tokens.values():
        int(rank.__index__())


def _refuse_non_ints(special_tokens):
    if not all(type(rank) is int for rank in special_tokens.values()):
        raise TypeError("'_RankReleasing' object cannot be interpreted as an integer")


@pytest.mark.parametrize("before", [_read_as_ints, _refuse_non_ints], ids=["reads-specials-first", "takes-only-ints"])
def test_a_tiktoken_that_reads_its_arguments_otherwise_gets_the_bpe_built_the_plain_way(ref, monkeypatch, before):
    seen = _RanksSeen(monkeypatch)
    _core_bpe_that(monkeypatch, before)
    tokenizer = _vocab.Tokenizer()
    assert tokenizer.encode_ordinary(_SAMPLE) == ref.encode(_SAMPLE, allowed_special=set(), disallowed_special=())
    assert tokenizer.core.decode_single_token_bytes(200006) == b"<|start|>"
    assert len(seen.dicts) == 2  # the first build was refused or incomplete
    assert len(seen.dicts[1]) == _vocab.N_ORDINARY_TOKENS


def test_a_bpe_missing_its_ranks_is_recognised():
    import tiktoken._tiktoken

    tokenizer = _vocab.Tokenizer()
    empty = tiktoken._tiktoken.CoreBPE({}, {"<|start|>": 200006}, "x")
    assert not _vocab._has_every_rank(empty, tokenizer.token_bytes)
    assert _vocab._has_every_rank(tokenizer.core, tokenizer.token_bytes)


def test_encoding_the_empty_string_builds_the_bpe_for_a_server_that_warms_up():
    # README, "Cold start": `enc.encode("")` once after loading moves the build
    # out of the first request.
    from fastharmony._encoding import HarmonyEncoding

    encoding = HarmonyEncoding("HarmonyGptOss", _vocab.Tokenizer())
    assert not encoding._tokenizer.bpe_built
    assert encoding.encode("") == []
    assert encoding._tokenizer.bpe_built
