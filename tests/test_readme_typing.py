"""Every Python example in the README type-checks under `mypy --strict`, as a user's code would.

The examples of one `##` section build on each other (the quick start's `enc`
is used by its streaming example), so each section's examples are checked
together as one module; sections are independent. fastharmony is found in
this checkout's src/ and its own modules are analysed but not reported
(`--follow-imports=silent`), as mypy treats an installed typed package: the
errors that count are those a user of the README would see in their code.
mypy's cache lives in the user's cache folder, so later runs are quick.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def readme_sections() -> dict[str, str]:
    """Title of each `##` section with Python examples → its examples joined."""
    sections: dict[str, list[str]] = {}
    title, fence, block = "", None, None
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if fence is None and line.startswith("## "):
            title = line[3:]
        elif fence is None and line.startswith("```"):
            fence = line
            block = [] if line.strip() == "```python" else None
        elif fence is not None and line.startswith("```"):
            if block is not None:
                sections.setdefault(title, []).append("\n".join(block))
            fence = block = None
        elif block is not None:
            block.append(line)
    return {title: "\n\n".join(blocks) + "\n" for title, blocks in sections.items()}


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fastharmony-tests", "mypy")


def test_readme_has_python_examples_in_several_sections():
    assert len(readme_sections()) >= 3


def test_readme_python_examples_type_check(tmp_path):
    files = []
    for number, (title, code) in enumerate(readme_sections().items()):
        path = tmp_path / f"readme_section_{number}.py"
        path.write_text(f"# README section: {title}\n{code}", encoding="utf-8")
        files.append(str(path))
    saved, saved_limit = os.environ.get("MYPYPATH"), sys.getrecursionlimit()
    os.environ["MYPYPATH"] = str(ROOT / "src")
    try:
        stdout, stderr, status = api.run(["--strict", "--follow-imports=silent", "--cache-dir", _cache_dir(),
                                          "--no-error-summary", "--show-error-codes", *files])
    finally:
        sys.setrecursionlimit(saved_limit)  # mypy raises it for the whole process
        if saved is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = saved
    assert status == 0, stdout + stderr
    assert not re.search(r"error:", stdout)
