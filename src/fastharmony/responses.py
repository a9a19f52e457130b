# `fastharmony.responses`: the Responses API adapter, whose home is
# fastharmony.openai.responses (beside the chat adapter, on the same token
# reader); this is its public name.
"""The Responses API adapter; the conventions are in `fastharmony.openai.responses`."""

from .openai.responses import (
    ResponsesStream,
    conversation_from_request,
    output_items_from_completion,
    render_request,
    response_from_completion,
)

__all__ = [
    "ResponsesStream",
    "conversation_from_request",
    "output_items_from_completion",
    "render_request",
    "response_from_completion",
]
