"""The PYTHONPATH shim: `import openai_harmony` answered by fastharmony, unchanged programs.

The first test runs a real process because the point is how a fresh
interpreter resolves the import with the documented PYTHONPATH, ahead of the
installed openai-harmony.
"""

import os
import runpy
import subprocess
import sys

import fastharmony
from fastharmony import shim


def test_shim_folder_holds_only_openai_harmony():
    names = [name for name in os.listdir(shim.directory()) if name != "__pycache__"]
    assert names == ["openai_harmony"]


def test_python_m_fastharmony_shim_prints_the_folder(capsys):
    runpy.run_path(shim.__file__, run_name="__main__")
    assert capsys.readouterr().out == shim.directory() + "\n"


def test_shim_wins_over_the_installed_openai_harmony_and_reads_the_dialect_variable():
    program = (
        "import fastharmony, openai_harmony\n"
        "assert all(getattr(openai_harmony, n) is getattr(fastharmony, n) for n in fastharmony.__all__)\n"
        "from openai_harmony import Message, Role, load_harmony_encoding\n"
        "enc = load_harmony_encoding('HarmonyGptOss')\n"
        "print(enc.dialect, enc.decode(enc.render(Message.from_role_and_content(Role.USER, 'hi'))))\n"
    )
    src = os.path.dirname(os.path.dirname(fastharmony.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([shim.directory(), src]), FASTHARMONY_DIALECT="0.0.11")
    run = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "0.0.11 <|start|>user<|message|>hi<|end|>\n"

