# The Harmony parser: completion tokens back into messages, one state machine
# for streaming (`process`), chunks (`process_tokens`) and batch parsing
# (`parse_tokens`, behind `parse_messages_from_completion_tokens`).
#
# Rule 1: everything that changes the state lives in `_transition` (which
# state follows which event) and `_enter` (the one assignment of the state,
# with the tokens that are events in it and what it starts with). Every
# feeding path asks `_events` whether a token is an event and hands events to
# `_transition`; every other token is data of the state: header tokens are kept
# until <|message|>, content tokens are decoded.
#
# States and events (as in openai-harmony):
#   EXPECT_START  every token is an event: <|start|> opens a header, anything
#                 else is an error; EOS is fine.
#   HEADER        <|message|> ends the header: its text is parsed (_header.py)
#                 into role/author, recipient, channel and content type; a
#                 header that fails to parse leaves EXPECT_START, as in the
#                 reference. Non-strict parsers also take a stop token here (a
#                 model that forgot <|message|>): the header's metadata is kept
#                 and the rest of it becomes the content. EOS is an error.
#   CONTENT       a stop token (<|end|>, <|call|>, <|return|>) or EOS completes
#                 the message.
#
# Content is decoded incrementally, exactly as the reference does: the bytes of
# each token join any bytes still pending from earlier tokens; the longest valid
# UTF-8 prefix is emitted as the delta; then, if an invalid sequence follows,
# one U+FFFD is emitted for it and its bytes dropped; an incomplete sequence at
# the end waits for the next token (no delta). At the end of the message what is
# still pending is decoded lossily.
#
# Decoding is lazy and in bulk: content tokens are only kept as they come, and
# are decoded when something reads the content (`current_content`,
# `last_content_delta`) or the message ends. A run of tokens is
# decoded in one go (the vocabulary's C decoder, then one UTF-8 decode); its
# last token alone sets the delta, as it would one by one; a run holding an
# invalid sequence is redone token by token, so the result is always the
# one-by-one result. `process` thus costs an id check and an append per content
# token; `process_tokens` and batch parsing find the next event token with a
# byte search over the ids packed as bytes (C speed, see `_packed`), so they
# pay nothing in Python per content token either.
#
# Batch parsing first tries the common shape without the state machine
# (`_well_formed_messages`: headers seen before, valid UTF-8 contents, no
# error); whatever else it meets is left to the state machine, from the start.
#
# `messages` hands out new objects at every read, as the reference does: the
# parser's own are never shared.
#
# Unlike the reference, token ids are checked at the call that receives them:
# an id outside 0..201088 raises HarmonyError (after the ids before it have been
# processed) instead of turning the rest of the message into U+FFFD. Received
# content tokens are kept as they are; the reference re-encodes every delta,
# which is its main cost.

from __future__ import annotations

import enum
import sys
from array import array
from operator import itemgetter
from typing import Any, Dict, Iterable, List, Optional

from ._errors import HarmonyError
from ._header import leftover_words_error, parse_header
from ._lax import strict_flag
from ._model import Author, Message, Role, TextContent, role_argument
from ._tokens import MESSAGE, START, STOP_TOKENS, check_token, rust_utf8_error, token_list
from ._vocab import LAST_TOKEN_ID, Tokenizer, tokenizer_of

EOS = None  # the event of `process_eos`


class StreamState(enum.Enum):
    EXPECT_START = "ExpectStart"
    HEADER = "Header"
    CONTENT = "Content"


EXPECT_START = StreamState.EXPECT_START
HEADER = StreamState.HEADER
CONTENT = StreamState.CONTENT

# The transition table's left column: in each state, the tokens that are
# events (`_enter` installs them); the rest are data of the state. In
# EXPECT_START every valid id is an event (`range` membership is a C comparison).
_EVERY_TOKEN = range(LAST_TOKEN_ID + 1)
_HEADER_ENDS_STRICT = frozenset((MESSAGE,))
_HEADER_ENDS_LENIENT = _HEADER_ENDS_STRICT | STOP_TOKENS  # non-strict: a stop token too
_CONTENT_ENDS = STOP_TOKENS


