# OpenAI Chat Completions <-> Harmony: the glue every gpt-oss server writes,
# written once, on fastharmony's public API (and the documented internal
# helpers for errors and token ids).
#
#     conversation_from_request(request)      request body (dict) -> Conversation
#     render_request(encoding, request)       request body -> prompt tokens
#     message_from_completion(encoding, toks) completion tokens -> choice dict
#     ChatStream(encoding)                    completion tokens -> chunk deltas
#
# The request side is in _chat_request.py, the completion side (a view over
# the shared token reader, for streaming and batch) in _chat_completion.py.
# Also importable as `fastharmony.chat`.
#
# Conventions. "Guide" is the Harmony format guide (openai/harmony,
# docs/format.md); the server bugs cited are in vLLM's harmony_utils.py, the
# most used of these adapters.
#
# Request -> conversation
# - A system message: the model identity, knowledge cutoff and current date
#   (given, or today), `reasoning_effort` (low, medium, high; anything else is
#   refused: gpt-oss has those three), the required channels. `commentary` is
#   offered only when function tools are, as vLLM does: it is the channel of
#   function calls and their preambles (guide, "Channels"); the renderer then
#   adds "Calls to these tools must go to the commentary channel: 'functions'."
# - A developer message, only when there is something to put in it: the
#   request's `system` and `developer` messages, in order, joined by a blank
#   line, as its instructions (guide: the developer message is "what is
#   commonly considered the system prompt"); the `function` tools (name,
#   description, parameters) in the `functions` namespace, unless
#   `tool_choice` is "none"; and `response_format` of type `json_schema` as a
#   `# Response Formats` section at its end (guide, "Structured output"):
#   `## {name}`, `// {description}`, the schema as compact JSON. Other
#   `tool_choice` values and `json_object` leave the prompt as it is: Harmony
#   has no way to say them, constrained decoding must enforce them.
# - Content: a string, or text parts joined by newlines (as vLLM's generic
#   chat path joins them). Image, audio and file parts are refused: gpt-oss
#   reads text only.
# - An assistant message becomes, in this order: its `reasoning_content` (or
#   `reasoning`) on `analysis`; its `content` (or `refusal`) on `final`, or on
#   `commentary` as the preamble (guide, "Preambles") when the message also
#   has tool calls; each tool call as `commentary` `to=functions.NAME` with
#   content type `<|constrain|>json` and the arguments as content (guide,
#   "Receiving tool calls"). vLLM puts the preamble before the reasoning, and
#   earlier versions dropped both beside tool calls.
# - A `tool` message is authored by `functions.NAME`, NAME being that of the
#   earlier tool call with its `tool_call_id` (else its explicit `name`),
#   `to=assistant` on `commentary` (guide, "Handling tool calls"). vLLM used
#   the `name` field, which the SDK does not send, and wrote `functions.`.
#   An id no earlier call has, without a `name`, is an error.
# - Reasoning that led to a final answer is left out; reasoning after the
#   last final answer (a chain of tool calls in progress) is kept (guide,
#   "Handling reasoning output in subsequent sampling"). The reference's
#   `auto_drop_analysis` does this only when the last assistant message is a
#   final answer, and then only before the first one: after a second turn
#   that calls a tool, it would render the first turn's reasoning again. The
#   conversation is then rendered with the reference's default, which has
#   nothing left to drop.
#   `conversation_from_request(..., keep_reasoning=True)` keeps all of it: a
#   transcript to train on, not a prompt (fastharmony.training uses it).
#
# Completion tokens -> message
# - `analysis` -> `reasoning_content`; `final`, and `commentary` without a
#   recipient (a preamble) -> `content`; any other channel -> reasoning, so
#   that no unvetted text reaches the user as an answer.
# - A message `to=functions.X`, on any channel, -> a tool call named X; also
#   with the recipient in the role part (`<|start|>assistant to=functions.X
#   <|channel|>…`, and `<|start|>functions.X<|channel|>commentary json…`), and
#   `to=X` without the namespace (vLLM PR 42454 saw both "in the real world").
#   Messages to the built-in tools (`python`, `browser.*`, `container.*`) and
#   to unknown namespaces count as reasoning: shown as thought, never as an
#   answer or a call, never dropped (the Responses adapter applies the same
#   rule, with items of their own for `browser.*` and `python`). A message in
#   a tool's name (the model imitating its answer) is dropped in both.
# - Several messages routed to one field are joined by a newline (as vLLM).
# - A completion may end anywhere: without `<|call|>` (servers strip stop
#   tokens), or cut by max_tokens. The message in progress counts as it
#   stands; an incomplete trailing character is left out; an unfinished header
#   yields nothing. Unreadable headers and stray text are skipped up to the
#   next `<|start|>`. A stop token before `<|message|>` is recovered as the
#   parser's non-strict mode does; when that fails, the next `<|start|>`
#   still begins a new message. (These are the rules of the token reader
#   both adapters share, openai/_reader.py.)
# - `finish_reason`: "length" when truncated, else "tool_calls" when there is
#   one, else "stop". Tool-call ids are "call_" and 24 random hex digits.

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, Union

from .. import Role
from ._chat_completion import ChatStream, message_from_completion
from ._chat_request import conversation_from_request

__all__ = ["ChatStream", "conversation_from_request", "message_from_completion", "render_request"]


def render_request(
    encoding,
    request: Dict[str, Any],
    *,
    start_date: Union[str, datetime.date, None] = None,
    model_identity: Optional[str] = None,
    knowledge_cutoff: Optional[str] = None,
) -> List[int]:
    """The prompt tokens for a Chat Completions request, ending with the
    assistant's turn to speak (`<|start|>assistant`). Sample until one of
    `encoding.stop_tokens_for_assistant_actions()`.

    >>> tokens = render_request(enc, {"messages": [{"role": "user", "content": "Hi"}]})
    >>> enc.decode(tokens[-7:])
    '<|start|>user<|message|>Hi<|end|><|start|>assistant'
    """
    conversation = conversation_from_request(
        request, start_date=start_date, model_identity=model_identity, knowledge_cutoff=knowledge_cutoff
    )
    return encoding.render_conversation_for_completion(conversation, Role.ASSISTANT)
