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

from ._batch import render_examples
from ._example import TrainingExample, TrainingSpan, render_example
from ._inputs import to_conversation
from ._mapper import COLUMNS, HarmonyMapper
from ._mask import LossMask

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