class StreamableParser:
    """Incremental parser over completion tokens (sans I/O: feed tokens, read state).

    >>> parser = StreamableParser(enc, Role.ASSISTANT)
    >>> for token in enc.encode("<|channel|>final<|message|>Hi!", allowed_special="all"):
    ...     parser = parser.process(token)
    >>> parser.current_channel, parser.current_content, parser.last_content_delta
    ('final', 'Hi!', '!')
    """

    __slots__ = (
        "_tokenizer",
        "_dialect",
        "_headers_memo",
        "_strict",
        "_tokens",
        "_messages",
        "_next_role",
        "_state",
        "_events",
        "_run_start",
        "_failed_stops",
        "_header",
        "_decoded",
        "_delta_at",
        "_pieces",
        "_join_at",
        "_pending",
        "_last_delta",
    )

    def __init__(self, encoding, role: Optional[Role], *, strict: Optional[bool] = True) -> None:
        tokenizer = tokenizer_of(encoding)
        self._setup(tokenizer, encoding.dialect, role, strict_flag(strict))

    def _setup(self, tokenizer: Tokenizer, dialect: str, role: Optional[Role], strict: bool) -> None:
        self._tokenizer = tokenizer
        self._dialect = dialect  # "0.0.8" or "0.0.11": only the header grammar differs
        self._headers_memo = _parsed_headers if dialect == "0.0.8" else _parsed_headers_0_0_11
        self._strict = strict
        self._tokens: List[int] = []
        self._messages: List[Message] = []
        self._next_role = None if role is None else role_argument(role)
        self._last_delta: Optional[str] = None
        self._enter(EXPECT_START if role is None else HEADER)

    # -- feeding ----------------------------------------------------------------

    def process(self, token: int) -> "StreamableParser":
        """Consume one token."""
        if type(token) is not int or not 0 <= token <= LAST_TOKEN_ID:
            token = check_token(token)
        self._tokens.append(token)  # data: kept (header) or decoded when read (content)
        if token in self._events:
            self._transition(token)
        return self

    def process_tokens(self, tokens: Iterable[int]) -> "StreamableParser":
        """Consume many tokens; the same as `process` on each, in one call.

        For speculative decoding and batched serving, which deliver several
        tokens per step. An invalid token id raises after the tokens before it
        have been processed, as it would one by one.
        """
        # A list first: an iterator would be used up by the packing below.
        if type(tokens) is not list:
            tokens = token_list(tokens)
        try:
            ids = array("I", tokens)
        except (TypeError, OverflowError, ValueError):
            # Something is not a token id: one by one, so the error comes at its place.
            for token in tokens:
                self.process(token)
            return self
        # Plain ints (a bool or a numpy integer becomes an int), as `process` keeps them.
        self._feed(ids.tolist(), _packed(ids))
        return self

    def process_eos(self) -> "StreamableParser":
        """Signal the end of the stream: completes a message in progress."""
        self._transition(EOS)
        return self

    def _feed(self, ids: list, packed: bytes) -> None:
        """`process` on each of `ids` (ints >= 0, `packed` by `_packed`), finding
        event tokens at C speed and taking the data between them in runs."""
        n = len(ids)
        i = 0
        while i < n:
            events = self._events
            if events is _EVERY_TOKEN:
                j = i
            else:
                # The next event: among the ids whose second byte is 3 (found
                # by memchr; see `_packed`), the first that is an event.
                at = 4 * i
                while True:
                    at = packed.find(3, at)
                    if at < 0:
                        j = n
                        break
                    if at & 3 == 1 and ids[at >> 2] in events:
                        j = at >> 2
                        break
                    at += 1
                if j > i:
                    run = ids[i:j]
                    if events is _CONTENT_ENDS:
                        self._take_content(run)
                    elif max(run) <= LAST_TOKEN_ID:  # a header: short, checked here
                        self._tokens += run
                    else:
                        self._one_by_one(run)
            if j < n:
                token = ids[j]
                if token > LAST_TOKEN_ID:  # only EXPECT_START's events can be invalid
                    check_token(token)
                self._tokens.append(token)
                self._transition(token)
            i = j + 1

    def _take_content(self, run: list) -> None:
        """Content tokens (no stop token among them), as `process` would take them."""
        if self._decoded < len(self._tokens):
            self._decode_content(len(self._tokens))  # what `process` left undecoded
        if len(run) <= _SHORT_RUN and not self._pending:
            # Tokens each complete UTF-8 alone: their memoised texts, no decoder
            # call (only valid ids have one).
            try:
                # One text alone is no tuple but a str, which joins as itself.
                text = "".join(itemgetter(*run)(_token_texts))
            except KeyError:
                _memoise_texts(self._tokenizer, run)
            else:
                self._tokens += run
                self._decoded = self._delta_at = len(self._tokens)  # nothing pending
                self._pieces.append(text)
                self._last_delta = _token_texts[run[-1]]
                if len(self._pieces) >= self._join_at:
                    self._join_pieces()
                return
        try:
            data = self._tokenizer.decode_bytes(run)  # the ids checked at C speed
        except (KeyError, TypeError, OverflowError):
            self._one_by_one(run)
            return
        self._tokens += run
        self._decoded = len(self._tokens)
        self._absorb(run, data)
        self._delta_at = _NOT_CLEAN if self._pending else self._decoded

    def _one_by_one(self, run: list) -> None:
        """A run holding an invalid id (or something no decoder takes): raises at it."""
        for token in run:
            self.process(token)

    # -- the state machine --------------------------------------------------------

    def _transition(self, event: Optional[int]) -> None:
        """Every transition: `event` (an event token of the state, already in
        `_tokens`, or EOS) moves the parser to its next state."""
        state = self._state
        if state is CONTENT:  # a stop token or EOS
            self._finish_message(len(self._tokens) - (event is not EOS))
            self._enter(EXPECT_START)
        elif state is HEADER:
            if event == MESSAGE:
                try:
                    self._header = self._parse_header()
                except HarmonyError:
                    self._enter(EXPECT_START)  # as in the reference
                    raise
                self._next_role = None
                self._enter(CONTENT)
            elif event is EOS:
                raise HarmonyError("Unexpected EOS while waiting for message header to complete")
            else:  # a stop token, in a non-strict parser
                try:
                    self._recover_headerless_message()
                except HarmonyError:
                    self._failed_stops += (len(self._tokens) - 1,)
                    raise
                self._next_role = None
                self._enter(EXPECT_START)
        elif event is not EOS:  # EXPECT_START
            if event != START:
                raise HarmonyError(f"Unexpected token {event} while expecting start token {START}")
            self._enter(HEADER)

    def _enter(self, state: StreamState) -> None:
        """The one assignment of the state, with its events and what it starts with."""
        self._state = state
        # Where the header's (or content's) tokens begin in `_tokens`: every
        # token fed in HEADER or CONTENT state, stop tokens aside, belongs to
        # the header or content, so a start index describes them.
        self._run_start = self._decoded = len(self._tokens)
        # Content decoding is lazy: `_tokens[:_decoded]` are in `_pieces` and
        # `_pending`; `_last_delta` is the delta of token `_delta_at - 1`, with
        # nothing pending after it (else `_delta_at` is _NOT_CLEAN).
        self._last_delta = None
        self._delta_at = self._decoded if state is CONTENT else _NOT_CLEAN
        if state is CONTENT:
            self._events = _CONTENT_ENDS
            self._pieces: List[str] = []
            self._join_at = _PIECES_PER_CHUNK
            self._pending = b""
        elif state is HEADER:
            self._events = _HEADER_ENDS_STRICT if self._strict else _HEADER_ENDS_LENIENT
            # Non-strict: stop tokens whose headerless recovery raised stay in
            # `_tokens` but, as in the reference, not in the header (their indices).
            self._failed_stops = ()
        else:
            self._events = _EVERY_TOKEN

    # -- messages ---------------------------------------------------------------------

    def _finish_message(self, end: int) -> None:
        if self._decoded < end:
            self._decode_content(end)
        text = "".join(self._pieces)
        if self._pending:
            text += self._pending.decode("utf-8", "replace")
        self._messages.append(_message_from(self._header, text))

    def _recover_headerless_message(self) -> None:
        # Non-strict: a stop token before <|message|>. When the parser was given
        # the role, the header's metadata is kept and the rest becomes content.
        role = self._next_role
        header_tokens = self._header_tokens(-1)  # the stop token aside
        if role is not None and header_tokens:
            text = self._decode_utf8(header_tokens)
            header, rest = parse_header(text, role, False, self._dialect)
            self._messages.append(_message_from(_template(*header), rest or ""))

    def _header_tokens(self, end: Optional[int]) -> List[int]:
        tokens = self._tokens[self._run_start : end]
        if self._failed_stops:
            start, failed = self._run_start, self._failed_stops
            tokens = [token for at, token in enumerate(tokens, start) if at not in failed]
        return tokens

    def _parse_header(self) -> Message:
        # Headers repeat (`<|channel|>final`, the same tool calls): parse each once.
        # Only short ones are remembered: a pathological header of a million
        # tokens must not stay in memory after the parser is gone. Nor one
        # holding a stop token (header data in a strict parser, an event in
        # another): batch parsing takes a remembered header as ending at
        # <|message|> in either (`_well_formed_messages`).
        if self._failed_stops:
            header_tokens = self._header_tokens(-1)
        else:
            header_tokens = self._tokens[self._run_start : -1]  # <|message|> aside
        memo = self._headers_memo
        key = None
        if len(header_tokens) <= _MEMO_HEADER_TOKENS:
            key = (self._next_role, *header_tokens)
            template = memo.get(key)
            if template is not None:
                return template
        try:
            text = self._bytes_of(header_tokens).decode()
        except UnicodeDecodeError:
            raise HarmonyError("could not decode header") from None
        header, rest = parse_header(text, self._next_role, True, self._dialect)
        if rest is not None:
            raise leftover_words_error(rest)
        template = _template(*header)
        if key is not None and len(text) <= _MEMO_HEADER_CHARS and STOP_TOKENS.isdisjoint(header_tokens):
            if len(memo) >= _PARSED_HEADERS_LIMIT:
                memo.clear()
            memo[key] = template
        return template

    # -- content decoding -----------------------------------------------------------

    def _decode_content(self, end: int) -> None:
        """Decode the content tokens `_tokens[_decoded:end]` (all valid ids)."""
        start = self._decoded
        if start >= end:
            return
        self._decoded = end
        if end - start == 1:
            token = self._tokens[start]
            text = _token_texts.get(token)
            if text is not None and not self._pending:
                self._pieces.append(text)
                self._last_delta = text
                if len(self._pieces) >= self._join_at:
                    self._join_pieces()
            else:
                self._content_token(token)
        else:
            run = self._tokens[start:end]
            self._absorb(run, self._tokenizer.decode_bytes(run))
        self._delta_at = _NOT_CLEAN if self._pending else end

    def _absorb(self, run: List[int], data: bytes) -> None:
        """Content tokens `run` (two or more, or one) with their bytes `data`, as if one by one."""
        delta = _token_texts.get(run[-1])
        if delta is None:  # memoised now, for the reads of `last_content_delta`
            _memoise_texts(self._tokenizer, run[-1:])
            delta = _token_texts.get(run[-1])
        if not self._pending and delta is not None:
            # The common case in one decode: valid UTF-8 throughout, and a last
            # token that is complete alone. Nothing before it can then end
            # inside a character (it would begin with a continuation byte), so
            # its delta is its own text.
            try:
                text = data.decode()
            except UnicodeDecodeError:
                pass
            else:
                self._pieces.append(text)
                self._last_delta = delta
                if len(self._pieces) >= self._join_at:
                    self._join_pieces()
                return
        last = self._token_bytes(run[-1])
        if len(run) > 1:
            # All but the last token at once. That is the one-by-one result
            # whenever the bytes hold no invalid sequence: the valid prefix is
            # emitted and an incomplete character stays pending.
            buffer = self._pending + data[: len(data) - len(last)]
            try:
                self._pieces.append(buffer.decode())
                self._pending = b""
            except UnicodeDecodeError as exc:
                if exc.reason != "unexpected end of data":
                    for token in run[:-1]:
                        self._decode_step(self._token_bytes(token))
                else:
                    if exc.start:
                        self._pieces.append(buffer[: exc.start].decode())
                    self._pending = buffer[exc.start :]
        # The last token sets `last_content_delta`, as it would alone.
        self._decode_step(last)
        if len(self._pieces) >= self._join_at:
            self._join_pieces()

    def _join_pieces(self) -> None:
        # A str per token costs ~60 bytes a token for as long as the message
        # lasts: every _PIECES_PER_CHUNK pieces are joined into one. The pieces
        # before `first` are chunks joined earlier, never copied again.
        pieces = self._pieces
        first = self._join_at - _PIECES_PER_CHUNK
        pieces[first:] = ["".join(pieces[first:])]
        self._join_at = len(pieces) + _PIECES_PER_CHUNK

    def _content_token(self, token: int) -> None:
        """One content token that has no memoised text, or follows pending bytes."""
        data = self._token_bytes(token)
        if not self._pending:
            try:
                text = data.decode()
            except UnicodeDecodeError:
                pass
            else:  # complete UTF-8 alone: memoised for next time
                if len(_token_texts) >= _TOKEN_TEXTS_LIMIT:
                    _token_texts.clear()
                _token_texts[token] = text
        self._decode_step(data)
        if len(self._pieces) >= self._join_at:
            self._join_pieces()

    def _decode_step(self, data: bytes) -> None:
        """One content token's bytes, the reference's way (see the file comment)."""
        buffer = self._pending + data
        try:
            text = buffer.decode()
        except UnicodeDecodeError as exc:
            delta = buffer[: exc.start].decode()
            buffer = buffer[exc.start :]
            if exc.reason == "unexpected end of data":
                self._last_delta = None  # waiting for the rest of a character
            else:
                delta += "\ufffd"
                buffer = buffer[exc.end - exc.start :]
            if delta:
                self._pieces.append(delta)
                self._last_delta = delta
            self._pending = buffer
        else:
            self._pieces.append(text)
            self._last_delta = text
            self._pending = b""

    def _token_bytes(self, token: int) -> bytes:
        tokenizer = self._tokenizer
        start = tokenizer.offsets[token]
        return tokenizer.blob[start : start + tokenizer.lengths[token]]

    def _bytes_of(self, tokens) -> bytes:
        tokenizer = self._tokenizer
        blob, offsets, lengths = tokenizer.blob, tokenizer.offsets, tokenizer.lengths
        return b"".join([blob[offsets[t] : offsets[t] + lengths[t]] for t in tokens])

    def _decode_utf8(self, tokens: List[int]) -> str:
        try:
            return self._bytes_of(tokens).decode()
        except UnicodeDecodeError as exc:
            raise HarmonyError(
                f"Could not decode tokens: Invalid utf-8 sequence: {rust_utf8_error(exc)}"
            ) from None

    # -- reading --------------------------------------------------------------------

    @property
    def current_content(self) -> str:
        """The decoded content of the message in progress ('' outside content)."""
        if self._state is not CONTENT:
            return ""
        self._decode_content(len(self._tokens))
        pieces = self._pieces
        if len(pieces) > 1:
            pieces[:] = ["".join(pieces)]
            self._join_at = 1 + _PIECES_PER_CHUNK
        return pieces[0] if pieces else ""

    @property
    def current_role(self) -> Optional[Role]:
        if self._state is CONTENT:
            return self._header.author.role
        return self._next_role

    @property
    def current_channel(self) -> Optional[str]:
        return self._header.channel if self._state is CONTENT else None

    @property
    def current_recipient(self) -> Optional[str]:
        return self._header.recipient if self._state is CONTENT else None

    @property
    def current_content_type(self) -> Optional[str]:
        return self._header.content_type if self._state is CONTENT else None

    @property
    def last_content_delta(self) -> Optional[str]:
        """The text the last token added to the content (None if it added none)."""
        tokens = self._tokens
        n = len(tokens)
        at = self._delta_at
        if at == n - 1:
            # Read after every token, as streaming clients do: the delta of a
            # memoised token with nothing pending is its text. The content
            # itself is decoded later, in bulk (`_decode_content`).
            text = _token_texts.get(tokens[at])
            if text is not None:
                self._delta_at = n
                self._last_delta = text
                return text
        elif at == n:
            return self._last_delta
        if self._state is CONTENT:
            self._decode_content(n)
        return self._last_delta

    @property
    def messages(self) -> List[Message]:
        """The messages completed so far: new objects at every read, as the
        reference's are (changing one changes nothing in the parser)."""
        return [_message_from(message, message.content[0].text) for message in self._messages]

    @property
    def tokens(self) -> List[int]:
        """Every token fed so far."""
        return list(self._tokens)

    @property
    def state(self) -> StreamState:
        return self._state

    @property
    def state_data(self) -> Dict[str, Any]:
        """The state in the reference's shape; `content_tokens` are the tokens as received."""
        state = self._state
        if state is EXPECT_START:
            return {"state": "ExpectStart"}
        if state is HEADER:
            return {"state": "Header", "header_tokens": self._header_tokens(None)}
        header = self._header
        author: Dict[str, Any] = {"role": header.author.role.value}
        if header.author.name is not None:
            author["name"] = header.author.name
        return {
            "state": "Content",
            "header": {
                "author": author,
                "recipient": header.recipient,
                "channel": header.channel,
                "content_type": header.content_type,
            },
            "content_tokens": self._tokens[self._run_start :],
        }


