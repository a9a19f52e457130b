"""The reference's own test suites, run against fastharmony with only the import changed.

tests/upstream/ holds, verbatim but for one line, `tests/test_harmony.py` and
`test-data/` of openai/harmony at tag v0.0.8 and of the fork oss-harmony 0.0.11
(its sdist): `from openai_harmony import (` became `from fastharmony import (`.
Both are Apache-2.0; their LICENSE files sit beside them.

Each suite runs in its own pytest process: the point is a session of its own,
as its authors ran it, with the 0.0.11 dialect chosen the way a program that
cannot be edited chooses it (the environment variable FASTHARMONY_DIALECT). The
outcome must be every test passed: a suite whose tests were skipped, deselected
or not collected fails here just as one with a failure does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

UPSTREAM = Path(__file__).resolve().parent / "upstream"
SUITES = {
    # folder: (tests it must run, FASTHARMONY_DIALECT)
    "openai-harmony-0.0.8": (42, "0.0.8"),
    "oss-harmony-0.0.11": (42, "0.0.11"),
}


def _changed_lines(folder: Path) -> list[str]:
    text = (folder / "tests" / "test_harmony.py").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if "fastharmony" in line or "openai_harmony" in line]


@pytest.mark.parametrize("folder", sorted(SUITES))
def test_only_the_import_is_changed(folder):
    assert _changed_lines(UPSTREAM / folder) == ["from fastharmony import (  # noqa: E402"]
    assert "Apache License\n                           Version 2.0" in (UPSTREAM / folder / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", sorted(SUITES))
def test_upstream_suite_passes(folder):
    expected, dialect = SUITES[folder]
    root = UPSTREAM / folder
    env = dict(os.environ, FASTHARMONY_DIALECT=dialect)
    src = Path(__file__).resolve().parent.parent / "src"
    if (src / "fastharmony").is_dir():  # a checkout or sdist: test these sources, not an installed copy
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    run = subprocess.run(
        # The suite's own folder is its root: no configuration or conftest of ours applies.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
         "--rootdir", str(root), "--confcutdir", str(root), "-rfEs", "tests"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0 and re.fullmatch(rf"{expected} passed in [\d.]+s", summary), run.stdout + run.stderr
