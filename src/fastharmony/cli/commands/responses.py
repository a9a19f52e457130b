# The command-line face of fastharmony.responses: responses-render, responses-parse.

from __future__ import annotations

from .._inputs import decode_json, read_tokens
from .._options import arg, command
from .._walk import decoded_bytes, encoding
from .chat import _date, _month


@command(
    arg("--start-date", metavar="YYYY-MM-DD", type=_date, help="the system message's current date (default: today)"),
    arg("--model-identity", metavar="TEXT", help="the system message's identity line"),
    arg("--knowledge-cutoff", metavar="YYYY-MM", type=_month,
        help="the system message's knowledge cutoff (default: 2024-06)"),
)  # fmt: skip
def responses_render(args, io):
    """Render an OpenAI Responses API request body as the Harmony prompt,
    ending with the assistant's turn to speak (see fastharmony.responses).

      $ echo '{"input":"Hi","reasoning":{"effort":"low"}}' | fastharmony responses-render --start-date 2025-01-01 | fastharmony decode | tail -n 1
      # Valid channels: analysis, final. Channel must be included for every message.<|end|><|start|>user<|message|>Hi<|end|><|start|>assistant
    """
    from fastharmony import responses

    request = decode_json(io.read("a Responses API request as JSON"))
    io.write_json(
        responses.render_request(
            encoding(),
            request,
            start_date=args.start_date,
            model_identity=args.model_identity,
            knowledge_cutoff=args.knowledge_cutoff,
        )
    )


@command(
    arg("--truncated", action="store_true",
        help="generation stopped at max_output_tokens: the response is incomplete"),
    arg("--request", metavar="JSON", help="the request body the response answers (default: {})"),
    arg("--sequential-ids", action="store_true",
        help="ids numbered in order (resp_0, msg_1, ...) and created_at 0, for reproducible output"),
)  # fmt: skip
def responses_parse(args, io):
    """Turn the tokens a model generated after a responses-render prompt into
    a Responses API Response (JSON).

      $ echo '[200005,17196,200008,12194,200002]' | fastharmony responses-parse --sequential-ids
      {"id":"resp_0","object":"response","created_at":0,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-oss","output":[{"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}],"phase":"final_answer"}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":null},"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":0,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5},"metadata":{}}
    """
    import itertools

    from fastharmony import responses

    request = decode_json(args.request) if args.request is not None else {}
    tokens = read_tokens(io)
    enc = encoding()
    decoded_bytes(enc, tokens)  # names the first invalid id and its index
    options = {}
    if args.sequential_ids:
        counter = itertools.count()
        options = {"ids": lambda prefix: f"{prefix}_{next(counter)}", "created_at": 0}
    io.write_json(responses.response_from_completion(enc, tokens, request=request, truncated=args.truncated, **options))
