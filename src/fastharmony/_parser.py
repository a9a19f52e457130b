# The Harmony parser: completion tokens back into messages, one state machine
# for streaming and batch use.
#
# States (as in openai-harmony):
#   EXPECT_START  waiting for <|start|>; anything else is an error.
#   HEADER        collecting header tokens until <|message|>; then the header
#                 text is parsed into role/author, recipient, channel and content
#                 type. Non-strict parsers also accept a stop token here (a
#                 model that forgot <|message|>): the header's metadata is kept
#                 and the rest of it becomes the content.
#   CONTENT       collecting content until a stop token (<|end|>, <|call|>,
#                 <|return|>) or EOS, which completes the message.
#
# Content is decoded incrementally, exactly as the reference does: the bytes of
# each token join any bytes still pending from earlier tokens; the longest valid
# UTF-8 prefix is emitted as the delta; then, if an invalid sequence follows,
# one U+FFFD is emitted for it and its bytes dropped; an incomplete sequence at
# the end waits for the next token (no delta). At the end of the message what is
# still pending is decoded lossily.
#
# Unlike the reference, token ids are checked at the call that receives them:
# an id outside 0..201088 raises HarmonyError instead of turning the rest of
# the message into U+FFFD.
#
# Speed. `process` handles the common cases in a few lines: a header token
# (only kept), and a content token whose text is memoised (its bytes are
# complete UTF-8 alone) with nothing pending; everything else goes through
# `_content_token` or `_control`.
# `process_tokens` takes whole runs at once (a content run up to the next stop
# token, a header run up to <|message|>), decoding a run's bytes in one go; it
# falls back to token-by-token decoding for a run that holds invalid UTF-8, so
# its end state is always the one-by-one state. Received content tokens are
# kept as they are; the reference re-encodes every delta, which is its main cost.

from __future__ import annotations

import enum
import re
import unicodedata
from array import array
from typing import Any, Dict, Iterable, List, Optional

from ._errors import HarmonyError, HarmonyValueError
from ._model import Author, Message, Role, TextContent, role_argument
from ._pattern import WHITE_SPACE
from ._tokens import check_token, rust_utf8_error, token_list
from ._vocab import LAST_TOKEN_ID, SPECIAL_TOKENS, Tokenizer

START = SPECIAL_TOKENS["<|start|>"]
MESSAGE = SPECIAL_TOKENS["<|message|>"]
STOP_TOKENS = frozenset(SPECIAL_TOKENS[t] for t in ("<|end|>", "<|call|>", "<|return|>"))
_HEADER_ENDS = STOP_TOKENS | {MESSAGE}  # the tokens `_control` handles in HEADER
CHANNEL_MARKER = "<|channel|>"
CONSTRAIN_MARKER = "<|constrain|>"

# Rust's `char::is_whitespace` is Unicode White_Space, as the regex crate's
# `\s` is (Python's `str.isspace` also counts \x1c-\x1f).
_CHANNEL_END = re.compile("[<" + re.escape(WHITE_SPACE) + "]")
# Rust's `split_ascii_whitespace`: not \x0b.
_ASCII_WHITESPACE = re.compile("[ \t\n\x0c\r]+")
_ROLES = {role.value: role for role in Role}


class StreamState(enum.Enum):
    EXPECT_START = "ExpectStart"
    HEADER = "Header"
    CONTENT = "Content"


EXPECT_START = StreamState.EXPECT_START
HEADER = StreamState.HEADER
CONTENT = StreamState.CONTENT


