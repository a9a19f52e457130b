# The token reader under the OpenAI adapters: completion tokens in, message
# events out. Sans I/O (feed tokens, read events), tolerant (nothing a model
# writes raises), and linear in the tokens however they are split.
#
# Events, in the order a message produces them:
#     MessageOpened(header)   a header was read; its text follows
#     TextAppended(text)      more of the open message's text (whole characters)
#     MessageClosed(stop, tokens)  the message ended: "<|end|>", "<|call|>",
#                             "<|return|>", or None when the tokens ran out in
#                             it; `tokens`: how many it took, from its
#                             `<|start|>` (if any) to its stop token
#     Recovered(reason)       tokens that make no message were skipped
# An adapter (chat, responses) maps them to its own shapes; none of them reads
# tokens itself, so they cannot disagree about what a completion says.
#
# Rules of the tolerance (chat.py states them for users):
# - The completion begins inside a header whose role is given (the prompt ends
#   with `<|start|>assistant`). Later messages begin at `<|start|>`.
# - A header the Harmony parser refuses, and tokens between messages, are
#   skipped up to the next `<|start|>` (one Recovered each).
# - A stop token before `<|message|>`: the parser's non-strict recovery (the
#   header's metadata kept, the rest of it the content) when the role is
#   known, else the header is skipped. Either way the next `<|start|>` begins
#   a new message: nothing of a failed header leaks into the next one.
# - Text goes out in whole characters: a character split across tokens waits
#   for its last byte; invalid bytes become U+FFFD, as the parser decodes them.
#   The bytes of a character cut off by the end of the tokens are left out.
# - `finish` closes a message in progress (MessageClosed(None)); a header that
#   never reached `<|message|>` yields Recovered and no message.
#
# Theory of operation. The Harmony parser (the public StreamableParser,
# non-strict) reads each message: a fresh parser per message, so that what it
# keeps (its messages, its tokens) never grows past one message, and a header
# it failed on cannot swallow the next message. The reader cuts its input at
# the formatting tokens itself (one C-speed scan per token value, remembering
# where each was found next), so each parser call covers at most one
# transition. Content text comes from the parser's per-token delta for short
# runs and from a slice of its current content for long ones: a long message
# pushed a few tokens at a time is never re-read from its start.

from __future__ import annotations

import operator
from array import array
from typing import List, NamedTuple, Optional

from .. import HarmonyError, Role, StreamableParser, StreamState
from .._errors import HarmonyValueError
from .._tokens import CALL, END, MESSAGE, RETURN, START, check_token, token_list
from .._vocab import LAST_TOKEN_ID

STOP_NAMES = {END: "<|end|>", CALL: "<|call|>", RETURN: "<|return|>"}
_HEADER_ENDS = (MESSAGE, *STOP_NAMES)
_HEADER_END_SET = frozenset(_HEADER_ENDS)
_STOPS = tuple(STOP_NAMES)

# A content run is decoded in one parser call, then sliced out of the
# message's text, when it is at least this fraction of the text already sent;
# shorter runs go token by token. Either way a push costs O(its tokens).
_SLICE_RATIO = 8


class Header(NamedTuple):
    """What a message header says: who speaks, on which channel, to whom."""

    role: Role
    name: Optional[str]
    channel: Optional[str]
    recipient: Optional[str]
    content_type: Optional[str]


class MessageOpened(NamedTuple):
    header: Header


class TextAppended(NamedTuple):
    text: str


class MessageClosed(NamedTuple):
    stop: Optional[str]  # the stop token's name; None: the tokens ended inside the message
    tokens: int = 0  # the tokens of the message, <|start|> and stop token included


class Recovered(NamedTuple):
    reason: str


# Where the reader is.
_OUTSIDE = "outside"  # between messages: only <|start|> begins one
_HEADER = "header"
_CONTENT = "content"