# -- finding events in a batch -------------------------------------------------------


def _packed(ids: array) -> bytes:
    """Ids as big-endian 4-byte words, for `_feed`'s search (consumes `ids`).

    Every formatting token (200000 and up) is in 0x30000..0x3FFFF, so the
    second byte of its word is 3: `bytes.find(3)` (memchr) finds candidates at
    C speed. Few other bytes are 3 (an id's low bytes, the rare ordinary ids
    196608..199997); `_feed` checks each candidate it meets.
    """
    if _LITTLE_ENDIAN:
        ids.byteswap()
    return ids.tobytes()


_LITTLE_ENDIAN = sys.byteorder == "little"


# -- messages ------------------------------------------------------------------------


# The parser's messages hold values it made itself (a Role, strs), so they are
# built by copying private templates at C speed (`__copy__` runs no __init__
# or validation): a third of the cost of the checked constructors. Copying the
# header's template (memoised with the parsed header) sets its fields at once:
# a Struct's setattr costs ~40 ns.
_TEXT = TextContent(text="")


def _template(role, name, recipient, channel, content_type) -> Message:
    """The message a header begins, without content; never handed out, only copied."""
    return Message(
        author=Author(role=role, name=name),
        channel=channel,
        recipient=recipient,
        content_type=content_type,
    )