class StreamableParser:
    """Incremental parser over completion tokens (sans I/O: feed tokens, read state).

    >>> parser = StreamableParser(enc, Role.ASSISTANT)
    >>> for token in enc.encode("<|channel|>final<|message|>Hi!", allowed_special="all"):
    ...     parser = parser.process(token)
    >>> parser.current_channel, parser.current_content, parser.last_content_delta
    ('final', 'Hi!', '!')
    """

    __slots__ = (
        "_blob",
        "_offsets",
        "_lengths",
        "_decode_run",
        "_strict",
        "_tokens",
        "_messages",
        "_next_role",
        "_state",
        "_run_start",
        "_failed_stops",
        "_header",
        "_pieces",
        "_join_at",
        "_pending",
        "_last_delta",
    )

    def __init__(self, encoding, role: Optional[Role], *, strict: bool = True) -> None:
        # A HarmonyEncoding, or (internally) its Tokenizer.
        tokenizer = encoding if type(encoding) is Tokenizer else getattr(encoding, "_tokenizer", None)
        if type(tokenizer) is not Tokenizer:
            raise HarmonyValueError(
                f"StreamableParser needs a fastharmony HarmonyEncoding, got {type(encoding).__name__}"
            )
        self._blob = tokenizer.blob
        self._offsets = tokenizer.offsets
        self._lengths = tokenizer.lengths
        self._decode_run = tokenizer.decode_ints
        self._strict = bool(strict)
        self._tokens: List[int] = []
        self._messages: List[Message] = []
        self._next_role = None if role is None else role_argument(role)
        self._state = EXPECT_START if role is None else HEADER
        # Where the current header's (or content's) tokens begin in `_tokens`:
        # every token fed in HEADER or CONTENT state, stop tokens aside, belongs
        # to the header or content, so a start index describes them.
        self._run_start = 0
        # Non-strict: stop tokens whose headerless recovery raised stay in
        # `_tokens` but, as in the reference, not in the header (their indices).
        self._failed_stops: tuple = ()
        # The parsed header of the message in progress, as a template: the
        # message it begins, without content (see `_message_from`).
        self._header: Optional[Message] = None
        self._pieces: List[str] = []
        self._join_at = _PIECES_PER_CHUNK
        self._pending = b""
        self._last_delta: Optional[str] = None

    # -- feeding ----------------------------------------------------------------

    def process(self, token: int) -> "StreamableParser":
        """Consume one token."""
        if type(token) is not int or not 0 <= token <= LAST_TOKEN_ID:
            token = check_token(token)
        self._tokens.append(token)
        state = self._state
        if state is CONTENT:
            text = _token_texts.get(token)  # never a stop token's
            if text is not None and not self._pending:
                pieces = self._pieces
                pieces.append(text)
                self._last_delta = text
                if len(pieces) >= self._join_at:
                    self._join_pieces()
                return self
            if token not in STOP_TOKENS:
                self._content_token(token)
                return self
        elif state is HEADER and token not in _HEADER_ENDS:
            return self  # kept in `_tokens`, parsed at <|message|>
        self._control(token)
        return self

    def process_tokens(self, tokens: Iterable[int]) -> "StreamableParser":
        """Consume many tokens; the same as `process` on each, in one call.

        For speculative decoding and batched serving, which deliver several
        tokens per step. An invalid token id raises after the tokens before it
        have been processed, as it would one by one.
        """
        # A list first: an iterator would be used up by the fast check below.
        if type(tokens) is not list:
            tokens = token_list(tokens)
        try:
            # Ints >= 0 all, as a new list of plain ints (a bool or a numpy
            # integer becomes an int). Ids past the vocabulary are caught
            # later, at lower cost.
            ids = array("I", tokens).tolist()
        except (TypeError, OverflowError, ValueError):
            # Something is not a token id: one by one, so the error comes at its place.
            for token in tokens:
                self.process(token)
            return self
        tokens = ids
        n = len(tokens)
        scan = _Scanner(tokens, n)
        i = 0
        while i < n:
            state = self._state
            if state is CONTENT:
                j = scan.next_stop(i)
                if j > i:
                    self._content_run(tokens, i, j)  # leaves the state CONTENT
                if j < n:  # the stop token completes the message
                    self._tokens.append(tokens[j])
                    self._finish_message()
                i = j + 1
            elif state is HEADER:
                j = scan.next_header_end(i, self._strict)
                if j > i:
                    run = tokens[i:j]
                    if max(run) > LAST_TOKEN_ID:
                        for token in run:
                            self.process(token)  # raises at the first invalid id
                    else:
                        self._tokens += run
                if j < n:
                    # <|message|>, or a stop token in a non-strict parser: a
                    # known id, so `process` would only add its range check.
                    self._tokens.append(tokens[j])
                    self._control(tokens[j])
                i = j + 1
            else:
                self.process(tokens[i])
                i += 1
        return self

    def process_eos(self) -> "StreamableParser":
        """Signal the end of the stream: completes a message in progress."""
        state = self._state
        if state is CONTENT:
            self._finish_message()
        elif state is HEADER:
            raise HarmonyError("Unexpected EOS while waiting for message header to complete")
        return self

    # -- the state machine --------------------------------------------------------

    def _control(self, token: int) -> None:
        """Every transition; `process` takes content and header tokens itself."""
        state = self._state
        if state is EXPECT_START:
            if token != START:
                raise HarmonyError(f"Unexpected token {token} while expecting start token {START}")
            self._state = HEADER
            self._run_start = len(self._tokens)
            self._failed_stops = ()
        elif state is HEADER:
            if token == MESSAGE:
                # As the reference: a header that fails to parse leaves EXPECT_START.
                self._state = EXPECT_START
                self._header = self._parse_header_tokens()
                self._next_role = None
                self._run_start = len(self._tokens)
                self._pieces = []
                self._join_at = _PIECES_PER_CHUNK
                self._pending = b""
                self._last_delta = None
                self._state = CONTENT
            elif not self._strict and token in STOP_TOKENS:
                try:
                    self._recover_headerless_message()
                except HarmonyError:
                    self._failed_stops += (len(self._tokens) - 1,)
                    raise
        else:  # CONTENT, and the token is a stop token
            self._finish_message()

    def _finish_message(self) -> None:
        text = "".join(self._pieces)
        if self._pending:
            text += self._pending.decode("utf-8", "replace")
        self._messages.append(_message_from(self._header, text))
        self._state = EXPECT_START
        self._last_delta = None
        self._pieces = []
        self._pending = b""

    def _recover_headerless_message(self) -> None:
        # Non-strict: a stop token before <|message|>. When the parser was given
        # the role, the header's metadata is kept and the rest becomes content.
        role = self._next_role
        header_tokens = self._header_tokens(-1)  # the stop token aside
        if role is not None and header_tokens:
            text = self._decode_utf8(header_tokens)
            header, rest = parse_header(text, role, parse_recipient_and_type=False)
            self._messages.append(_message_from(_template(*header), rest or ""))
        self._state = EXPECT_START
        self._next_role = None

    def _header_tokens(self, end: Optional[int]) -> List[int]:
        tokens = self._tokens[self._run_start : end]
        if self._failed_stops:
            start, failed = self._run_start, self._failed_stops
            tokens = [token for at, token in enumerate(tokens, start) if at not in failed]
        return tokens

    def _parse_header_tokens(self) -> Message:
        # Headers repeat (`<|channel|>final`, the same tool calls): parse each once.
        # Only short ones are remembered: a pathological header of a million
        # tokens must not stay in memory after the parser is gone.
        if self._failed_stops:
            header_tokens = self._header_tokens(-1)
        else:
            header_tokens = self._tokens[self._run_start : -1]  # <|message|> aside
        key = None
        if len(header_tokens) <= _MEMO_HEADER_TOKENS:
            key = (self._next_role, *header_tokens)
            template = _parsed_headers.get(key)
            if template is not None:
                return template
        try:
            text = self._bytes_of(header_tokens).decode()
        except UnicodeDecodeError:
            raise HarmonyError("could not decode header") from None
        header, rest = parse_header(text, self._next_role, parse_recipient_and_type=True)
        if rest is not None:
            rest, more = _clip(rest)
            raise HarmonyError(
                f"unexpected tokens remaining in message header: Some({rust_debug_str(rest)}){more}"
            )
        template = _template(*header)
        if key is not None and len(text) <= _MEMO_HEADER_CHARS:
            if len(_parsed_headers) >= _PARSED_HEADERS_LIMIT:
                _parsed_headers.clear()
            _parsed_headers[key] = template
        return template

    # -- content decoding -----------------------------------------------------------

    def _join_pieces(self) -> None:
        # A str per token costs ~60 bytes a token for as long as the message
        # lasts: every _PIECES_PER_CHUNK pieces are joined into one. The pieces
        # before `first` are chunks joined earlier, never copied again.
        pieces = self._pieces
        first = self._join_at - _PIECES_PER_CHUNK
        pieces[first:] = ["".join(pieces[first:])]
        self._join_at = len(pieces) + _PIECES_PER_CHUNK

    def _content_token(self, token: int) -> None:
        """A content token that `process` could not take as it is."""
        start = self._offsets[token]
        data = self._blob[start : start + self._lengths[token]]
        if not self._pending:
            try:
                text = data.decode()
            except UnicodeDecodeError:
                pass
            else:  # complete UTF-8 alone: `process` takes it as it is next time
                if len(_token_texts) >= _TOKEN_TEXTS_LIMIT:
                    _token_texts.clear()
                _token_texts[token] = text
        self._decode_step(data)

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

    def _content_run(self, tokens: List[int], i: int, j: int) -> None:
        """Content tokens i..j-1 (no stop token among them), as if one by one."""
        if j - i > 1:
            try:
                # tiktoken's decoder also rejects ids past the vocabulary. The
                # last id is decoded alone below, after the others have gone in
                # without a delta: check it first too.
                if tokens[j - 1] > LAST_TOKEN_ID:
                    raise KeyError(tokens[j - 1])
                run = tokens[i : j - 1]
                data = self._decode_run(run)
            except KeyError:
                for token in tokens[i:j]:
                    self.process(token)  # raises at the first invalid id
                return
            self._tokens += run
            # All but the last token at once. That is the one-by-one result
            # whenever the bytes hold no invalid sequence: the valid prefix is
            # emitted and an incomplete character stays pending.
            buffer = self._pending + data
            try:
                self._pieces.append(buffer.decode())
                self._pending = b""
            except UnicodeDecodeError as exc:
                if exc.reason != "unexpected end of data":
                    for token in tokens[i : j - 1]:
                        self._decode_step(self._bytes_of((token,)))
                else:
                    if exc.start:
                        self._pieces.append(buffer[: exc.start].decode())
                    self._pending = buffer[exc.start :]
        # The last token sets `last_content_delta`, as it would alone.
        self.process(tokens[j - 1])

    def _bytes_of(self, tokens) -> bytes:
        blob, offsets, lengths = self._blob, self._offsets, self._lengths
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
        return self._last_delta

    @property
    def messages(self) -> List[Message]:
        """The messages completed so far."""
        return list(self._messages)

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


