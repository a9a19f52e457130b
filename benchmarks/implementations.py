# The contestants: fastharmony, openai-harmony, and plain tiktoken for the floor.
#
# Rules of this file:
# - fastharmony is the package under test. If it is not importable (the
#   repository checked out but not installed), the copy in `<repo>/src` is used
#   and child processes are pointed at it too, so every measurement is of the
#   same code.
# - openai-harmony downloads its vocabulary unless TIKTOKEN_ENCODINGS_BASE names
#   a folder holding `o200k_base.tiktoken`. When the variable is not set, we
#   rebuild that file (byte for byte, its hash is checked by the reference)
#   from fastharmony's bundled copy into a temporary folder, and set the
#   variable only while the reference loads and in the reference's child
#   processes. fastharmony keeps using its bundled copy, as its users do.
# - A package that lacks `load_harmony_encoding` (fastharmony while it is being
#   written) is not an error: it is loaded with `encoding=None` and a reason,
#   and the workloads that need the encoding are skipped with that reason.

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator, Optional

OURS = "fastharmony"
REFERENCE = "openai-harmony"
REFERENCE_MODULE = "openai_harmony"
FLOOR = "tiktoken-floor"
CACHED = "fastharmony-render-cache"  # fastharmony with its opt-in render cache

ENCODING_NAME = "HarmonyGptOss"
_REPO_SRC = Path(__file__).resolve().parents[1] / "src"


@dataclass
class Implementation:
    """One package under measurement, loaded in this process."""

    key: str  # the label in tables and JSON: "fastharmony" or "openai-harmony"
    module_name: str
    module: Optional[ModuleType] = None
    encoding: Any = None
    version: Optional[str] = None
    unavailable: Optional[str] = None  # why `encoding` is None
    child_env: Dict[str, str] = field(default_factory=dict)  # extra env for its subprocesses

    @property
    def label(self) -> str:
        if self.module_name.replace("_", "-") == self.key:
            return self.key
        return f"{self.key} ({self.module_name})"


@contextlib.contextmanager
def patched_environ(extra: Dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def locate_fastharmony() -> Dict[str, str]:
    """Make fastharmony importable; returns the env its child processes need."""
    if importlib.util.find_spec("fastharmony") is not None:
        return {}
    if (_REPO_SRC / "fastharmony").is_dir():
        sys.path.insert(0, str(_REPO_SRC))
        paths = [str(_REPO_SRC)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
        return {"PYTHONPATH": os.pathsep.join(paths)}
    return {}


@contextlib.contextmanager
def reference_vocabulary() -> Iterator[Dict[str, str]]:
    """The env the reference needs to find its vocabulary offline (see the header)."""
    if os.environ.get("TIKTOKEN_ENCODINGS_BASE"):
        yield {}
        return
    from fastharmony import _vocab

    tokens = _vocab.ordinary_token_bytes()
    with tempfile.TemporaryDirectory(prefix="fastharmony-bench-vocab-") as folder:
        text = _vocab.tiktoken_file_from_token_bytes(tokens)
        (Path(folder) / "o200k_base.tiktoken").write_bytes(text)
        yield {"TIKTOKEN_ENCODINGS_BASE": folder}


def package_version(module_name: str, module: Optional[ModuleType] = None) -> Optional[str]:
    from importlib import metadata

    try:
        return metadata.version(module_name.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return getattr(module, "__version__", None)


def load_implementation(key: str, module_name: str, child_env: Dict[str, str]) -> Implementation:
    """Import `module_name` and load its Harmony encoding under `child_env`."""
    impl = Implementation(key=key, module_name=module_name, child_env=dict(child_env))
    if importlib.util.find_spec(module_name) is None:
        impl.unavailable = f"{module_name} is not installed"
        return impl
    with patched_environ(impl.child_env):
        impl.module = importlib.import_module(module_name)
        impl.version = package_version(module_name, impl.module)
        load = getattr(impl.module, "load_harmony_encoding", None)
        if load is None:
            impl.unavailable = f"{impl.label} has no load_harmony_encoding yet"
            return impl
        try:
            impl.encoding = load(ENCODING_NAME)
        except NotImplementedError as exc:
            impl.unavailable = f"{impl.label}: load_harmony_encoding is not implemented ({exc})"
    return impl


def floor_encoding():
    """A plain `tiktoken.Encoding` for o200k_base, built from fastharmony's vocabulary.

    Same ranks as the Harmony encodings, the o200k pattern as published, no
    special tokens: what a program that only needs BPE would use.
    """
    import tiktoken
    from fastharmony import _pattern, _vocab

    ranks = {token: rank for rank, token in enumerate(_vocab.ordinary_token_bytes())}
    return tiktoken.Encoding(
        name="o200k_base",
        pat_str=_pattern.O200K_PATTERN,
        mergeable_ranks=ranks,
        special_tokens={},
    )
