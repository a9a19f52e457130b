"""The package is typed (py.typed): code using the public data model checks
under `mypy --strict`, `message.content[0].text` included.

mypy runs in-process (mypy.api) on tests/typing/data_model_usage.py, a file
that builds, renders, parses and dumps messages as a user would. A second,
deliberately wrong file proves the check can fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is in the test extra")

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _mypy(path: Path, cache: Path) -> tuple[str, int]:
    env_path = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = str(SRC) if (SRC / "fastharmony").is_dir() else (env_path or "")
    try:
        stdout, stderr, status = mypy_api.run(
            ["--strict", "--no-error-summary", "--cache-dir", str(cache), str(path)]
        )
    finally:
        if env_path is None:
            os.environ.pop("MYPYPATH", None)
        else:
            os.environ["MYPYPATH"] = env_path
    return stdout + stderr, status


def test_the_package_ships_py_typed():
    import fastharmony

    assert (Path(fastharmony.__file__).parent / "py.typed").is_file()


def test_the_public_data_model_type_checks_under_mypy_strict(tmp_path):
    output, status = _mypy(HERE / "typing" / "data_model_usage.py", tmp_path / "cache")
    assert status == 0, output


def test_a_type_error_is_found(tmp_path):
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "from fastharmony import Message, Role\n"
        "message = Message.from_role_and_content(Role.USER, 'x')\n"
        "channel: int = message.channel\n"
        "message.with_channel(5)\n"
    )
    output, status = _mypy(wrong, tmp_path / "cache")
    assert status == 1
    assert 'Incompatible types in assignment (expression has type "str | None", variable has type "int")' in output
    assert 'Argument 1 to "with_channel" of "Message" has incompatible type "int"' in output
