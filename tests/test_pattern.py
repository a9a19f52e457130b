"""The lookahead-free split pattern gives o200k's tokens (see _pattern).

The oracle is tiktoken's own CoreBPE built with the pattern as published, on
the same vocabulary; the reference's encode is a second one. Where the two
patterns could differ is whitespace, so that is what these tests dwell on.
"""

import itertools
import os

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st
from tiktoken._tiktoken import CoreBPE

import fastharmony
from fastharmony import _pattern, _vocab
from fastharmony._pattern import WHITE_SPACE, cut_positions

# Characters that decide the split: every kind of whitespace, line breaks,
# letters of each case class, a combining mark, digits, punctuation, the
# apostrophe of contractions, "/" (which may trail punctuation), and the
# characters Python calls space that Unicode does not (U+001C, U+180E).
ALPHABET = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\xa0", "\u2028", "\u3000", "\x1c",
            "a", "B", "ǅ", "\u0301", "s", "1", ".", "'", "/", "<", "😀"]  # fmt: skip
SHORT_ALPHABET = [" ", "\t", "\n", "\r", "\xa0", "\u3000", "\x1c", "a", "B", "1", ".", "'", "s", "/"]

text_near_whitespace = st.text(st.sampled_from(ALPHABET + ["\u2009", "\u180e", "é", "中"]), max_size=40)


@pytest.fixture(scope="module")
def published():
    """tiktoken's CoreBPE with o200k's pattern as published."""
    ranks = _vocab.load_vocabulary().ranks()
    return CoreBPE(ranks, _vocab.SPECIAL_TOKENS, _pattern.O200K_PATTERN)


@pytest.fixture(scope="module")
def tokenizer():
    return _vocab.tokenizer_of(fastharmony.load_harmony_encoding("HarmonyGptOss"))


def test_white_space_is_unicodes_white_space_property():
    # What the regex crate's `\s` means; not str.isspace, which adds U+001C-U+001F.
    every_character = "".join(map(chr, itertools.chain(range(0xD800), range(0xE000, 0x110000))))
    assert set(WHITE_SPACE) == set(regex.findall(r"\p{White_Space}", every_character))
    assert "\x1c" not in WHITE_SPACE and "\x1c".isspace()


def test_the_pattern_loses_only_its_lookahead_alternative():
    published = _pattern.O200K_ALTERNATIVES
    assert published[5] == r"\s+(?!\S)"
    assert _pattern.LOOKAHEAD_FREE_PATTERN == "|".join(published[:5] + published[6:])
    assert "(?!" not in _pattern.LOOKAHEAD_FREE_PATTERN


def test_a_blank_run_before_a_word_is_cut_before_its_last_blank():
    assert cut_positions("a   word") == [3]
    assert cut_positions("x\t\tword") == [2]
    assert cut_positions("\xa0\u3000z") == [1]


def test_runs_that_the_lookahead_does_not_change_are_not_cut():
    assert cut_positions("one space each") == []
    assert cut_positions("trailing   ") == []  # the run reaches the end
    assert cut_positions("a \n\nb") == []  # a line break ends the run
    assert cut_positions("a  \nb") == []
    assert cut_positions("a\x1c\x1cb") == []  # not whitespace to the regex crate


def test_the_last_blank_after_a_line_break_is_cut_too():
    assert cut_positions("a\n   b") == [4]


@pytest.mark.parametrize(
    "text",
    ["a   word", "x  21", "  leading", "end  ", "a \t b", "a\n  b", "f(x):\n    return  x", "é  中"],
)
def test_cut_texts_encode_as_with_the_published_pattern(tokenizer, published, text):
    assert tokenizer.encode_ordinary(text) == published.encode_ordinary(text)


@pytest.mark.parametrize("space", sorted(set(WHITE_SPACE) | {"\x1c", "\x1f", "\u180e", "\u200b", "\ufeff"}))
def test_every_whitespace_character_splits_as_published(tokenizer, published, space):
    for text in (
        f"x{space}{space}y",
        f"{space}{space}{space}Y",
        f" {space}y",
        f"{space} y",
        f"\n{space}{space}y",
        f"x{space}{space}",
        f"x{space}{space}1",
        f"x{space}{space}.",
    ):
        assert tokenizer.encode_ordinary(text) == published.encode_ordinary(text), repr(text)