class TokenReader:
    """Completion tokens -> message events (see the file comment).

    >>> reader = TokenReader(enc)
    >>> reader.feed(enc.encode("<|channel|>final<|message|>Hi<|return|>", allowed_special="all"))
    [MessageOpened(header=Header(role=<Role.ASSISTANT: 'assistant'>, name=None, channel='final', recipient=None, content_type=None)), TextAppended(text='Hi'), MessageClosed(stop='<|return|>', tokens=5)]
    >>> reader.finish()
    []
    """

    __slots__ = ("_encoding", "_parser", "_state", "_sent", "_taken", "_straying", "_finished")

    def __init__(self, encoding, role: Optional[Role] = Role.ASSISTANT) -> None:
        self._encoding = encoding
        self._parser: Optional[StreamableParser] = None
        self._state = _OUTSIDE
        self._sent = 0  # characters of the open message's text sent
        self._taken = 0  # tokens of the message being read
        self._straying = False  # inside a run of skipped tokens (one Recovered per run)
        self._finished = False
        if role is not None:
            self._parser = StreamableParser(encoding, role, strict=False)
            self._state = _HEADER

    @property
    def in_message(self) -> bool:
        """Whether a message is open (its header read, its stop token not yet)."""
        return self._state is _CONTENT

    @property
    def in_header(self) -> bool:
        """Whether the reader is inside a header that has not reached `<|message|>`."""
        return self._state is _HEADER

    def feed(self, tokens) -> list:
        """Read one token id or many; return the events they complete."""
        if self._finished:
            raise HarmonyError("TokenReader.feed after finish")
        # The common step of a stream: one token inside a header or a message.
        token = tokens
        if type(token) is list and len(token) == 1:
            token = token[0]
        if type(token) is int and 0 <= token <= LAST_TOKEN_ID:
            state = self._state
            if state is _CONTENT and token not in STOP_NAMES:
                self._taken += 1
                parser = self._parser
                parser.process(token)
                delta = parser.last_content_delta
                if delta:
                    self._sent += len(delta)
                    return [TextAppended(delta)]
                return []
            if state is _HEADER and token not in _HEADER_END_SET:
                self._taken += 1
                self._parser.process(token)  # kept until <|message|>
                return []
        tokens = token_ids(tokens)
        events: list = []
        scan = _Scanner(tokens)
        i, n = 0, len(tokens)
        while i < n:
            state = self._state
            if state is _CONTENT:
                j = scan.next(_STOPS, i)
                if j > i:
                    self._taken += j - i
                    self._content(tokens, i, j, events)
                if j < n:
                    self._close(tokens[j], events)
                i = j + 1
            elif state is _HEADER:
                j = scan.next(_HEADER_ENDS, i)
                run = tokens[i : j + 1]
                self._taken += len(run)
                self._header(run, j < n, events)
                i = j + 1
            else:
                j = scan.next((START,), i)
                if j > i and not self._straying:
                    self._straying = True
                    events.append(Recovered("tokens outside a message"))
                if j < n:
                    self._straying = False
                    self._parser = StreamableParser(self._encoding, None, strict=False)
                    self._parser.process(START)
                    self._state = _HEADER
                    self._taken = 1
                i = j + 1
        return events

    def finish(self) -> list:
        """The end of the tokens: close a message in progress. Idempotent."""
        if self._finished:
            return []
        self._finished = True
        state, self._state, self._parser = self._state, _OUTSIDE, None
        if state is _CONTENT:
            return [MessageClosed(None, self._taken)]
        if state is _HEADER:
            return [Recovered("the tokens ended inside a header")]
        return []

    # -- the three places ---------------------------------------------------------

    def _header(self, run: List[int], complete: bool, events: list) -> None:
        parser = self._parser
        try:
            parser.process_tokens(run)
        except HarmonyError as exc:
            self._skip(f"unreadable header: {exc}", events)
            return
        if not complete:
            return
        if parser.state is StreamState.CONTENT:
            data = parser.state_data["header"]  # cheap here: no content yet
            author = data["author"]
            header = Header(Role(author["role"]), author.get("name"), data["channel"], data["recipient"], data["content_type"])
            events.append(MessageOpened(header))
            self._state = _CONTENT
            self._sent = 0
            return
        # A stop token ended the header: the parser recovered a message, or
        # (without a known role) nothing.
        messages = parser.messages
        self._state, self._parser = _OUTSIDE, None
        if not messages:
            events.append(Recovered("a header closed by a stop token"))
            return
        message = messages[-1]
        author = message.author
        events.append(
            MessageOpened(Header(author.role, author.name, message.channel, message.recipient, message.content_type))
        )
        text = message.content[0].text if message.content else ""
        if text:
            events.append(TextAppended(text))
        events.append(MessageClosed(STOP_NAMES[run[-1]], self._taken))

    def _content(self, tokens: List[int], i: int, j: int, events: list) -> None:
        parser = self._parser
        if (j - i) * _SLICE_RATIO >= self._sent:
            parser.process_tokens(tokens[i:j])
            text = parser.current_content[self._sent :]
        else:
            pieces = []
            for token in tokens[i:j]:
                parser.process(token)
                delta = parser.last_content_delta
                if delta:
                    pieces.append(delta)
            text = "".join(pieces)
        if text:
            self._sent += len(text)
            events.append(TextAppended(text))

    def _close(self, stop: int, events: list) -> None:
        parser = self._parser
        parser.process(stop)
        # What the stop token adds: the lossy decoding of an unfinished character.
        message = parser.messages[-1]
        rest = message.content[0].text[self._sent :] if message.content else ""
        if rest:
            events.append(TextAppended(rest))
        self._taken += 1
        events.append(MessageClosed(STOP_NAMES[stop], self._taken))
        self._state, self._parser = _OUTSIDE, None

    def _skip(self, reason: str, events: list) -> None:
        self._state, self._parser = _OUTSIDE, None
        self._straying = True
        events.append(Recovered(reason))


def token_ids(tokens) -> List[int]:
    """One token id or a sequence of them, as a list of ints; a clear
    HarmonyValueError for anything else, before any token is read."""
    if type(tokens) is int:
        tokens = [tokens]
    elif type(tokens) is not list:
        if hasattr(tokens, "__iter__") or isinstance(tokens, (str, bytes)):
            tokens = token_list(tokens)  # refuses str and bytes, with their names
        else:
            try:
                tokens = [operator.index(tokens)]  # a numpy integer, say
            except TypeError:
                raise HarmonyValueError(
                    f"expected a token id or a sequence of token ids, got {type(tokens).__name__}"
                ) from None
    try:
        ids = array("I", tokens).tolist()
    except (TypeError, OverflowError, ValueError):
        ids = [check_token(token) for token in tokens]
    if ids and max(ids) > LAST_TOKEN_ID:
        ids = [check_token(token) for token in ids]
    return ids


class _Scanner:
    """The next index of any of some token values, at C speed, each stretch of
    the input scanned at most once per value (the next occurrence of each value
    is remembered)."""

    __slots__ = ("_tokens", "_n", "_next")

    def __init__(self, tokens: List[int]) -> None:
        self._tokens = tokens
        self._n = len(tokens)
        self._next: dict = {}

    def next(self, values: tuple, i: int) -> int:
        found = self._n
        for value in values:
            at = self._next.get(value, -1)
            if at < i:
                try:
                    at = self._tokens.index(value, i)
                except ValueError:
                    at = self._n
                self._next[value] = at
            if at < found:
                found = at
        return found
