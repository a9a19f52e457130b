"""The docstring examples of fastharmony.training run and print what they say.

(`enc` is in their namespace, as in the shared doctest runner.)
"""

import doctest
import importlib

import pytest

from fastharmony import load_harmony_encoding

MODULES = [
    "fastharmony.training",
    "fastharmony.training._mask",
    "fastharmony.training._example",
    "fastharmony.training._inputs",
    "fastharmony.training._batch",
    "fastharmony.training._mapper",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    enc = load_harmony_encoding("HarmonyGptOss")
    result = doctest.testmod(module, extraglobs={"enc": enc}, optionflags=doctest.ELLIPSIS, report=True)
    assert result.attempted > 0
    assert result.failed == 0
