# Messages and conversations to tokens, exactly as openai-harmony renders them.
#
# A message renders as
#     <|start|>{header}<|message|>{content}<|end|>      (or <|call|>)
# where the header is the role (or, for tool messages, only the author name),
# `:name`, ` to={recipient}`, `<|channel|>{channel}` and ` {content_type}`, and
# every text piece is encoded on its own with `encode_ordinary`: no text, however
# it is spelled, becomes a special token. Only the `<|constrain|>` prefix of a
# content type is rendered as the special token, as the format defines.
#
# Rules of this file:
# - ONE render loop (`Renderer.render_into`) renders single messages,
#   conversations, completion prompts and training examples; it can record
#   each message's token span, and that costs one `is not None` test per
#   message when not asked.
# - Dialects differ in the header only (see DIALECTS): everything else is
#   shared.
# - Whether a conversation has function tools is decided from every message's
#   content, dropped ones included, as the reference decides it.
#
# Theory of operation. A header depends only on five short strings, and a
# conversation repeats a handful of them, so the token run from <|start|> to
# <|message|> and the end token are memoised per header (a bounded table). The
# content is encoded by tiktoken's compiled core; the work per message in
# Python is one dict lookup and three list extends.

from __future__ import annotations

from typing import AbstractSet, List, Optional

import msgspec

from ._errors import HarmonyError, HarmonyValueError, shown, unknown_role
from ._model import (
    DeveloperContent,
    ReasoningEffort,
    Role,
    SystemContent,
    TextContent,
)
from ._tokens import CALL, CHANNEL, CONSTRAIN, CONSTRAIN_MARKER, END, MESSAGE, START
from ._tools import CONVERSATION_TOOLS_DEPTH, MESSAGE_TOOLS_DEPTH, tools_section
from ._vocab import Tokenizer

__all__ = [
    "CONVERSATION_TOOLS_DEPTH",
    "DIALECTS",
    "MESSAGE_TOOLS_DEPTH",
    "MessageSpan",
    "Renderer",
    "auto_dropped",
    "spans_of",
]

# The dialects and how their headers differ, as flags:
#   (recipient after a `commentary` channel, `<|constrain|>` before every content type)
# 0.0.8 is openai-harmony 0.0.8; 0.0.11 is the fork oss-harmony 0.0.11, whose
# src/encoding.rs renders
#   R1: `<|channel|>commentary to=R` where 0.0.8 renders ` to=R<|channel|>commentary`
#       (only for the exact channel "commentary"; other channels keep 0.0.8's order);
#   R2: ` <|constrain|>json` where 0.0.8 renders ` json` (any content type that does
#       not already begin with `<|constrain|>`, on any channel; "" gives ` <|constrain|>`).
# Nothing else in its rendering differs from 0.0.8 (its Rust and Python sources
# were diffed against openai/harmony v0.0.8).
DIALECTS = {"0.0.8": (False, False), "0.0.11": (True, True)}

# Enum members read through their class cost an EnumType lookup (~70 ns in
# CPython 3.11) each time; the per-request loops read these instead.
_ASSISTANT = Role.ASSISTANT

_HEADER_CACHE_LIMIT = 4096
_MEMO_HEADER_CHARS = 256
_EFFORT_TEXT = {
    ReasoningEffort.LOW: "low",
    ReasoningEffort.MEDIUM: "medium",
    ReasoningEffort.HIGH: "high",
}


class MessageSpan(msgspec.Struct, frozen=True):
    """Where one message of a conversation lies in its rendered tokens.

    `index` is the message's position in `conversation.messages`; `start` is
    the offset of its `<|start|>`, `header_end` the offset just after its
    `<|message|>` (where its content begins), `end` the offset just after its
    stop token. `dropped` is True when `auto_drop_analysis` removed the message;
    then `start == header_end == end` is where it would have been.

    >>> from fastharmony import Conversation, Message, Role, load_harmony_encoding
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> convo = Conversation.from_messages([
    ...     Message.from_role_and_content(Role.USER, "Hi"),
    ...     Message.from_role_and_content(Role.ASSISTANT, "Hmm").with_channel("analysis"),
    ...     Message.from_role_and_content(Role.ASSISTANT, "Hello!").with_channel("final"),
    ... ])
    >>> tokens, spans = enc.render_conversation_with_spans(convo)
    >>> spans[0]
    MessageSpan(index=0, start=0, header_end=3, end=5, dropped=False)
    >>> spans[1].dropped, spans[1].start == spans[1].end == spans[2].start
    (True, True)
    >>> enc.decode(tokens[spans[2].header_end : spans[2].end])
    'Hello!<|end|>'
    """

    index: int
    start: int
    header_end: int
    end: int
    dropped: bool = False


