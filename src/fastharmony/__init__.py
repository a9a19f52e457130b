"""fastharmony: OpenAI's Harmony format for gpt-oss, in pure Python.

A drop-in for `openai_harmony`: the same names, constructors and JSON shapes,
byte-identical tokens and identical parse results, with the o200k vocabulary
bundled so it works offline.

>>> from fastharmony import Conversation, Message, Role, load_harmony_encoding
>>> enc = load_harmony_encoding("HarmonyGptOss")
>>> convo = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
>>> enc.decode(enc.render_conversation_for_completion(convo, Role.ASSISTANT))
'<|start|>user<|message|>Hi<|end|><|start|>assistant'
"""

from typing import TYPE_CHECKING, Any

from ._encoding import HarmonyEncoding, load_harmony_encoding
from ._errors import HarmonyError
from ._parser import StreamableParser, StreamState
from ._render import MessageSpan
from ._model import (
    Author,
    ChannelConfig,
    Content,
    Conversation,
    DeveloperContent,
    HarmonyEncodingName,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)

__version__ = "0.1.0"

__all__ = [
    "Author",
    "ChannelConfig",
    "Content",
    "Conversation",
    "DeveloperContent",
    "HarmonyEncodingName",
    "HarmonyEncoding",
    "HarmonyError",
    "HtmlView",
    "Message",
    "MessageSpan",
    "ReasoningEffort",
    "RenderConversationConfig",
    "RenderOptions",
    "Role",
    "StreamState",
    "StreamableParser",
    "SystemContent",
    "TextContent",
    "ToolDescription",
    "ToolNamespaceConfig",
    "html_view",
    "load_harmony_encoding",
]


if TYPE_CHECKING:
    from ._html import HtmlView, html_view


def __getattr__(name: str) -> Any:
    # The HTML view is imported on first use: most programs never draw.
    if name in ("html_view", "HtmlView"):
        from . import _html

        return getattr(_html, name)
    raise AttributeError(f"module 'fastharmony' has no attribute {name!r}")
