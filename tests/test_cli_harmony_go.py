"""harmony-go's own CLI parity tests, run against `fastharmony` with only the
binary changed (tests/upstream/harmony-go/README.md).

harmony-go's file runs `go run ./cmd/harmony-go ARGS` and compares the output
with openai-harmony. Here every such run is `fastharmony ARGS` instead: in
this process (tests/cli_runner.py) by default, in a real process with
FASTHARMONY_GO_PARITY_PROCESS=1. Nothing else of the file changes, except
where it finds its two outside things: openai-harmony's test data (vendored
in tests/upstream/openai-harmony-0.0.8/test-data, where the file would look
in a monorepo) and the reference's vocabulary (the session's `ref`, loaded
offline, where the file would download it).

Each test either passes, or fails where harmony-go itself departs from
openai-harmony (README.md, "harmony-go's dialect"); those are expected to
fail, strictly: the day one passes, the list is wrong.
"""

import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import openai_harmony
import pytest

from cli_runner import run_cli, subprocess_env

UPSTREAM = Path(__file__).resolve().parent / "upstream"
SUITE = UPSTREAM / "harmony-go" / "tests" / "test_go_parity.py"
TEST_DATA = UPSTREAM / "openai-harmony-0.0.8" / "test-data"

# Where harmony-go departs from openai-harmony, with the reason.
DEPARTURES = {
    "test_go_parser_preserves_tool_name_with_role_hint": (
        "harmony-go reads `<|start|>browser.search<|message|>...` with -role tool as a message "
        "from the tool browser.search; openai-harmony refuses that header (Unknown role: "
        "browser.search): a lone word after <|start|> must be a role, and a tool's name is "
        "known only when a recipient follows it (`browser.search to=assistant`)"
    ),
}


def _load_suite(ref):
    spec = importlib.util.spec_from_file_location("harmony_go_parity", SUITE)
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    go_cli = list(suite.GO_CLI)

    def run(command, input=None, cwd=None, capture_output=False, text=False, **kwargs):
        """subprocess.run, where harmony-go's binary is fastharmony."""
        assert command[: len(go_cli)] == go_cli, command
        args = command[len(go_cli) :]
        if os.environ.get("FASTHARMONY_GO_PARITY_PROCESS"):
            return subprocess.run(
                [sys.executable, "-m", "fastharmony", *args], input=input, capture_output=capture_output,
                text=text, env=subprocess_env(), timeout=120,
            )
        result = run_cli(args, input or b"")
        out, err = result.stdout, result.stderr
        if text:
            out, err = out.decode(), err.decode()
        return subprocess.CompletedProcess(command, result.returncode, out, err)

    # The binary: every subprocess the file starts.
    suite.subprocess = types.SimpleNamespace(run=run)
    # Its outside things: the test data, and the reference offline.
    suite.data_path = lambda name: TEST_DATA / name
    suite.pyh = types.SimpleNamespace(
        **{name: getattr(openai_harmony, name) for name in dir(openai_harmony) if not name.startswith("__")}
    )
    suite.pyh.load_harmony_encoding = lambda name: ref
    return suite


TESTS = sorted(
    line.split("(")[0].removeprefix("def ")
    for line in SUITE.read_text().splitlines()
    if line.startswith("def test_")
)


@pytest.fixture(scope="module")
def suite(ref):
    return _load_suite(ref)


def test_the_suite_is_all_here():
    assert len(TESTS) == 12


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=DEPARTURES[name], strict=True))
        if name in DEPARTURES
        else name
        for name in TESTS
    ],
)
def test_harmony_go_parity_with_fastharmony_as_the_binary(suite, name):
    getattr(suite, name)()