def _message_from(template: Message, text: str) -> Message:
    part = _TEXT.__copy__()
    part.text = text
    message = template.__copy__()  # shallow: the Author and the list are replaced
    message.author = template.author.__copy__()  # each message its own Author
    message.content = [part]
    return message


# Parsed headers as message templates, by (role, *header tokens), one memo per
# dialect (their grammars differ).
_parsed_headers: dict = {}
_parsed_headers_0_0_11: dict = {}
_PARSED_HEADERS_LIMIT = 4096
_MEMO_HEADER_TOKENS = 64
_MEMO_HEADER_CHARS = 256
_PIECES_PER_CHUNK = 1024
# `_delta_at` when `last_content_delta` cannot extend the delta it holds: bytes
# are pending, or the parser is outside content (no index is ever this).
_NOT_CLEAN = -2
# Content runs up to this long are looked up in `_token_texts` first; longer
# ones go to the vocabulary's decoder, faster per token.
_SHORT_RUN = 64

# The text of each content token seen whose bytes are complete UTF-8 on their
# own: one dict lookup instead of slicing the vocabulary blob and decoding.
# Bounded like `_parsed_headers` (~4 MB at most). Stop tokens never go in.
_token_texts: Dict[int, str] = {}
_TOKEN_TEXTS_LIMIT = 1 << 15


