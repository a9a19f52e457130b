"""What we publish: the sdist and the wheel, built as `python -m build` builds them.

The sdist is built from a copy of the source tree, and the wheel from the
unpacked sdist, so a file the sdist forgets breaks the wheel here, not on a
user's machine. Both are built with the installed setuptools (no isolation, no
download). Each build runs in a process of its own: setuptools changes the
working directory and global state while it builds.

Rules checked:
- the sdist holds every source file of the package, the tests (helpers and
  vendored reference suites included), the docs, the benchmarks, the tools and
  the examples,
  and its tests collect without error;
- the wheel holds the package (data, py.typed, shim and all modules), the LICENSE, and
  metadata with the SPDX licence, the one version, the console script; no tests;
- neither holds caches or compiled files.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import fastharmony

ROOT = Path(__file__).resolve().parents[1]
# What the sdist must carry beside src/: every file under these folders.
SDIST_FOLDERS = ["src", "tests", "docs", "benchmarks", "tools", "examples"]
# ("results/": benchmarks/results, what `python -m benchmarks` writes, pruned by MANIFEST.in;
# the sdist's .egg-info, last, is allowed by test_no_caches_or_compiled_files.)
JUNK = ("__pycache__", ".pyc", ".hypothesis", ".pytest_cache", ".benchmarks", "results/", ".egg-info")


def _tree_files(top: Path) -> set[str]:
    """Files under `top` (relative, posix), without caches and build leftovers."""
    found = set()
    for path in top.rglob("*"):
        relative = path.relative_to(top).as_posix()
        if path.is_file() and not any(junk in relative for junk in JUNK):
            found.add(relative)
    return found


def _build(kind: str, source: Path, out: Path) -> Path:
    code = f"import sys; from setuptools import build_meta; print(build_meta.build_{kind}(sys.argv[1]))"
    run = subprocess.run([sys.executable, "-c", code, str(out)], cwd=source, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return out / run.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(unpacked sdist folder, sdist file names, wheel file names, wheel zip)."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    ignore = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis",
                                    ".pytest_cache", ".benchmarks", "results")
    shutil.copytree(ROOT, source, ignore=ignore)
    sdist = _build("sdist", source, work / "dist")
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        sdist_names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        archive.extractall(work / "unpacked", filter="data")
    unpacked = work / "unpacked" / top
    wheel = _build("wheel", unpacked, work / "wheels")
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = set(archive.namelist())
    return unpacked, sdist_names, wheel_names, wheel


def test_sdist_holds_sources_tests_docs_benchmarks_and_tools(built):
    _, sdist_names, _, _ = built
    expected = {"LICENSE", "README.md", "pyproject.toml", "MANIFEST.in"}
    for folder in SDIST_FOLDERS:
        if (ROOT / folder).is_dir():
            expected |= {f"{folder}/{name}" for name in _tree_files(ROOT / folder)}
    assert not expected - sdist_names
    for needed in ["tests/conftest.py", "tests/strategies.py", "tests/oracles.py", "docs/guarantees.md",
                   "tests/upstream/openai-harmony-0.0.8/tests/test_harmony.py",
                   "tests/upstream/openai-harmony-0.0.8/test-data/test_simple_convo.txt",
                   "tests/upstream/oss-harmony-0.0.11/LICENSE", "benchmarks/__main__.py",
                   "examples/responses_server.py"]:
        assert needed in sdist_names


def test_sdist_tests_collect(built):
    unpacked, _, _, _ = built
    env = dict(os.environ, PYTHONPATH=str(unpacked / "src"))
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                         cwd=unpacked, env=env, capture_output=True, text=True, timeout=300)
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0 and re.fullmatch(r"\d+ tests collected in [\d.]+s", summary), run.stdout[-3000:] + run.stderr
    assert "test_packaging.py::test_sdist_tests_collect" in run.stdout


def test_wheel_holds_the_package_and_license(built):
    _, _, wheel_names, _ = built
    package = ROOT / "src" / "fastharmony"
    expected = {f"fastharmony/{name}" for name in _tree_files(package)}
    assert not expected - wheel_names
    assert "fastharmony/_shim/openai_harmony/__init__.py" in wheel_names
    assert "fastharmony/py.typed" in wheel_names  # PEP 561: type checkers read the package's annotations
    assert any(name.startswith("fastharmony/data/") for name in wheel_names)
    info = next(name.split("/")[0] for name in wheel_names if name.endswith(".dist-info/METADATA"))
    assert f"{info}/licenses/LICENSE" in wheel_names
    assert not [name for name in wheel_names if name.startswith("tests/")]


def test_no_caches_or_compiled_files(built):
    _, sdist_names, wheel_names, _ = built
    assert not [name for name in sdist_names | wheel_names if any(junk in name for junk in JUNK[:-1])]


def test_wheel_metadata(built):
    _, _, wheel_names, wheel = built
    info = next(name.split("/")[0] for name in wheel_names if name.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert metadata["Name"] == "fastharmony"
    assert metadata["Version"] == fastharmony.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert not [c for c in metadata.get_all("Classifier") if c.startswith("License ::")]  # PEP 639: the expression only
    assert metadata.get_all("Project-URL") and metadata["Author"]
    assert "Typing :: Typed" in metadata.get_all("Classifier")
    assert "[console_scripts]\nfastharmony = fastharmony.cli" in entry_points
    assert metadata["Description-Content-Type"] == "text/markdown" and "# fastharmony" in metadata.get_payload()


def test_version_is_written_once():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject.split("[tool.setuptools.dynamic]")[0]
