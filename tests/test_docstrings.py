"""Every docstring example in the fastharmony package runs, as tiktoken's do.

Each module of the package (found by walking it, so new modules are picked up
without a change here) is imported and its examples run with one shared
namespace: the module's own names, the public names of `fastharmony` and
`enc`, the HarmonyGptOss encoding, so any example may use `enc` without
loading it. A module that
cannot be imported fails its test; nothing is skipped (a `__main__` module,
which runs the program when imported, is read instead and must hold no examples).
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import fastharmony


def _module_names():
    names = [fastharmony.__name__]
    for info in pkgutil.walk_packages(fastharmony.__path__, prefix=fastharmony.__name__ + "."):
        names.append(info.name)
    return sorted(names)


def _namespace():
    names = {name: getattr(fastharmony, name) for name in fastharmony.__all__}
    names["enc"] = fastharmony.load_harmony_encoding("HarmonyGptOss")
    return names


@pytest.mark.parametrize("module_name", _module_names())
def test_docstring_examples_run(module_name):
    if module_name.endswith(".__main__"):
        # Importing an entry point runs the program: read it instead, and
        # require that it holds no examples (which could not run).
        spec = importlib.util.find_spec(module_name)
        assert ">>>" not in Path(spec.origin).read_text(encoding="utf-8")
        return
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures = []
    for test in finder.find(module, module_name, globs={**vars(module), **_namespace()}):
        if test.examples:
            runner.run(test, out=failures.append)
    assert not failures, "".join(failures)


def test_public_data_model_names_have_runnable_examples():
    # Every public data-model class, and each of its public methods (builders,
    # constructors, dict and JSON helpers), documents itself with an example.
    from fastharmony import _model, _pydantic

    inherited = set(vars(_pydantic.PydanticMethods))
    missing = []
    for name in _model.__all__:
        cls = getattr(_model, name)
        if ">>>" not in (cls.__doc__ or ""):
            missing.append(name)
        for attribute, value in vars(cls).items():
            if attribute.startswith("_") or attribute in inherited or not callable(getattr(cls, attribute)):
                continue
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if ">>>" not in (getattr(value, "__doc__", None) or ""):
                missing.append(f"{name}.{attribute}")
    assert not missing, missing
