# `python -m fastharmony`: the same as the `fastharmony` command.
import sys

from .cli import main

sys.exit(main())
