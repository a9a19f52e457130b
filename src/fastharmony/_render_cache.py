# The render cache: rendered messages remembered by value, for agent loops.
#
# A server re-renders the whole conversation at every turn, and with long tool
# outputs that is most of its CPU. With `load_harmony_encoding(...,
# render_cache=N)` the encoding remembers the tokens of up to N messages and
# renders only the messages it has not seen.
#
# Rules of this file:
# - Keys are values, never identities: a message is found again only if every
#   field that decides its tokens is equal, and a changed message (even the
#   same object, mutated) misses. Text messages are keyed by the tuple of their
#   header fields and texts; a system or developer content by its type and
#   `repr` (exact for the builtin values a message holds: tuple and list,
#   1 and 1.0 and True, NaN and None all differ), plus what else decides its
#   text: the conversation's function tools, and how deep the reference sees
#   its tool schemas. A message whose key cannot be built (an unhashable value
#   assigned after construction) is rendered, not cached.
# - Only successful renders are stored; refusals are raised again every time.
# - The rendering itself is the one loop of `_render`, called per missed
#   message: the cache adds lookups around it, never a second way to render.
# - Bounded (least recently used out) and safe to share between threads: one
#   lock guards the table, and never while rendering.

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import List, NamedTuple, Optional

from ._model import SystemContent, TextContent
from ._render import Renderer, auto_dropped, conversation_has_function_tools

__all__ = ["CacheInfo", "RenderCache"]


class CacheInfo(NamedTuple):
    """Counters of a render cache, as `functools.lru_cache` reports them."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class RenderCache:
    """A bounded, thread-safe table of rendered messages, keyed by value."""

    __slots__ = ("maxsize", "_entries", "_lock", "_hits", "_misses")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        # key -> (the message's tokens, the length of its header)
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self.maxsize, len(self._entries))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._hits = self._misses = 0

    def _put(self, key, entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def render_into(
        self,
        renderer: Renderer,
        messages,
        out: List[int],
        auto_drop: bool,
        has_function_tools: Optional[bool],
        tools_depth: int,
        marks: Optional[List[int]],
    ) -> None:
        """`renderer.render_into` with the same arguments, through the cache."""
        dropped = auto_dropped(messages) if auto_drop else ()
        entries = self._entries
        lock = self._lock
        hits = misses = 0  # counted here, added to the totals once per call
        try:
            for index, message in enumerate(messages):
                if index in dropped:
                    continue
                content = message.content
                if type(content) is list and len(content) == 1 and type(content[0]) is TextContent:
                    # most messages: no list to build
                    author = message.author
                    key = (
                        author.role, author.name, message.recipient, message.channel, message.content_type,
                        content[0].text,
                    )
                else:
                    key = _message_key(message, tools_depth)
                    if key is _NEEDS_FUNCTION_TOOLS:
                        if has_function_tools is None:
                            has_function_tools = conversation_has_function_tools(messages)
                        key = _message_key(message, tools_depth, has_function_tools)
                entry = None
                if key is not None:
                    try:
                        with lock:
                            entry = entries.get(key)
                            if entry is not None:
                                entries.move_to_end(key)
                    except TypeError:  # an unhashable value assigned after construction
                        key = None
                if entry is not None:
                    hits += 1
                else:
                    misses += 1
                    tokens: List[int] = []
                    message_marks: List[int] = []
                    renderer.render_into((message,), tokens, False, has_function_tools, tools_depth, message_marks)
                    entry = (tokens, message_marks[0])  # the tokens, and the length of the header
                    if key is not None:
                        self._put(key, entry)
                out += entry[0]
                if marks is not None:
                    marks += (entry[1], len(out))
        finally:
            with lock:
                self._hits += hits
                self._misses += misses


_NEEDS_FUNCTION_TOOLS = object()


def _message_key(message, tools_depth: int, has_function_tools: Optional[bool] = None):
    """The message's value as a key (unhashable if the message holds an
    unhashable value); None if it cannot be built; _NEEDS_FUNCTION_TOOLS if it
    holds a SystemContent and `has_function_tools` is not given."""
    author = message.author
    key = [author.role, author.name, message.recipient, message.channel, message.content_type]
    for part in message.content:
        if type(part) is TextContent:
            key.append(part.text)
        else:
            if type(part) is SystemContent:
                if has_function_tools is None:
                    return _NEEDS_FUNCTION_TOOLS
                key.append(has_function_tools)
            try:
                key.append((type(part), repr(part), tools_depth))
            except Exception:  # a foreign __repr__ inside
                return None
    return tuple(key)
