# fastharmony.training: the public API is `__all__` below.
#
# Internal helpers for fastharmony's own front ends (the `fastharmony training`
# command), importable from here but not part of the API and not in `__all__`:
# - `iter_results(encoding, items, ..., errors="raise"|"yield")`: what
#   `render_examples` renders, item by item as `(index, examples)` in input
#   order; with errors="yield" a bad item gives `(index, HarmonyError)`.
# - `example_columns(examples)`: the `COLUMNS` of examples, as numpy arrays.
# - `DEFAULT_CHUNK_SIZE`: items per task sent to a worker process.
# - `HEADERS`, `TURNS`, `HISTORY_ANALYSIS`: the values `LossMask.header`,
#   `.turns` and `.history_analysis` accept (the command's choices).
# Front ends import them from here, never from the private modules.

"""Training data in the exact tokens gpt-oss reads, with loss masks.

`render_example` renders one conversation with the render loop of
`HarmonyEncoding` (so its `input_ids` are the encoding's own tokens) and a
loss mask chosen by a `LossMask`; `render_examples` renders a corpus on
several processes; `HarmonyMapper` does it inside `datasets.map` and Ray
Data's `map_batches`, writing the columns TRL's SFTTrainer reads. See
docs/training.md for the mask rules.

>>> from fastharmony import Message, Role
>>> from fastharmony.training import LossMask, render_example
>>> convo = [Message.from_role_and_content(Role.USER, "Hi"),
...          Message.from_role_and_content(Role.ASSISTANT, "Hey").with_channel("analysis"),
...          Message.from_role_and_content(Role.ASSISTANT, "Hello!").with_channel("final")]
>>> example = render_example(enc, convo, mask=LossMask(channels={"final"}))
>>> enc.decode([t for t, m in zip(example.input_ids, example.loss_mask) if m])
'<|channel|>final<|message|>Hello!<|return|>'
"""

from ._batch import DEFAULT_CHUNK_SIZE, iter_results, render_examples
from ._example import TrainingExample, TrainingSpan, render_example
from ._inputs import to_conversation
from ._mapper import COLUMNS, HarmonyMapper, example_columns
from ._mask import HEADERS, HISTORY_ANALYSIS, TURNS, LossMask

__all__ = [
    "COLUMNS",
    "HarmonyMapper",
    "LossMask",
    "TrainingExample",
    "TrainingSpan",
    "render_example",
    "render_examples",
    "to_conversation",
]
