# The commands of `fastharmony`, one module per group. Each command is a
# function `(args, io)` declared with `@command` (see ../_options.py) and
# listed in the table of ../__init__.py, which imports a module only when one
# of its commands runs.
