# OpenAI Responses API <-> Harmony: the glue every gpt-oss server writes,
# written once, on the token reader the Chat Completions adapter also uses.
# Dicts in and out, no I/O, no pydantic.
#
#     conversation_from_request(request)        request body (dict) -> Conversation
#     render_request(encoding, request)         request body -> prompt tokens
#     response_from_completion(encoding, toks)  completion tokens -> Response dict
#     output_items_from_completion(...)         ... -> its output items
#     ResponsesStream(encoding, request=...)    completion tokens -> stream events
#
# The request side is in _responses_request.py, the output side (one state
# machine for streaming and batch) in _responses_output.py.
#
# Conventions. Where the two APIs say the same thing, the chat adapter's rule
# applies (see chat.py for the reasons).
#
# Request -> conversation
# - A system message: model identity, knowledge cutoff, date (given, or
#   today); `reasoning.effort` "low", "medium" (the default) or "high", other
#   values refused (gpt-oss has those three); the browser tool's namespace
#   when a `web_search`-type tool (web_search, web_search_preview and their
#   dated names, gpt-oss's browser_search) is requested, the python tool's
#   when `code_interpreter` is (or as `builtin_tools` says, overriding);
#   `commentary` among the channels only with function tools.
# - A developer message when there is something to put in it: `instructions`
#   and then the system and developer input messages, in order, joined by a
#   blank line; the `function` tools (unless `tool_choice` is "none", which
#   also leaves the built-in tools out); `text.format` of type json_schema as
#   the `# Response Formats` section. Other tools (file_search, mcp, ...) are
#   refused. Other tool_choice values and json_object leave the prompt as it
#   is (constrained decoding enforces them).
# - `input`: a string is one user message; else items, after those of
#   `previous` (the input and output items of the response named by
#   `previous_response_id`: storage stays the server's):
#   - `message`: user -> user; assistant -> `final`, or `commentary` when its
#     `phase` is "commentary" (a preamble); content a string or text parts
#     (input_text, output_text, refusal) joined by newlines; images, files
#     and audio refused (gpt-oss reads text only).
#   - `reasoning` -> `analysis`: its content's text, else its summary's;
#     an item with only `encrypted_content` cannot be read and is left out.
#   - `function_call` -> `commentary to=functions.NAME <|constrain|>json`,
#     the arguments as the content.
#   - `function_call_output` -> a message from `functions.NAME`, NAME that of
#     the latest earlier function_call with its call_id (a call_id used twice:
#     the newer call wins); no such call -> error naming `input[i].call_id`.
#   - `web_search_call` -> `analysis to=browser.search|open|find code`, its
#     action as the arguments ({"query"}, {"id": url}, {"pattern"});
#     `code_interpreter_call` -> `analysis to=python code` with the code, and
#     its `logs` outputs as the python tool's answer.
#   - Reasoning of turns that ended in a final answer is left out; reasoning
#     since the last final answer (a chain of calls in progress) is kept.
#
# Completion tokens -> output items: one item per Harmony message, in order
# - `final` -> `message` (`msg_…`, phase "final_answer") with one
#   `output_text`; `commentary` without a recipient (a preamble) -> `message`
#   too (phase "commentary").
# - `analysis` -> `reasoning` (`rs_…`) with one `reasoning_text` part; empty
#   summary.
# - `functions.X` (and the chat adapter's other call forms) ->
#   `function_call` (`fc_…`, call_id `call_…`), arguments verbatim even when
#   not valid JSON.
# - `browser.search`, `browser.open`, `browser.find` -> `web_search_call`
#   (`ws_…`) with the SDK's action types search / open_page / find_in_page:
#   the query, the URL when the arguments give one as a string (`url`, or
#   `id`), the pattern; what is missing stays empty (None, or "" where the
#   SDK requires a string). `python` -> `code_interpreter_call` (`ci_…`) with
#   the code, `outputs` None, and the code_interpreter tool's container when
#   the request names one as a string, else a new `cntr_…` id.
# - Any other recipient (a tool gpt-oss was not given: `container.exec`,
#   `repo_browser.x`) -> `reasoning`, as the chat adapter routes it to
#   `reasoning_content`: shown as thought, never as an answer or a call,
#   never dropped. A message the model writes in a tool's name (imitating its
#   answer) is dropped, in both adapters: it is not the assistant's output.
# - Truncation (`truncated=True`: the engine stopped at max_output_tokens) ->
#   status "incomplete", incomplete_details.reason "max_output_tokens"; the
#   item it cut is "incomplete"; a header it cut yields no item; a character
#   it cut is left out. Never an exception. Without `truncated`, tokens that
#   end inside a message close it as completed (servers strip stop tokens).
# - Usage: the counts the caller passes (e.g. {"input_tokens": len(prompt)});
#   output_tokens defaults to the tokens pushed, reasoning_tokens to the
#   tokens of the reasoning items (header and stop token included), total to
#   the sum, the others to 0.
# - Streaming: response.created, response.in_progress; per item
#   output_item.added (status in_progress), then for messages and reasoning
#   content_part.added, output_text.delta / reasoning_text.delta,
#   output_text.done / reasoning_text.done, content_part.done; for calls
#   function_call_arguments.delta and .done; web searches
#   web_search_call.in_progress and .completed (the action is in the done
#   item: it cannot be known before the arguments end); python
#   code_interpreter_call.in_progress, code_interpreter_call_code.delta and
#   .done, code_interpreter_call.completed; then output_item.done; finally
#   response.completed or response.incomplete with the whole Response.
#   sequence_number runs from 0, output_index from 0, without gaps.
# - The Response echoes the request (model, instructions, tools, tool_choice,
#   text, reasoning, temperature, top_p, metadata, ...) with OpenAI's
#   defaults; ids come from `ids(prefix)` (default: random hex).

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, Union

from .. import Role
from ._responses_output import ResponsesStream, output_items_from_completion, response_from_completion
from ._responses_request import conversation_from_request

__all__ = [
    "ResponsesStream",
    "conversation_from_request",
    "output_items_from_completion",
    "render_request",
    "response_from_completion",
]


def render_request(
    encoding,
    request: Dict[str, Any],
    *,
    previous: Optional[List[Dict[str, Any]]] = None,
    start_date: Union[str, datetime.date, None] = None,
    model_identity: Optional[str] = None,
    knowledge_cutoff: Optional[str] = None,
    builtin_tools: Optional[List[str]] = None,
) -> List[int]:
    """The prompt tokens for a Responses API request, ending with the
    assistant's turn to speak (`<|start|>assistant`). Sample until one of
    `encoding.stop_tokens_for_assistant_actions()`.

    >>> tokens = render_request(enc, {"input": "Hi"})
    >>> enc.decode(tokens[-7:])
    '<|start|>user<|message|>Hi<|end|><|start|>assistant'
    """
    conversation = conversation_from_request(
        request,
        previous=previous,
        start_date=start_date,
        model_identity=model_identity,
        knowledge_cutoff=knowledge_cutoff,
        builtin_tools=builtin_tools,
    )
    return encoding.render_conversation_for_completion(conversation, Role.ASSISTANT)
