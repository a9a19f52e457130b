"""examples/responses_server.py, a real server on 127.0.0.1 (uvicorn in a
thread, a free port), driven by the official `openai` client against an
engine that replays scripted completions and records the prompts it gets."""

import importlib.util
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from openai import OpenAI

from fastharmony import load_harmony_encoding

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "responses_server.py"
enc = load_harmony_encoding("HarmonyGptOss")
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Gets the weather.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def _load_example():
    spec = importlib.util.spec_from_file_location("responses_server", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ScriptedEngine:
    """Replays the completions it is given, in order; remembers each prompt."""

    def __init__(self):
        self.script = []
        self.prompts = []

    def say(self, *completions):
        self.script += [enc.encode(text, allowed_special="all") for text in completions]

    def __call__(self, prompt):
        self.prompts.append(list(prompt))
        return iter(self.script.pop(0))

    def last_prompt(self):
        return enc.decode(self.prompts[-1])


@pytest.fixture(scope="module")
def server():
    engine = ScriptedEngine()
    app = _load_example().create_app(engine, encoding=enc)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = uv.servers[0].sockets[0].getsockname()[1]
    client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="test", max_retries=0)
    yield engine, client
    uv.should_exit = True
    thread.join(10)


ANSWER = "<|channel|>analysis<|message|>Greet.<|end|><|start|>assistant<|channel|>final<|message|>Hello there!<|return|>"


def test_responses_create(server):
    engine, client = server
    engine.say(ANSWER)
    response = client.responses.create(model="gpt-oss-120b", input="Hi", instructions="Be warm.")
    assert response.status == "completed" and response.output_text == "Hello there!"
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.usage.input_tokens == len(engine.prompts[-1])
    assert engine.last_prompt().endswith("<|start|>user<|message|>Hi<|end|><|start|>assistant")
    assert "Be warm." in engine.last_prompt()


def test_responses_create_streaming(server):
    engine, client = server
    engine.say(ANSWER)
    events = list(client.responses.create(model="gpt-oss-120b", input="Hi", stream=True))
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[-1].type == "response.completed"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "Hello there!"
    assert events[-1].response.output_text == "Hello there!"


def test_responses_stream_helper(server):
    engine, client = server
    engine.say(ANSWER)
    with client.responses.stream(model="gpt-oss-120b", input="Hi") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text == "Hello there!"


def test_a_function_call_round_trip(server):
    engine, client = server
    engine.say(
        "<|channel|>analysis<|message|>Need the weather.<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Oslo"}<|call|>',
        "<|channel|>final<|message|>Sunny in Oslo.<|return|>",
    )
    first = client.responses.create(model="gpt-oss-120b", input="Weather in Oslo?", tools=[WEATHER])
    (call,) = [item for item in first.output if item.type == "function_call"]
    assert (call.name, call.arguments) == ("get_weather", '{"city":"Oslo"}')
    second = client.responses.create(
        model="gpt-oss-120b",
        previous_response_id=first.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"sky":"sunny"}'}],
    )
    assert second.output_text == "Sunny in Oslo."
    prompt = engine.last_prompt()
    assert '<|start|>user<|message|>Weather in Oslo?<|end|>' in prompt
    assert '<|channel|>analysis<|message|>Need the weather.<|end|>' in prompt  # a chain of calls keeps its reasoning
    assert '<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"sky":"sunny"}<|end|>' in prompt


def test_a_truncated_answer_is_incomplete(server):
    engine, client = server
    engine.say(ANSWER)
    response = client.responses.create(model="gpt-oss-120b", input="Hi", max_output_tokens=10)
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens == 10
    engine.say(ANSWER)
    events = list(client.responses.create(model="gpt-oss-120b", input="Hi", max_output_tokens=10, stream=True))
    assert events[-1].type == "response.incomplete"
    streamed = events[-1].response
    assert streamed.status == "incomplete" and streamed.usage == response.usage
    assert [i.model_dump(exclude={"id"}) for i in streamed.output] == [i.model_dump(exclude={"id"}) for i in response.output]


def test_chat_completions(server):
    engine, client = server
    engine.say(ANSWER)
    completion = client.chat.completions.create(model="gpt-oss-120b", messages=[{"role": "user", "content": "Hi"}])
    assert completion.choices[0].message.content == "Hello there!"
    assert completion.choices[0].finish_reason == "stop"
    engine.say(ANSWER)
    chunks = list(client.chat.completions.create(model="gpt-oss-120b", messages=[{"role": "user", "content": "Hi"}], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello there!"
    assert chunks[-1].choices[0].finish_reason == "stop"
    engine.say(ANSWER)
    cut = client.chat.completions.create(model="gpt-oss-120b", messages=[{"role": "user", "content": "Hi"}], max_tokens=3)
    assert cut.choices[0].finish_reason == "length"


def test_a_bad_request_is_a_400_naming_the_field(server):
    import openai

    _, client = server
    with pytest.raises(openai.BadRequestError, match=r"reasoning\.effort"):
        client.responses.create(model="gpt-oss-120b", input="Hi", reasoning={"effort": "minimal"})