class Renderer:
    """Renders Harmony messages with one tokenizer, in one dialect. Safe to
    share between threads."""

    __slots__ = ("_encode", "_headers", "_role_tokens", "_commentary_first", "_always_constrain")

    def __init__(self, tokenizer: Tokenizer, dialect: str = "0.0.8", encode=None) -> None:
        # `encode`: text to tokens without special tokens (the tokenizer's, by
        # default). Its own first test sends text that needs no cut (see
        # _pattern) to the CoreBPE directly; writing that test out in the loop
        # measured no faster (render tool-call, A/B interleaved, twice: within
        # 1%), so it lives only there.
        self._encode = encode or tokenizer.encode_ordinary
        self._commentary_first, self._always_constrain = DIALECTS[dialect]
        # (role, name, recipient, channel, content_type) -> (header tokens, end token)
        self._headers: dict = {}
        self._role_tokens = {role: self._encode(role.value) for role in Role}

    def role_tokens(self, role: Role) -> List[int]:
        return self._role_tokens[role]

    # -- the one loop -------------------------------------------------------------

    def render_into(
        self,
        messages,
        out: List[int],
        auto_drop: bool = False,
        has_function_tools: Optional[bool] = None,
        tools_depth: int = CONVERSATION_TOOLS_DEPTH,
        marks: Optional[List[int]] = None,
    ) -> None:
        """Append the tokens of `messages` to `out`.

        `auto_drop`: leave out the messages that `auto_dropped` says.
        `has_function_tools`: what system messages say about function tools;
        None finds it from the messages, when a system or developer content
        first needs it. `tools_depth`: see
        `_tools.tools_section`. `marks`: when given, receives two numbers per
        rendered message: the length of its header and the offset of its end
        (see `spans_of`).
        """
        conversation = messages
        if auto_drop:
            dropped = auto_dropped(messages)
            if dropped:
                messages = [message for index, message in enumerate(messages) if index not in dropped]
        headers = self._headers
        encode = self._encode
        for message in messages:
            author = message.author
            key = (author.role, author.name, message.recipient, message.channel, message.content_type)
            try:
                header, end = headers[key]
            except KeyError:
                header, end = self._header(key)
            except TypeError:  # an unhashable value assigned after construction
                raise _invalid_header(key) from None
            out += header
            for part in message.content:
                if type(part) is TextContent:
                    out += encode(part.text)
                else:
                    if has_function_tools is None:
                        has_function_tools = conversation_has_function_tools(conversation)
                    out += encode(_part_text(part, author.role, has_function_tools, tools_depth))
            out.append(end)
            if marks is not None:
                marks += (len(header), len(out))

    def _header(self, key: tuple) -> tuple:
        role, name, recipient, channel, content_type = key
        if not isinstance(role, Role):
            try:
                role = Role(role)
            except ValueError:  # ours, or the enum module's own when it cannot repr the value
                raise _invalid_header(key) from None
        if not all(value is None or isinstance(value, str) for value in key[1:]):
            raise _invalid_header(key)
        encode = self._encode
        header = [START]
        if role is Role.TOOL:
            # Tool messages are headed by the tool's name alone.
            if name is None:
                raise HarmonyError("Tools should have a name!")
            header += encode(name)
        else:
            header += self._role_tokens[role]
            if name is not None:
                header += encode(":" + name)
        to = encode(" to=" + recipient) if recipient is not None and recipient != "all" else ()
        if channel is None:
            header += to
        elif self._commentary_first and channel == "commentary":
            header.append(CHANNEL)
            header += encode(channel)
            header += to
        else:
            header += to
            header.append(CHANNEL)
            header += encode(channel)
        if content_type is not None:
            if content_type.startswith(CONSTRAIN_MARKER):
                header += encode(" ")
                header.append(CONSTRAIN)
                header += encode(content_type[len(CONSTRAIN_MARKER) :])
            elif self._always_constrain:
                header += encode(" ")
                header.append(CONSTRAIN)
                header += encode(content_type)
            else:
                header += encode(" " + content_type)
        header.append(MESSAGE)
        # An assistant message addressed to anyone (even "all") is a call.
        end = CALL if role is _ASSISTANT and recipient is not None else END
        entry = (header, end)
        # Only short headers are remembered: untrusted names of megabytes must
        # not stay in memory after the call.
        if sum(len(value) for value in key[1:] if value is not None) <= _MEMO_HEADER_CHARS:
            if len(self._headers) >= _HEADER_CACHE_LIMIT:
                self._headers.clear()
            self._headers[key] = entry
        return entry


def spans_of(messages, auto_drop: bool, start: int, marks: List[int]) -> List[MessageSpan]:
    """One MessageSpan per message, from the `marks` that `render_into`
    recorded from offset `start` with the same `auto_drop`."""
    dropped = auto_dropped(messages) if auto_drop else _NOTHING_DROPPED
    spans = []
    marks_at = iter(marks)
    for index, message in enumerate(messages):
        if index in dropped:
            spans.append(MessageSpan(index, start, start, start, True))
            continue
        header_length = next(marks_at)
        end = next(marks_at)
        spans.append(MessageSpan(index, start, start + header_length, end))
        start = end
    return spans


