"""Shared test setup: the reference implementation as an oracle, offline.

openai-harmony downloads its vocabulary unless TIKTOKEN_ENCODINGS_BASE names a
folder holding `o200k_base.tiktoken`. We rebuild that file from fastharmony's
bundled copy (byte for byte; its hash is checked by the reference too), load the
reference once (it reads the file while loading), then remove the folder and
unset the variable so that fastharmony's own tests run on the bundled
vocabulary, as users do.

tests/upstream/ holds the reference's own suites; test_upstream_suites.py runs
each in a pytest session of its own, so they are not collected here.

Example counts: FASTHARMONY_EXAMPLES raises every property-based test's count
(default 100) for long local fuzzing runs.
"""

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from fastharmony import _vocab

settings.register_profile(
    "fastharmony",
    max_examples=int(os.environ.get("FASTHARMONY_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("fastharmony")

collect_ignore = ["upstream"]


def _load_reference(openai_harmony):

    tokens = _vocab.ordinary_token_bytes()
    saved = os.environ.get("TIKTOKEN_ENCODINGS_BASE")
    with tempfile.TemporaryDirectory(prefix="fastharmony-vocab-") as folder:
        (Path(folder) / "o200k_base.tiktoken").write_bytes(_vocab.tiktoken_file_from_token_bytes(tokens))
        os.environ["TIKTOKEN_ENCODINGS_BASE"] = folder
        try:
            return openai_harmony.load_harmony_encoding("HarmonyGptOss")
        finally:
            if saved is None:
                del os.environ["TIKTOKEN_ENCODINGS_BASE"]
            else:
                os.environ["TIKTOKEN_ENCODINGS_BASE"] = saved


import openai_harmony  # noqa: E402

_REFERENCE = _load_reference(openai_harmony)


@pytest.fixture(scope="session")
def ref():
    """The reference `openai_harmony.HarmonyEncoding`."""
    return _REFERENCE


@pytest.fixture(scope="session")
def oss_harmony():
    """The `openai_harmony` module of the fork oss-harmony 0.0.11 (see oracles.py)."""
    import oracles

    return oracles.import_oss_harmony()


@pytest.fixture(scope="session")
def oss_ref(oss_harmony):
    """oss-harmony 0.0.11's `HarmonyEncoding`: the oracle of the 0.0.11 dialect."""
    return _load_reference(oss_harmony)
