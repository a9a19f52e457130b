"""`openai_harmony`, answered by fastharmony.

This folder's parent goes on PYTHONPATH (`python -m fastharmony.shim` prints
it) so that a program importing `openai_harmony` that you cannot edit runs on
fastharmony. Keep it one star import: the names are fastharmony's public API,
which is openai-harmony's.
"""

from fastharmony import *  # noqa: F403
from fastharmony import __all__  # noqa: F401
