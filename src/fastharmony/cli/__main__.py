# `python -m fastharmony.cli`: the same as the `fastharmony` command.
import sys

from . import main

sys.exit(main())