# -- header text ------------------------------------------------------------------


def parse_header(text: str, role: Optional[Role], parse_recipient_and_type: bool):
    """((role, name, recipient, channel, content_type), rest) from a header's text.

    The reference's rules: the channel follows <|channel|> up to whitespace or
    '<'; the remaining words are the role (when not given), then an optional
    recipient (`to=` or a bare word) and content type, last. An unknown first
    word followed by more words names a tool author. Words left over are `rest`.
    """
    channel = None
    at = text.find(CHANNEL_MARKER)
    if at != -1:
        after = text[at + len(CHANNEL_MARKER) :]
        end = _CHANNEL_END.search(after)
        end = end.start() if end else len(after)
        if end == 0:
            raise HarmonyError("channel marker present but no channel value found in header")
        channel = after[:end]
        text = text[:at] + after[end:]
    text = text.strip(WHITE_SPACE)
    if CONSTRAIN_MARKER in text:
        text = text.replace(CONSTRAIN_MARKER, " " + CONSTRAIN_MARKER).strip(WHITE_SPACE)
    parts = [part for part in _ASCII_WHITESPACE.split(text) if part]

    name = None
    if role is None:
        if not parts:
            raise HarmonyError("message header did not contain a role")
        first = parts[0]
        role = _ROLES.get(first)
        if role is None:
            if len(parts) > 1 or first.startswith("to="):
                del parts[0]
                role = Role.TOOL
            else:
                first, more = _clip(first)
                raise HarmonyError(f"Unknown role: {first}{more}")
        if role is Role.TOOL:
            name = first
    if parts and parts[0] == role.value:
        del parts[0]

    recipient = content_type = None
    if parse_recipient_and_type and parts:
        count = len(parts)
        last = parts.pop()
        if last.startswith("to="):
            recipient = last[3:]
        elif count == 1:
            # A lone word is a recipient, even `<|constrain|>json` (openai-harmony
            # 0.0.8; later versions read that one as a content type).
            recipient = last
        else:
            content_type = last
            if parts:
                raw = parts.pop()
                recipient = raw[3:] if raw.startswith("to=") else raw
    rest = " ".join(parts) if parts else None
    return (role, name, recipient, channel, content_type), rest


