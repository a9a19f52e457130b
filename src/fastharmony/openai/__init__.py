# The OpenAI API adapters: request bodies (dicts) into Harmony prompts, and
# completion tokens back into the API's responses and stream events.
#
#     chat.py           Chat Completions (also importable as fastharmony.chat)
#     responses.py      Responses (also importable as fastharmony.responses)
#     _reader.py        the tolerant token reader both adapters are views over
#     _chat_request.py  a Chat Completions request -> Conversation
#     _chat_completion.py  tokens -> Chat Completions message and deltas
#
# Nothing is imported here: `import fastharmony.openai.chat` loads only chat.
"""OpenAI API adapters for Harmony: `fastharmony.openai.chat` (Chat
Completions) and `fastharmony.openai.responses` (Responses)."""
