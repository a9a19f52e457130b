"""HarmonyMapper in a real `datasets.map(num_proc=2)` and a real local Ray
cluster (2 CPUs), against `render_examples` on the same small corpus.

Few tests, one Ray cluster for the session: starting Ray takes seconds.
"""

import json

import numpy as np
import pytest

from fastharmony import load_harmony_encoding
from fastharmony.training import COLUMNS, HarmonyMapper, LossMask, render_examples

enc = load_harmony_encoding("HarmonyGptOss")
START_DATE = "2025-06-28"
MASK = LossMask(channels={"analysis", "final"})


def record(n):
    messages = [{"role": "system", "content": f"Be brief, #{n}."}, {"role": "user", "content": f"What is {n}+{n}?"}]
    if n % 3 == 0:
        messages += [
            {"role": "assistant", "reasoning_content": "Use the tool.",
             "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": f'{{"a":{n}}}'}}]},
            {"role": "tool", "tool_call_id": "c1", "content": str(2 * n)},
        ]
    messages.append({"role": "assistant", "reasoning_content": f"{n} doubled.", "content": str(2 * n)})
    out = {"messages": messages}
    if n % 3 == 0:
        out["tools"] = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]
    return out


CORPUS = [json.dumps(record(n)) for n in range(24)]


@pytest.fixture(scope="module")
def expected():
    examples = render_examples(enc, CORPUS, mask=MASK, source="openai", start_date=START_DATE)
    return [(e.input_ids, list(e.loss_mask), e.labels()) for e in examples]


def rows_of(columns):
    return [tuple(list(map(int, columns[name][i])) for name in COLUMNS) for i in range(len(columns["input_ids"]))]


def test_the_mapper_writes_trls_pretokenized_columns_as_numpy_arrays(expected):
    mapper = HarmonyMapper(MASK, source="openai", column="record", start_date=START_DATE)
    columns = mapper({"record": CORPUS[:4]})
    assert set(columns) == {"input_ids", "assistant_masks", "labels"}
    assert all(isinstance(value, np.ndarray) for values in columns.values() for value in values)
    assert rows_of(columns) == expected[:4]


def test_datasets_map_with_two_processes_gives_the_examples_of_render_examples(expected, tmp_path):
    datasets = pytest.importorskip("datasets", reason="the test extra installs datasets")
    dataset = datasets.Dataset.from_dict({"record": CORPUS})
    mapped = dataset.map(
        HarmonyMapper(MASK, source="openai", column="record", start_date=START_DATE),
        batched=True, batch_size=5, num_proc=2, remove_columns=["record"],
        cache_file_name=str(tmp_path / "mapped.arrow"),
    )
    assert mapped.column_names == list(COLUMNS)
    assert [tuple(row[name] for name in COLUMNS) for row in mapped] == expected


@pytest.fixture(scope="session")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="the test extra installs ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_data_map_batches_with_two_actors_gives_the_examples_of_render_examples(ray_cluster, expected):
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    dataset = ray.data.from_items([{"record": line} for line in CORPUS]).map_batches(
        HarmonyMapper,
        fn_constructor_kwargs={"mask": MASK, "source": "openai", "column": "record", "start_date": START_DATE},
        batch_size=5, compute=ray.data.ActorPoolStrategy(size=2),
    )
    rows = dataset.take_all()
    got = [tuple(list(map(int, row[name])) for name in COLUMNS) for row in rows]
    assert sorted(got) == sorted(expected)  # Ray does not keep the order unless asked
