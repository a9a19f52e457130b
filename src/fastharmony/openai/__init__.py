# The OpenAI API adapters: request bodies (dicts) into Harmony prompts, and
# completion tokens back into the API's responses and stream events.
#
#     chat.py                 Chat Completions: conventions, render_request
#                             (also importable as fastharmony.chat)
#     responses.py            Responses: conventions, render_request
#                             (also importable as fastharmony.responses)
#     _reader.py              the tolerant token reader both adapters are views over
#     _chat_request.py        a Chat Completions request -> Conversation, and the
#                             parts the Responses request shares with it
#     _chat_completion.py     tokens -> Chat Completions message and deltas
#     _responses_request.py   a Responses request -> Conversation
#     _responses_output.py    tokens -> Responses output items and stream events
#     _json.py                request values written as JSON, refused with their path
#
# Nothing is imported here: `import fastharmony.openai.chat` loads only chat.
"""OpenAI API adapters for Harmony: `fastharmony.openai.chat` (Chat
Completions) and `fastharmony.openai.responses` (Responses)."""
