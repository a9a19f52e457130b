"""The README's quick start runs as written (documentation that cannot rot).

Its later sections have tests of their own: test_cli_docs.py runs the command
line examples, test_adapter_docs.py the Chat Completions and Responses ones.
"""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run(capsys):
    quick_start = README.read_text().split("\n## Command line")[0]
    blocks = re.findall(r"```python\n(.*?)```", quick_start, re.S)
    assert blocks, "the README has Python examples"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert "functions.get_weather" in capsys.readouterr().out
