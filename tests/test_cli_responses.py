"""`fastharmony responses-render` and `responses-parse`, run in-process: the
CLI prints what fastharmony.responses returns, and refuses bad input with a
message naming it."""

import json

from cli_runner import run_cli
from responses_checks import counting_ids, enc, sdk_response, tokens_of

from fastharmony.responses import render_request, response_from_completion

REQUEST = {"model": "gpt-oss-120b", "input": "Hi", "instructions": "Answer briefly.", "reasoning": {"effort": "low"}}


def ok(*argv, input=b""):
    result = run_cli(list(argv), input)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return json.loads(result.stdout)


def test_responses_render_prints_the_prompt_tokens():
    tokens = ok("responses-render", "--start-date", "2025-01-01", "--model-identity", "You are terse.",
                "--knowledge-cutoff", "2024-01", input=json.dumps(REQUEST))  # fmt: skip
    options = {"start_date": "2025-01-01", "model_identity": "You are terse.", "knowledge_cutoff": "2024-01"}
    assert tokens == render_request(enc, REQUEST, **options)


def test_responses_parse_prints_the_response():
    tokens = tokens_of("<|channel|>analysis<|message|>Hm.<|end|><|start|>assistant<|channel|>final<|message|>Hi!<|return|>")
    printed = ok("responses-parse", "--sequential-ids", "--request", json.dumps(REQUEST), input=json.dumps(tokens))
    expected = response_from_completion(enc, tokens, request=REQUEST, ids=counting_ids(), created_at=0)
    assert printed == expected
    sdk_response(printed)


def test_responses_parse_truncated_is_incomplete():
    tokens = tokens_of("<|channel|>final<|message|>Hel")
    printed = ok("responses-parse", "--truncated", input=json.dumps(tokens))
    assert printed["status"] == "incomplete" and printed["incomplete_details"] == {"reason": "max_output_tokens"}
    assert printed["output"][0]["status"] == "incomplete"


def test_bad_input_is_refused_naming_it():
    result = run_cli(["responses-render"], json.dumps({"input": [{"type": "function_call_output", "call_id": "x", "output": ""}]}))
    assert result.returncode == 1 and b"input[0].call_id" in result.stderr
    result = run_cli(["responses-parse"], "[1, -1]")
    assert result.returncode == 1 and b"tokens[1]" in result.stderr
    result = run_cli(["responses-parse", "--request", "{not json"], "[]")
    assert result.returncode != 0 and result.stderr
