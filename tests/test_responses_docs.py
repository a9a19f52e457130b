"""The README's Responses API section runs as written and prints what it
shows (documentation that cannot rot), and the adapter's docstring examples
run.

Each ```python block runs in one shared namespace; the ```text block after it
is its output.
"""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "README.md"
HEADING = "## Responses API (`fastharmony.responses`)\n"


def responses_section() -> str:
    """From its heading to the next `## ` heading outside a code block."""
    lines = DOC.read_text().splitlines(keepends=True)
    start = lines.index(HEADING)
    in_code = False
    for end in range(start + 1, len(lines)):
        if lines[end].startswith("```"):
            in_code = not in_code
        elif not in_code and lines[end].startswith("## "):
            break
    else:
        end = len(lines)
    return "".join(lines[start:end])


def test_the_responses_documentation_prints_what_it_shows():
    blocks = re.findall(r"```(python|text)\n(.*?)```", responses_section(), re.S)
    pairs = [(code, blocks[i + 1][1]) for i, (kind, code) in enumerate(blocks) if kind == "python"]
    assert len(pairs) == 3
    namespace: dict = {}
    for code, shown in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert out.getvalue() == shown
    from responses_checks import sdk_request

    sdk_request(**namespace["request"])  # the example request is one the SDK accepts


def test_the_docstring_examples_run():
    import doctest

    from fastharmony import load_harmony_encoding
    from fastharmony.openai import _json, _responses_output, _responses_request, responses

    enc = load_harmony_encoding("HarmonyGptOss")
    for module in (responses, _responses_output, _responses_request, _json):
        result = doctest.testmod(module, extraglobs={"enc": enc})
        assert result.attempted and not result.failed, module.__name__
