"""`decode(tokens, errors=...)` behaves as the reference's: the codec's error
handler decides, and with "strict" bytes that are not UTF-8 raise the
UnicodeDecodeError the reference raises, with the same arguments (it is also a
HarmonyError, as every error of fastharmony is)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastharmony import HarmonyError, load_harmony_encoding

ENC = load_harmony_encoding("HarmonyGptOss")
HANDLERS = ["strict", "replace", "ignore", "backslashreplace", "surrogateescape"]

# Tokens of partial UTF-8 (lone lead and continuation bytes), whole characters, specials.
PIECES = ENC.encode("é🙂 中 x") + [9552, 0xA9, 0xBB, 200006, 200007, 199999]


def outcome(decode):
    try:
        return decode(), None
    except UnicodeDecodeError as error:
        return None, error


@given(tokens=st.lists(st.sampled_from(PIECES), max_size=8), errors=st.sampled_from(HANDLERS))
def test_decoding_with_any_handler_agrees_with_the_reference(ref, tokens, errors):
    expected, reference_error = outcome(lambda: ref.decode(tokens, errors=errors))
    ours, our_error = outcome(lambda: ENC.decode(tokens, errors=errors))
    assert ours == expected
    if reference_error is not None:
        assert our_error is not None
        assert our_error.args == reference_error.args
        assert str(our_error) == str(reference_error)


def test_strict_decoding_of_a_cut_character_raises_unicode_decode_error(ref):
    tokens = [200006, 9552]  # "<|start|>" and the first two bytes of a four-byte emoji
    with pytest.raises(UnicodeDecodeError) as theirs:
        ref.decode(tokens, errors="strict")
    with pytest.raises(UnicodeDecodeError) as ours:
        ENC.decode(tokens, errors="strict")
    assert ours.value.args == theirs.value.args == ("utf-8", b"<|start|> \xf0\x9f", 10, 12, "unexpected end of data")
    assert (ours.value.encoding, ours.value.start, ours.value.end, ours.value.reason) == ("utf-8", 10, 12, "unexpected end of data")
    assert isinstance(ours.value, HarmonyError)  # and ValueError, as UnicodeDecodeError is
