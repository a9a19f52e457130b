"""Shared set-up of the real-client tests (test_client_*.py).

Each of those modules reproduces, in functions of its own, the calls that one
real program makes on `openai_harmony` (the file and function are cited beside
each), and runs them twice: once on the reference, once on fastharmony as the
program would meet it through the PYTHONPATH shim (`fastharmony.shim`). The
results must be equal.

The `harmony` fixture gives both sides for each dialect: openai-harmony 0.0.8
against fastharmony by default, and oss-harmony 0.0.11 against fastharmony
loaded with FASTHARMONY_DIALECT=0.0.11 set, as a program that cannot be edited
chooses the dialect.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fastharmony import shim

# "0.0.11" joins when the dialect switch lands (FASTHARMONY_DIALECT).
DIALECTS = ["0.0.8", "0.0.11"]


def shim_openai_harmony() -> ModuleType:
    """The shim's `openai_harmony` package, imported as `shim_openai_harmony`.

    The reference owns the name `openai_harmony` in the test process, so the
    shim's package is loaded from its file under another module name.
    """
    name = "shim_openai_harmony"
    if name not in sys.modules:
        path = Path(shim.directory()) / "openai_harmony" / "__init__.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Side:
    """One implementation as a client meets it: the module and its encoding."""

    h: ModuleType
    enc: Any


@dataclass
class Sides:
    ours: Side
    theirs: Side
    dialect: str

    def both(self):
        return (self.ours, self.theirs)


@pytest.fixture(params=DIALECTS)
def harmony(request, monkeypatch) -> Sides:
    dialect = request.param
    ours = shim_openai_harmony()
    if dialect == "0.0.8":
        theirs = sys.modules["openai_harmony"]
        their_encoding = request.getfixturevalue("ref")
    else:
        theirs = request.getfixturevalue("oss_harmony")
        their_encoding = request.getfixturevalue("oss_ref")
        monkeypatch.setenv("FASTHARMONY_DIALECT", dialect)
    our_encoding = ours.load_harmony_encoding(ours.HarmonyEncodingName.HARMONY_GPT_OSS)
    return Sides(Side(ours, our_encoding), Side(theirs, their_encoding), dialect)


def plain(value: Any) -> Any:
    """JSON-shaped copy of a value (enum members become their strings)."""
    return json.loads(json.dumps(value, default=str))


def dicts(messages) -> list:
    """Messages as the reference's `to_dict` shapes them, comparable across implementations."""
    return [plain(message.to_dict()) for message in messages]


def outcome(function, *args, **kwargs) -> tuple[str, Any]:
    """("ok", result) or ("error", exception class name): both sides must agree on which."""
    try:
        return ("ok", function(*args, **kwargs))
    except Exception as error:  # the comparison is the point: both must fail alike
        return ("error", ValueError.__name__ if isinstance(error, ValueError) else type(error).__name__)