def _memoise_texts(tokenizer: Tokenizer, tokens: list) -> None:
    """Put the texts of valid content tokens that are complete UTF-8 alone in `_token_texts`."""
    blob, offsets, lengths = tokenizer.blob, tokenizer.offsets, tokenizer.lengths
    for token in tokens:
        if token in _token_texts or not 0 <= token <= LAST_TOKEN_ID:
            continue
        start = offsets[token]
        try:
            text = blob[start : start + lengths[token]].decode()
        except UnicodeDecodeError:
            continue
        if len(_token_texts) >= _TOKEN_TEXTS_LIMIT:
            _token_texts.clear()
        _token_texts[int(token)] = text


def parse_tokens(tokenizer: Tokenizer, dialect: str, tokens, role, strict: bool) -> List[Message]:
    """`parse_messages_from_completion_tokens`: a parser fed `tokens`, then EOS
    (`strict` already a bool: see `_lax.strict_flag`)."""
    next_role = None if role is None else role_argument(role)
    if type(tokens) is not list:
        tokens = token_list(tokens)
    try:
        ids = array("I", tokens)
    except (TypeError, OverflowError, ValueError):
        ids = None
    else:
        memo = _parsed_headers if dialect == "0.0.8" else _parsed_headers_0_0_11
        messages = _well_formed_messages(tokenizer, memo, tokens, ids.tobytes(), next_role)
        if messages is not None:
            return messages
    # Not through __init__: a keyword argument makes calling a class ~100 ns
    # slower (its arguments are packed into a tuple and a dict).
    parser = StreamableParser.__new__(StreamableParser)
    parser._setup(tokenizer, dialect, next_role, strict)
    if ids is None:
        for token in tokens:  # the error at its place
            parser.process(token)
    else:
        # Ids are kept as given (a bool or a numpy integer stays one): the
        # parser is not handed out, and its messages hold only text.
        parser._feed(tokens, _packed(ids))
    parser._transition(EOS)
    return parser._messages


