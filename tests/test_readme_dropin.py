"""The README section "Using fastharmony in place of openai-harmony" runs as written.

Each Python example there stands alone and ends with the lines it prints, as
comments; they must be what it prints. The shell example's shim is tested in
test_shim.py.
"""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TITLE = "## Using fastharmony in place of openai-harmony\n"


def examples():
    section = README.read_text(encoding="utf-8").split(TITLE, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_section_has_examples():
    assert len(examples()) >= 3


@pytest.mark.parametrize("code", examples(), ids=lambda code: code.splitlines()[0][:40])
def test_example_prints_what_it_shows(code, capsys):
    lines = code.rstrip("\n").split("\n")
    shown = []
    while lines and lines[-1].startswith("# "):
        shown.insert(0, lines.pop()[2:])
    exec(compile("\n".join(lines), str(README), "exec"), {})
    assert capsys.readouterr().out.splitlines() == shown