def rust_debug_str(text: str) -> str:
    """`{:?}` of a Rust string, as the reference's messages print it."""
    out = ['"']
    for char in text:
        escaped = _RUST_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif (char.isprintable() or char == " ") and not _is_grapheme_extend(char):
            out.append(char)
        else:
            out.append(f"\\u{{{ord(char):x}}}")
    out.append('"')
    return "".join(out)


_RUST_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"', "\0": "\\0"}

# `{:?}` also escapes Grapheme_Extend characters (the reference's Unicode 16):
# combining marks (Mn, Me) and these others; U+1171E was Mn until Unicode 15.
_OTHER_GRAPHEME_EXTEND = frozenset(
    map(chr, (
        0x9BE, 0x9D7, 0xB3E, 0xB57, 0xBBE, 0xBD7, 0xCC0, 0xCC2, 0xCC7, 0xCC8, 0xCCA, 0xCCB,
        0xCD5, 0xCD6, 0xD3E, 0xD57, 0xDCF, 0xDDF, 0x1715, 0x1734, 0x1B35, 0x1B3B, 0x1B3D,
        0x1B43, 0x1B44, 0x1BAA, 0x1BF2, 0x1BF3, 0x302E, 0x302F, 0xA953, 0xA9C0, 0xFF9E,
        0xFF9F, 0x111C0, 0x11235, 0x1133E, 0x1134D, 0x11357, 0x114B0, 0x114BD, 0x115AF,
        0x116B6, 0x11930, 0x1193D, 0x16FF0, 0x16FF1, 0x1D165, 0x1D166, 0x1D16D, 0x1D16E,
        0x1D16F, 0x1D170, 0x1D171, 0x1D172,
    ))
)  # fmt: skip


