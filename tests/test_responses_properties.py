"""Property-based tests of the Responses adapter.

- Random completions (the chat property tests' parts: analysis, preambles,
  calls in every header form, built-in calls, finals, with emoji, CJK and
  Harmony-looking text; the last stop token sometimes missing) give one item
  per part, saying what the part says; streamed in random splits (inside
  characters too) and token by token, the events validate against the SDK's
  types and its accumulator ends with the same Response.
- Random truncations and token soup never raise and stream as they parse.
- Output items put back into the next request (`previous`) render as the
  model wrote them: nothing lost or moved between turns; a final answer
  comes back without its reasoning.
"""

from hypothesis import given
from hypothesis import strategies as st
from responses_checks import check_events, counting_ids, enc, sdk_response, stream_events
from test_chat_properties import ASSISTANT_HEADER, names, ordinary, parts, render_parts, splits, texts, tokens_of

from fastharmony.responses import output_items_from_completion, render_request, response_from_completion

REQUEST = {"model": "gpt-oss-120b", "input": "Hi", "tools": [{"type": "code_interpreter", "container": "cntr_1"}]}


def expected_items(parts):
    out = []
    for part in parts:
        kind = part[0]
        if kind == "call":
            out.append(("function_call", part[1], part[2]))
        elif kind == "builtin":
            out.append(("code_interpreter_call", part[2]) if part[1] == "python" else ("web_search_call", part[1]))
        elif kind == "analysis":
            out.append(("reasoning", part[1]))
        else:
            out.append(("message", "final_answer" if kind == "final" else "commentary", part[1]))
    return out


def item_shapes(response):
    out = []
    for item in response["output"]:
        kind = item["type"]
        if kind == "function_call":
            out.append((kind, item["name"], item["arguments"]))
        elif kind == "code_interpreter_call":
            out.append((kind, item["code"]))
        elif kind == "web_search_call":
            out.append((kind, {"search": "browser.search", "open_page": "browser.open"}[item["action"]["type"]]))
        elif kind == "reasoning":
            out.append((kind, item["content"][0]["text"]))
        else:
            out.append((kind, item["phase"], item["content"][0]["text"]))
    return out


def check_every_split(draw, tokens, truncated):
    response = response_from_completion(
        enc, tokens, request=REQUEST, truncated=truncated, response_id="resp_1", created_at=1, ids=counting_ids()
    )
    sdk_response(response)
    for pushes in (splits(draw, len(tokens)), [1] * len(tokens)):
        assert check_events(stream_events(tokens, pushes, REQUEST, truncated), REQUEST) == response
    return response


@given(st.lists(parts(), max_size=5), st.booleans(), st.data())
def test_a_completion_gives_one_item_per_message_in_any_split(parts, drop_last_stop, data):
    tokens = render_parts(parts, drop_last_stop)
    response = check_every_split(data.draw, tokens, truncated=False)
    assert item_shapes(response) == expected_items(parts)
    assert response["status"] == "completed"


@given(st.lists(parts(), min_size=1, max_size=4), st.data())
def test_a_truncated_completion_is_incomplete_and_streams_as_it_parses(parts, data):
    tokens = render_parts(parts, False)
    cut = data.draw(st.integers(0, len(tokens)))
    response = check_every_split(data.draw, tokens[:cut], truncated=True)
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}


special = st.sampled_from(enc.encode("<|start|><|end|><|message|><|channel|><|call|><|return|><|constrain|>", allowed_special="all"))
soup = st.lists(st.one_of(special, st.integers(0, 200_000), st.sampled_from(enc.encode("assistant analysis final to=functions.f python browser.search 🦜"))), max_size=40)


@given(soup, st.booleans(), st.data())
def test_token_soup_never_raises_and_streams_as_it_parses(tokens, truncated, data):
    check_every_split(data.draw, tokens, truncated)


# -- output items back as input ----------------------------------------------------------------

WEATHER = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}, "strict": False}
non_empty = texts.filter(bool)


def render(input_items, previous=None):
    request = {"model": "gpt-oss-120b", "input": input_items, "tools": [WEATHER]}
    return render_request(enc, request, previous=previous, start_date="2025-06-28")


@given(non_empty, st.none() | non_empty, st.lists(st.tuples(names, texts), min_size=1, max_size=3))
def test_output_items_come_back_in_the_next_request_as_the_model_wrote_them(reasoning, preamble, calls):
    completion = tokens_of("<|channel|>analysis<|message|>") + ordinary(reasoning) + tokens_of("<|end|>")
    if preamble is not None:
        completion += tokens_of("<|start|>assistant<|channel|>commentary<|message|>") + ordinary(preamble) + tokens_of("<|end|>")
    for name, arguments in calls:
        completion += tokens_of(f"<|start|>assistant to=functions.{name}<|channel|>commentary <|constrain|>json<|message|>")
        completion += ordinary(arguments) + tokens_of("<|call|>")
    question = [{"role": "user", "content": "Go"}]
    items = output_items_from_completion(enc, completion, request={"input": question, "tools": [WEATHER]})
    outputs = [{"type": "function_call_output", "call_id": i["call_id"], "output": "{}"} for i in items if i["type"] == "function_call"]
    next_prompt = render(outputs, previous=question + items)
    expected = render(question) + completion
    for name, _ in calls:
        expected += tokens_of(f"<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>{{}}<|end|>")
    assert next_prompt == expected + ASSISTANT_HEADER


@given(texts, non_empty)
def test_a_final_answer_comes_back_without_its_reasoning(reasoning, final):
    completion = tokens_of("<|channel|>analysis<|message|>") + ordinary(reasoning) + tokens_of("<|end|>")
    completion += tokens_of("<|start|>assistant<|channel|>final<|message|>") + ordinary(final) + tokens_of("<|return|>")
    question = [{"role": "user", "content": "Go"}]
    items = output_items_from_completion(enc, completion, request={"input": question})
    next_prompt = render([{"role": "user", "content": "Thanks"}], previous=question + items)
    answer_tokens = tokens_of("<|start|>assistant<|channel|>final<|message|>") + ordinary(final) + tokens_of("<|end|>")
    user_tokens = tokens_of("<|start|>user<|message|>Thanks<|end|>")
    assert next_prompt == render(question)[: -len(ASSISTANT_HEADER)] + answer_tokens + user_tokens + ASSISTANT_HEADER