# -- batch parsing of the common shape -------------------------------------------------
#
# Most completions are messages whose headers were seen before, each ended by a
# stop token, with content that is valid UTF-8: `_well_formed_messages` takes
# that shape with a few C-speed searches per message, and returns None for
# anything else, for the state machine to decide (errors, recovery, invalid
# UTF-8: the fast path never raises and never changes a result). It gives the
# state machine's result because a header in `_parsed_headers` holds no stop
# token, so that <|message|> ends it in a strict parser and in another alike
# (see `_parse_header`).


def _well_formed_messages(
    tokenizer: Tokenizer, memo: dict, tokens: list, words: bytes, next_role: Optional[Role]
) -> Optional[List[Message]]:
    """The messages of `tokens` (`words`: the bytes of their array("I"), so
    each is an int below 2**32) when they have the common shape; else None."""
    # Each token's third-lowest byte: 3 for every formatting token (200000 and
    # up), and for few others (196608..199999): a memchr finds where a content
    # may end.
    marks = words[_THIRD_BYTE::4]
    messages = []
    end = len(tokens)
    at = 0
    while True:
        if next_role is None:  # a message begins with <|start|>, or nothing more does
            if at >= end:
                return messages
            if tokens[at] != START:
                return None
            at += 1
        try:
            message_at = tokens.index(MESSAGE, at)
        except ValueError:
            return None
        template = memo.get((next_role, *tokens[at:message_at]))
        if template is None:
            return None
        at = message_at + 1
        stop_at = marks.find(3, at)
        while stop_at >= 0 and tokens[stop_at] not in STOP_TOKENS:
            stop_at = marks.find(3, stop_at + 1)
        if stop_at < 0:
            stop_at = end  # EOS ends the content
        text = _well_formed_text(tokenizer, tokens[at:stop_at])
        if text is None:
            return None
        messages.append(_message_from(template, text))
        at = stop_at + 1
        next_role = None


def _well_formed_text(tokenizer: Tokenizer, run: list) -> Optional[str]:
    """The text of content tokens `run` if they are valid ids and valid UTF-8, else None."""
    if len(run) <= _SHORT_RUN:
        try:
            # One text alone is no tuple but a str, which joins as itself.
            return "".join(itemgetter(*run)(_token_texts)) if run else ""
        except KeyError:
            pass
    try:
        return tokenizer.decode_bytes(run).decode()
    except (KeyError, TypeError, OverflowError, UnicodeDecodeError):
        return None


_THIRD_BYTE = 2 if _LITTLE_ENDIAN else 1
