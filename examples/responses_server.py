"""An OpenAI-compatible server for gpt-oss in one file: /v1/responses and
/v1/chat/completions over any engine that turns prompt tokens into completion
tokens. fastharmony does all of the Harmony side; the engine only samples.

    pip install 'fastharmony[server]'
    python examples/responses_server.py --port 8000       # a demo engine

    from openai import OpenAI
    client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="-")
    client.responses.create(model="gpt-oss-120b", input="Hi").output_text

An engine is a callable `engine(prompt_tokens) -> iterable of token ids`: the
tokens the model samples after the prompt, one at a time (vLLM's, SGLang's or
transformers' generate loop, wrapped). The server stops reading at a stop
token (`<|return|>`, `<|call|>`) or at max_output_tokens / max_tokens, which
makes the answer incomplete (status "incomplete", finish_reason "length").

Sans-I/O underneath: the request and completion logic is fastharmony's
(`fastharmony.responses`, `fastharmony.chat`); this file only moves bytes.
Stored responses (for previous_response_id) live in memory. Built-in tools
(web_search, code_interpreter) are offered to the model and their calls
returned to the client; executing them is left to a real deployment.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from fastharmony import HarmonyError, chat, load_harmony_encoding, responses

Engine = Callable[[List[int]], Iterable[int]]


def create_app(engine: Engine, *, encoding=None, store: Optional[Dict[str, Any]] = None) -> Starlette:
    """The ASGI app: POST /v1/responses, POST /v1/chat/completions, GET /v1/models."""
    encoding = encoding or load_harmony_encoding("HarmonyGptOss")
    stops = frozenset(encoding.stop_tokens_for_assistant_actions())
    stored: Dict[str, Any] = {} if store is None else store  # response id -> its input and output items

    def sample(prompt: List[int], limit: Optional[int]) -> Iterator[Tuple[int, bool]]:
        """(token, truncated) pairs: the engine's tokens up to a stop token or the limit."""
        count = 0
        for token in engine(prompt):
            if limit is not None and count >= limit:
                yield -1, True
                return
            count += 1
            yield token, False
            if token in stops:
                return

    async def create_response(request: Request):
        body = await _json_body(request)
        previous = None
        if body.get("previous_response_id") is not None:
            previous = stored.get(body["previous_response_id"])
            if previous is None:
                return _error(404, f"previous_response_id: no response {body['previous_response_id']!r:.80}", "previous_response_id")
        prompt = responses.render_request(encoding, body, previous=previous)
        limit = body.get("max_output_tokens")
        usage = {"input_tokens": len(prompt)}
        stream = responses.ResponsesStream(encoding, request=body)

        def remember() -> None:
            items = body["input"] if isinstance(body.get("input"), list) else [{"role": "user", "content": body.get("input", "")}]
            stored[stream.response["id"]] = [*(previous or []), *items, *stream.response["output"]]

        if body.get("stream"):

            def events() -> Iterator[str]:
                yield from map(_sse, stream.start())
                truncated = False
                for token, truncated in sample(prompt, limit):
                    if not truncated:
                        yield from map(_sse, stream.push(token))
                yield from map(_sse, stream.finish(truncated, usage))
                remember()

            return StreamingResponse(events(), media_type="text/event-stream")

        def run() -> Dict[str, Any]:
            tokens, truncated = [], False
            for token, truncated in sample(prompt, limit):
                if not truncated:
                    tokens.append(token)
            stream.push(tokens)
            stream.finish(truncated, usage)
            remember()
            return stream.response

        return JSONResponse(await run_in_threadpool(run))

    async def create_chat_completion(request: Request):
        body = await _json_body(request)
        prompt = chat.render_request(encoding, body)
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        completion_id, created, model = "chatcmpl-" + secrets.token_hex(12), int(time.time()), body.get("model", "gpt-oss")
        head = {"id": completion_id, "created": created, "model": model}

        if body.get("stream"):

            def chunks() -> Iterator[str]:
                stream = chat.ChatStream(encoding)
                truncated = False
                for token, truncated in sample(prompt, limit):
                    if not truncated:
                        for delta in stream.push(token):
                            yield _sse_data(_chunk(head, delta, None))
                reason = stream.finish(truncated)
                yield _sse_data(_chunk(head, {}, reason))
                yield "data: [DONE]\n\n"

            return StreamingResponse(chunks(), media_type="text/event-stream")

        def run() -> Dict[str, Any]:
            tokens, truncated = [], False
            for token, truncated in sample(prompt, limit):
                if not truncated:
                    tokens.append(token)
            choice = chat.message_from_completion(encoding, tokens, truncated=truncated)
            usage = {"prompt_tokens": len(prompt), "completion_tokens": len(tokens), "total_tokens": len(prompt) + len(tokens)}
            return {**head, "object": "chat.completion", "choices": [choice], "usage": usage}

        return JSONResponse(await run_in_threadpool(run))

    async def list_models(request: Request):
        return JSONResponse({"object": "list", "data": [{"id": "gpt-oss", "object": "model", "created": 0, "owned_by": "fastharmony"}]})

    async def refuse(request: Request, exc: HarmonyError):
        return _error(400, str(exc), None)

    return Starlette(
        routes=[
            Route("/v1/responses", create_response, methods=["POST"]),
            Route("/v1/chat/completions", create_chat_completion, methods=["POST"]),
            Route("/v1/models", list_models, methods=["GET"]),
        ],
        exception_handlers={HarmonyError: refuse},
    )


async def _json_body(request: Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HarmonyError("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise HarmonyError("request: expected a JSON object")
    return body


def _error(status: int, message: str, param: Optional[str]) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}, status)


def _sse(event: Dict[str, Any]) -> str:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"


def _sse_data(payload: Dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _chunk(head: Dict[str, Any], delta: Dict[str, Any], finish_reason: Optional[str]) -> Dict[str, Any]:
    return {**head, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


def demo_engine(encoding) -> Engine:
    """Answers every prompt with a short reasoning and a final answer (no model)."""
    answer = encoding.encode(
        "<|channel|>analysis<|message|>The demo engine always says this.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Hello from fastharmony's demo engine.<|return|>",
        allowed_special="all",
    )
    return lambda prompt: iter(answer)


def main(argv: Optional[List[str]] = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    encoding = load_harmony_encoding("HarmonyGptOss")
    uvicorn.run(create_app(demo_engine(encoding), encoding=encoding), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