def auto_dropped(messages) -> AbstractSet[int]:
    """The indices of the messages `auto_drop_analysis` leaves out (often none).

    Once the assistant's latest message is a `final` answer, the reasoning that
    led to earlier answers is dropped: every `analysis` message before the
    first `final` message of the conversation.
    """
    for message in reversed(messages):
        if message.author.role == _ASSISTANT:
            if message.channel != "final":
                return _NOTHING_DROPPED
            break
    else:
        return _NOTHING_DROPPED
    for boundary, message in enumerate(messages):
        if message.channel == "final":
            return {index for index in range(boundary) if messages[index].channel == "analysis"}
    return _NOTHING_DROPPED


_NOTHING_DROPPED: AbstractSet[int] = frozenset()


def conversation_has_function_tools(messages) -> bool:
    """Whether any message declares `functions` tools in a DeveloperContent
    (the system message then tells where calls to them go).

    Every message counts, whatever its role, and also one that auto-drop
    leaves out: the reference looks at every message's content before it
    renders (or drops) any.
    """
    for message in messages:
        for part in message.content:
            if type(part) is DeveloperContent and _has_function_tools(part):
                return True
    return False


def _has_function_tools(developer: DeveloperContent) -> bool:
    tools = developer.tools
    if not tools:
        return False
    functions = tools.get("functions")
    return functions is not None and bool(functions.tools)


def _part_text(part, role: Role, has_function_tools: bool, tools_depth: int) -> str:
    """The text of a content part other than a plain TextContent.

    `tools_depth`: how deep tool schemas sit in what the reference parses,
    which decides how deep a schema may nest (see `_tools`)."""
    kind = type(part)
    if kind is SystemContent:
        if role != Role.SYSTEM:
            raise HarmonyError(
                f"SystemContent may only appear in system messages, found in {_rust_role(role)}"
            )
        return system_text(part, has_function_tools, tools_depth)
    if kind is DeveloperContent:
        if role != Role.DEVELOPER:
            raise HarmonyError(
                f"DeveloperContent may only appear in developer messages, found in {_rust_role(role)}"
            )
        return developer_text(part, tools_depth)
    if isinstance(part, TextContent):
        return part.text
    raise HarmonyValueError(
        "message content must be TextContent, SystemContent or DeveloperContent, "
        f"got {type(part).__name__}"
    )


def system_text(
    system: SystemContent, has_function_tools: bool, tools_depth: int = CONVERSATION_TOOLS_DEPTH
) -> str:
    sections = []
    top = []
    if system.model_identity is not None:
        top.append(system.model_identity)
    # Concatenation, not f-strings: a non-string assigned after construction
    # must raise, as the reference's JSON layer refuses it.
    if system.knowledge_cutoff is not None:
        top.append("Knowledge cutoff: " + system.knowledge_cutoff)
    if system.conversation_start_date is not None:
        top.append("Current date: " + system.conversation_start_date)
    if top:
        sections.append("\n".join(top))
    if system.reasoning_effort is not None:
        try:
            sections.append("Reasoning: " + _EFFORT_TEXT[system.reasoning_effort])
        except (KeyError, TypeError):
            raise HarmonyValueError(
                f"SystemContent.reasoning_effort: expected a ReasoningEffort, "
                f"got {shown(system.reasoning_effort)}"
            ) from None
    if system.tools:
        sections.append(tools_section(system.tools, tools_depth=tools_depth))
    config = system.channel_config
    if config is not None and config.valid_channels:
        channels = f"# Valid channels: {', '.join(config.valid_channels)}."
        if config.channel_required:
            channels += " Channel must be included for every message."
        if has_function_tools:
            channels += "\nCalls to these tools must go to the commentary channel: 'functions'."
        sections.append(channels)
    return "\n\n".join(sections)


def developer_text(developer: DeveloperContent, tools_depth: int = CONVERSATION_TOOLS_DEPTH) -> str:
    sections = []
    if developer.instructions is not None:
        sections += ("# Instructions", developer.instructions)
    if developer.tools:
        sections.append(tools_section(developer.tools, tools_depth=tools_depth))
    return "\n\n".join(sections)


def _rust_role(role: Role) -> str:
    # The reference's messages print the Rust enum variant: `User`, `Tool`, ...
    return role.name.capitalize()


def _invalid_header(key: tuple) -> HarmonyValueError:
    names = ("author.role", "author.name", "recipient", "channel", "content_type")
    for field, value in zip(names, key):
        if field == "author.role":
            if not isinstance(value, Role):
                try:
                    Role(value)
                except (ValueError, TypeError):
                    return unknown_role(value, f"Message.{field}")
        elif value is not None and not isinstance(value, str):
            return HarmonyValueError(
                f"Message.{field}: expected str or None, got {type(value).__name__} {shown(value)}"
            )
    return HarmonyValueError(f"invalid message header {shown(key, 200)}")
