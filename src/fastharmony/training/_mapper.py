# `HarmonyMapper`: the batch function for Hugging Face `datasets` and Ray Data.
#
# Rules of this file:
# - It writes the pre-tokenized columns TRL's SFTTrainer reads (trl 1.16,
#   sft_trainer.py: a dataset with `input_ids` is "processed"; a `labels`
#   column is used as it is, else labels are built from `assistant_masks`):
#   `input_ids` (int32), `assistant_masks` (int8, the loss mask) and `labels`
#   (int64, -100 where untrained: the dtype a cross-entropy loss takes), one
#   numpy array per row. `COLUMNS` names them; the command line writes the same.
# - The mapper holds only its settings (plain, picklable data): `datasets`
#   hashes it for its cache fingerprint, and both libraries send it to worker
#   processes, where the encoding is loaded once per process.
# - A row is either one column holding the item (`column="..."`: a record
#   dict, or JSON text), or, with `column=None`, the row itself (its columns
#   are the record's keys). JSON text is the safe way to store records in
#   Arrow: a column of structs gets every key any row has, as None elsewhere,
#   which changes tool schemas.

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, Union

from .._errors import HarmonyValueError
from ._batch import Options, render_item
from ._example import DEFAULT_MASK, TrainingExample
from ._inputs import check_source
from ._mask import LossMask

COLUMNS = ("input_ids", "assistant_masks", "labels")


class HarmonyMapper:
    """Renders a batch of rows into TRL's pre-tokenized columns.

    For `datasets.Dataset.map(HarmonyMapper(...), batched=True, num_proc=N,
    remove_columns=dataset.column_names)` and for Ray Data
    `map_batches(HarmonyMapper, fn_constructor_kwargs={...},
    compute=ray.data.ActorPoolStrategy(size=N))`.

    >>> mapper = HarmonyMapper(source="openai", column="record", start_date="2025-06-28")
    >>> batch = mapper({"record": ['{"messages": [{"role": "user", "content": "Hi"}, '
    ...                            '{"role": "assistant", "content": "Hello"}]}']})
    >>> sorted(batch), batch["input_ids"][0].dtype, int(batch["assistant_masks"][0].sum())
    (['assistant_masks', 'input_ids', 'labels'], dtype('int32'), 5)
    """

    def __init__(
        self,
        mask: LossMask = DEFAULT_MASK,
        source: str = "harmony",
        column: Optional[str] = None,
        *,
        start_date: Union[str, datetime.date, None] = None,
        per_turn: bool = False,
        encoding: str = "HarmonyGptOss",
        dialect: Optional[str] = None,
    ) -> None:
        if not isinstance(mask, LossMask):
            raise HarmonyValueError(f"mask must be a LossMask, got {type(mask).__name__}")
        check_source(source, start_date)
        if isinstance(start_date, datetime.date):
            start_date = start_date.isoformat()
        self.options = Options(mask, bool(per_turn), source, start_date)
        self.column = column
        self.encoding_name = encoding
        self.dialect = dialect

    def __repr__(self) -> str:
        return (
            f"HarmonyMapper(mask={self.options.mask!r}, source={self.options.source!r}, "
            f"column={self.column!r}, per_turn={self.options.per_turn})"
        )

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, List[Any]]:
        encoding = _load(self.encoding_name, self.dialect)
        examples: List[TrainingExample] = []
        for row, item in enumerate(self._items(batch)):
            try:
                examples += render_item(encoding, item, self.options)
            except HarmonyValueError as exc:
                raise HarmonyValueError(f"row {row} of the batch: {exc}") from None
        return example_columns(examples)

    def _items(self, batch: Dict[str, Any]) -> List[Any]:
        if self.column is not None:
            if self.column not in batch:
                raise HarmonyValueError(
                    f"HarmonyMapper: no column {self.column!r} in the batch (columns: {', '.join(batch)})"
                )
            return [_plain(value) for value in batch[self.column]]
        names = list(batch)
        columns = [batch[name] for name in names]
        return [
            {name: _plain(value) for name, value in zip(names, values)}
            for values in zip(*columns)
        ]


def example_columns(examples: List[TrainingExample]) -> Dict[str, List[Any]]:
    """The `COLUMNS` of each example, as numpy arrays."""
    import numpy

    input_ids, masks, labels = [], [], []
    for example in examples:
        ids = numpy.array(example.input_ids, dtype=numpy.int32)
        mask = numpy.frombuffer(example.loss_mask, dtype=numpy.int8).copy()  # writable, as the others
        input_ids.append(ids)
        masks.append(mask)
        labels.append(numpy.where(mask != 0, ids, -100).astype(numpy.int64))
    return {"input_ids": input_ids, "assistant_masks": masks, "labels": labels}


def _plain(value: Any) -> Any:
    """Python data from what Ray's numpy batches hold (arrays of objects,
    numpy strings and scalars)."""
    kind = type(value)
    if kind is str or kind is dict or kind is bytes or value is None:
        if kind is dict:
            return {key: _plain(item) for key, item in value.items()}
        return value
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if tolist is not None:
        return _plain(tolist())
    return value


_encodings: Dict[tuple, Any] = {}


def _load(name: str, dialect: Optional[str]):
    key = (name, dialect)
    encoding = _encodings.get(key)
    if encoding is None:
        from .. import load_harmony_encoding

        encoding = load_harmony_encoding(name) if dialect is None else load_harmony_encoding(name, dialect=dialect)
        _encodings[key] = encoding
    return encoding
