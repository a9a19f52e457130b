"""The README's sections on the OpenAI adapters (Chat Completions, Responses)
run as written and print what they show (documentation that cannot rot).

In each section, each ```python block runs in one shared namespace; the
```text block after it is its output, with tool-call ids (random) written
`call_…`. The adapters' docstring examples run in test_docstrings.py.
"""

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "README.md"
CHAT = "## Chat Completions (`fastharmony.chat`)\n"
RESPONSES = "## Responses API (`fastharmony.responses`)\n"


def section(heading: str) -> str:
    """From its heading to the next `## ` heading outside a code block."""
    lines = DOC.read_text().splitlines(keepends=True)
    start = lines.index(heading)
    in_code = False
    for end in range(start + 1, len(lines)):
        if lines[end].startswith("```"):
            in_code = not in_code
        elif not in_code and lines[end].startswith("## "):
            break
    else:
        end = len(lines)
    return "".join(lines[start:end])


def run_examples(heading: str) -> dict:
    """Runs the section's examples, checks what each prints; their namespace."""
    blocks = re.findall(r"```(python|text)\n(.*?)```", section(heading), re.S)
    pairs = [(code, blocks[i + 1][1]) for i, (kind, code) in enumerate(blocks) if kind == "python"]
    assert len(pairs) == 3 and all(blocks[i + 1][0] == "text" for i, (k, _) in enumerate(blocks) if k == "python")
    namespace: dict = {}
    for code, shown in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert re.sub(r"call_[0-9a-f]{24}", "call_…", out.getvalue()) == shown
    return namespace


@pytest.mark.parametrize("heading", [CHAT, RESPONSES], ids=["chat", "responses"])
def test_the_adapter_documentation_prints_what_it_shows(heading):
    run_examples(heading)


def test_the_responses_example_request_is_one_the_sdk_accepts():
    from responses_checks import sdk_request

    sdk_request(**run_examples(RESPONSES)["request"])
