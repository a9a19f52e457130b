"""The two reference implementations, loaded side by side in one process.

openai-harmony 0.0.8 (the default dialect) comes from the test extra. The
maintained fork oss-harmony 0.0.11 installs the same import name,
`openai_harmony`, so it cannot live in the same site-packages: it is installed
once with `pip install --no-deps --target` into a cache folder and imported
under the module name `oss_openai_harmony`. Its compiled core is a different
file with its own statics, so both coexist.

If that install fails (no network on a first run), every test that asks for
the 0.0.11 oracle fails with the pip output: a dialect is never left
unchecked silently.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OSS_HARMONY_VERSION = "0.0.11"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fastharmony-tests" / f"oss-harmony-{OSS_HARMONY_VERSION}"


def _install_oss_harmony(target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
         "--target", str(partial), f"oss-harmony=={OSS_HARMONY_VERSION}"],
        check=True,
        capture_output=True,
        text=True,
    )
    partial.rename(target)


def import_oss_harmony():
    """The `openai_harmony` package of oss-harmony 0.0.11, as a module object.

    openai-harmony 0.0.8 stays `sys.modules["openai_harmony"]`; the fork's
    modules are registered under `oss_openai_harmony*`.
    """
    if "oss_openai_harmony" in sys.modules:
        return sys.modules["oss_openai_harmony"]
    target = _cache_dir()
    if not (target / "openai_harmony" / "__init__.py").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        _install_oss_harmony(target)
    ours = lambda name: name == "openai_harmony" or name.startswith("openai_harmony.")
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if ours(name)}
    sys.path.insert(0, str(target))
    try:
        import openai_harmony as fork  # noqa: F401  (the fork, found first on sys.path)
    finally:
        sys.path.remove(str(target))
        for name in [name for name in sys.modules if ours(name)]:
            sys.modules["oss_" + name] = sys.modules.pop(name)
        sys.modules.update(saved)
    assert Path(fork.__file__).is_relative_to(target), fork.__file__
    return fork
