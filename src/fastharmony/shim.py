"""The PYTHONPATH shim: run programs that import `openai_harmony` on fastharmony.

For a program you can edit, change the import (`import fastharmony as
openai_harmony`). For one you cannot (a server, a tool, someone else's
tests), put the shim folder first on PYTHONPATH: its `openai_harmony` package
re-exports fastharmony, and Python finds it before an installed openai-harmony.

    PYTHONPATH="$(python -m fastharmony.shim)${PYTHONPATH:+:$PYTHONPATH}" vllm serve ...

Add FASTHARMONY_DIALECT=0.0.11 for programs built against oss-harmony 0.0.11
(vLLM >= 0.31).

>>> import os
>>> sorted(os.listdir(directory()))
['openai_harmony']
"""

from __future__ import annotations

import os

__all__ = ["directory"]


def directory() -> str:
    """The folder to put on PYTHONPATH; it holds only the package `openai_harmony`.

    >>> os.path.isfile(os.path.join(directory(), "openai_harmony", "__init__.py"))
    True
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_shim")


if __name__ == "__main__":
    print(directory())
