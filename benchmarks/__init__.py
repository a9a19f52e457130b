"""fastharmony's benchmark suite: fastharmony against openai-harmony, in one process.

Run it from the repository root:

    python -m benchmarks              # full run, writes benchmarks/results/latest.json
    python -m benchmarks --quick      # a smoke run of a few seconds
    python -m benchmarks --markdown   # the README table, the command and the machine
    python -m benchmarks --only parse-tool-call --only stream-tool-call
    python -m benchmarks.training     # training data: a 20,000-conversation corpus (minutes)

Modules, one job each:
- `implementations.py`: finding and loading the two packages (the reference
  gets its vocabulary offline) and the plain tiktoken encoding for the floor.
- `workloads.py`: the inputs, built once per package from its own classes, and
  the operation each workload times.
- `timing.py`: calibrated, interleaved, best-of-N rounds.
- `fresh_process.py`: cold start and memory, measured in fresh interpreters.
- `report.py`: the tables (plain and Markdown), machine info and the JSON.
- `runner.py`: `main(argv)`, the command line that ties them together.
"""