def _is_grapheme_extend(char: str) -> bool:
    if char in _OTHER_GRAPHEME_EXTEND:
        return True
    return unicodedata.category(char) in ("Mn", "Me") and char != "\U0001171e"


# -- helpers ------------------------------------------------------------------------


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


_parsed_headers: dict = {}
_PARSED_HEADERS_LIMIT = 4096
_MEMO_HEADER_TOKENS = 64
_PIECES_PER_CHUNK = 1024
_MEMO_HEADER_CHARS = 256

# The text of each content token seen whose bytes are complete UTF-8 on their
# own: one dict lookup instead of slicing the vocabulary blob and decoding.
# Bounded like `_parsed_headers` (~4 MB at most). Stop tokens never go in:
# they reach `_control`, never `_content_token`.
_token_texts: Dict[int, str] = {}
_TOKEN_TEXTS_LIMIT = 1 << 15

# Header text quoted in an error message: in full, as the reference quotes it,
# up to this many characters; a pathological header is cut short.
_QUOTE_LIMIT = 200


def _clip(text: str) -> tuple:
    if len(text) <= _QUOTE_LIMIT:
        return text, ""
    return text[:_QUOTE_LIMIT], f"... ({len(text)} characters in all)"


class _Scanner:
    """Finds the next stop token or <|message|> in a batch, amortised linear.

    `list.index` scans at C speed; remembering where each value occurs next
    means no stretch of the batch is scanned twice for the same value.
    """

    __slots__ = ("_tokens", "_n", "_next", "_stops")

    def __init__(self, tokens: List[int], n: int) -> None:
        self._tokens = tokens
        self._n = n
        self._next: Dict[int, int] = {}
        self._stops = tuple(STOP_TOKENS.intersection(tokens))  # only these can be found

    def _find(self, value: int, i: int) -> int:
        at = self._next.get(value, -1)
        if at < i:
            try:
                at = self._tokens.index(value, i)
            except ValueError:
                at = self._n
            self._next[value] = at
        return at

    def next_stop(self, i: int) -> int:
        stops = self._stops
        if len(stops) == 1:
            return self._find(stops[0], i)
        return min([self._find(stop, i) for stop in stops], default=self._n)

    def next_header_end(self, i: int, strict: bool) -> int:
        end = self._find(MESSAGE, i)
        return end if strict else min(end, self.next_stop(i))


def parse_tokens(tokenizer: Tokenizer, tokens, role, strict) -> List[Message]:
    # `strict` is set after construction: a keyword argument makes calling a
    # class ~100 ns slower (its arguments are packed into a tuple and a dict).
    # bool() first, as __init__ takes it before the role.
    strict = bool(strict)
    parser = StreamableParser(tokenizer, role)
    parser._strict = strict
    parser.process_tokens(tokens)
    parser.process_eos()
    return parser._messages
