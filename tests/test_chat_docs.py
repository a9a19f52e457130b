"""The README's Chat Completions section runs as written and prints what it
shows (documentation that cannot rot).

Each ```python block runs in one shared namespace; the ```text block after it
is its output, with tool-call ids (random) written `call_…`.
"""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "README.md"


def chat_section() -> str:
    """From its heading to the next `## ` heading outside a code block."""
    lines = DOC.read_text().splitlines(keepends=True)
    start = lines.index("## Chat Completions (`fastharmony.chat`)\n")
    in_code = False
    for end in range(start + 1, len(lines)):
        if lines[end].startswith("```"):
            in_code = not in_code
        elif not in_code and lines[end].startswith("## "):
            break
    else:
        end = len(lines)
    return "".join(lines[start:end])


def test_the_chat_documentation_prints_what_it_shows():
    blocks = re.findall(r"```(python|text)\n(.*?)```", chat_section(), re.S)
    pairs = [(code, blocks[i + 1][1]) for i, (kind, code) in enumerate(blocks) if kind == "python"]
    assert len(pairs) == 3 and all(blocks[i + 1][0] == "text" for i, (k, _) in enumerate(blocks) if k == "python")
    namespace: dict = {}
    for code, shown in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert re.sub(r"call_[0-9a-f]{24}", "call_…", out.getvalue()) == shown


def test_the_docstring_examples_run():
    import doctest

    from fastharmony import load_harmony_encoding
    from fastharmony.openai import _chat_completion, _chat_request, _reader, chat

    enc = load_harmony_encoding("HarmonyGptOss")
    # The public functions that chat re-exports carry their examples where they are defined.
    for module in (chat, _chat_completion, _chat_request, _reader):
        result = doctest.testmod(module, extraglobs={"enc": enc})
        assert result.attempted and not result.failed, module.__name__