def test_all_short_strings_encode_as_published(tokenizer, published):
    # Exhaustive: every string of up to five characters over the short alphabet
    # and up to four over the long one (one more each in long fuzzing runs).
    longer = int(os.environ.get("FASTHARMONY_EXAMPLES", "100")) > 100
    for alphabet, up_to in ((SHORT_ALPHABET, 5 + longer), (ALPHABET, 4 + longer)):
        for length in range(up_to + 1):
            for chars in itertools.product(alphabet, repeat=length):
                text = "".join(chars)
                assert tokenizer.encode_ordinary(text) == published.encode_ordinary(text), repr(text)


@given(text_near_whitespace)
def test_text_near_whitespace_encodes_as_published(tokenizer, published, text):
    assert tokenizer.encode_ordinary(text) == published.encode_ordinary(text)


@given(st.text(max_size=200))
def test_any_text_encodes_as_published(tokenizer, published, text):
    try:
        expected = published.encode_ordinary(text)
    except UnicodeEncodeError:  # lone surrogates: tiktoken refuses them either way
        with pytest.raises(UnicodeEncodeError):
            tokenizer.encode_ordinary(text)
        return
    assert tokenizer.encode_ordinary(text) == expected


@given(st.lists(st.one_of(text_near_whitespace, st.sampled_from(["<|start|>", "<|end|>", "<|reserved_200100|>"]))))
def test_encode_with_allowed_special_tokens_matches_the_reference(ref, parts):
    text = "".join(parts)
    allowed = {"<|start|>", "<|reserved_200100|>", "not a token"}
    enc = fastharmony.load_harmony_encoding("HarmonyGptOss")
    assert enc.encode(text, allowed_special=allowed, disallowed_special=()) == ref.encode(
        text, allowed_special=allowed, disallowed_special=()
    )


def test_reserved_special_tokens_decode_from_the_table():
    # The CoreBPE knows only the named special tokens; the rest come from the table.
    enc = fastharmony.load_harmony_encoding("HarmonyGptOss")
    assert enc.decode_bytes([200100, 24912, 200006]) == b"<|reserved_200100|>hello<|start|>"
    with pytest.raises(fastharmony.HarmonyError):
        enc.decode_bytes([200100, 201089])


def test_every_special_token_has_the_shape_encode_looks_for():
    from fastharmony._encoding import _SPECIAL_TOKEN_SHAPE

    assert all(_SPECIAL_TOKEN_SHAPE.fullmatch(name) for name in _vocab.SPECIAL_TOKENS)


def test_a_special_token_among_lookalikes_is_found(ref):
    enc = fastharmony.load_harmony_encoding("HarmonyGptOss")
    text = "<|<|end|><|nope|>x<|END|><|end|>|><|reserved_201088|><|reserved_201089|>"
    for allowed in ({"<|end|>"}, "all", {"<|reserved_201088|>", "<|reserved_201089|>"}):
        assert enc.encode(text, allowed_special=allowed, disallowed_special=()) == ref.encode(
            text, allowed_special=allowed, disallowed_special=()
        ), allowed


RENDER_TEXTS = ["plain ascii words", "a   word", "x\t21", "end  ", "a\x0bb", "a\x0cb", "f(x):\n    return  x",
                "é  中", "café au lait", "one\ntwo\n\nthree"]  # fmt: skip


@pytest.mark.parametrize("text", RENDER_TEXTS)
def test_the_render_loop_encodes_contents_as_published(published, text):
    # The render loop's encoder sends text that needs no cut to the CoreBPE
    # directly: on both sides of that test the content must be o200k's tokens.
    enc = fastharmony.load_harmony_encoding("HarmonyGptOss")
    tokens = enc.render(fastharmony.Message.from_role_and_content(fastharmony.Role.USER, text))
    assert tokens[3:-1] == published.encode_ordinary(text)


@given(text_near_whitespace)
def test_rendered_text_near_whitespace_encodes_as_published(published, text):
    enc = fastharmony.load_harmony_encoding("HarmonyGptOss")
    tokens = enc.render(fastharmony.Message.from_role_and_content(fastharmony.Role.USER, text))
    assert tokens[3:-1] == published.encode_ordinary(text)
