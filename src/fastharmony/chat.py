# `fastharmony.chat`, where the Chat Completions adapter was first published:
# it lives in fastharmony.openai.chat now (beside the Responses adapter, on the
# same token reader); this name stays for the code that imports it.
"""The Chat Completions adapter; see `fastharmony.openai.chat`."""

from .openai.chat import ChatStream, conversation_from_request, message_from_completion, render_request

__all__ = ["ChatStream", "conversation_from_request", "message_from_completion", "render_request"]
