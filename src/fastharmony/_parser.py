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
# Speed. `process` handles the common case — a content token whose bytes are
# complete UTF-8 — in a few lines; everything else goes through `_control`.
# `process_tokens` takes whole runs at once (a content run up to the next stop
# token, a header run up to <|message|>), decoding a run's bytes in one go; it
# falls back to token-by-token decoding for a run that holds invalid UTF-8, so
# its end state is always the one-by-one state. Received content tokens are
# kept as they are; the reference re-encodes every delta, which is its main cost.

from __future__ import annotations

import enum
import re
from typing import Any, Dict, Iterable, List, Optional

from ._encoding import HarmonyEncoding, check_token
from ._errors import HarmonyError, HarmonyValueError
from ._model import Author, Message, Role, TextContent
from ._vocab import LAST_TOKEN_ID, SPECIAL_TOKENS

START = SPECIAL_TOKENS["<|start|>"]
MESSAGE = SPECIAL_TOKENS["<|message|>"]
STOP_TOKENS = frozenset(SPECIAL_TOKENS[t] for t in ("<|end|>", "<|call|>", "<|return|>"))
CHANNEL_MARKER = "<|channel|>"
CONSTRAIN_MARKER = "<|constrain|>"

# Rust's `char::is_whitespace` (Unicode White_Space). Python's `str.isspace`
# also counts \x1c-\x1f, which Rust does not.
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_CHANNEL_END = re.compile("[<" + re.escape(_WHITESPACE) + "]")
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
        "_decode_run",
        "_strict",
        "_tokens",
        "_messages",
        "_next_role",
        "_state",
        "_header_tokens",
        "_header",
        "_content_tokens",
        "_pieces",
        "_pending",
        "_last_delta",
    )

    def __init__(self, encoding: HarmonyEncoding, role: Optional[Role], *, strict: bool = True) -> None:
        if not isinstance(encoding, HarmonyEncoding):
            raise HarmonyValueError(
                f"StreamableParser needs a fastharmony HarmonyEncoding, got {type(encoding).__name__}"
            )
        tokenizer = encoding._tokenizer
        self._blob = tokenizer._blob
        self._offsets = tokenizer._offsets
        self._decode_run = tokenizer.core.decode_bytes
        self._strict = bool(strict)
        self._tokens: List[int] = []
        self._messages: List[Message] = []
        self._next_role = None if role is None else _role_argument(role)
        self._state = EXPECT_START if role is None else HEADER
        self._header_tokens: List[int] = []
        self._header: Optional[tuple] = None  # (role, name, recipient, channel, content_type)
        self._content_tokens: List[int] = []
        self._pieces: List[str] = []
        self._pending = b""
        self._last_delta: Optional[str] = None

    # -- feeding ----------------------------------------------------------------

    def process(self, token: int) -> "StreamableParser":
        """Consume one token."""
        if type(token) is not int or not 0 <= token <= LAST_TOKEN_ID:
            check_token(token)
            token = token.__index__()
        self._tokens.append(token)
        if self._state is CONTENT and token not in STOP_TOKENS:
            self._content_tokens.append(token)
            offsets = self._offsets
            data = self._blob[offsets[token] : offsets[token + 1]]
            if self._pending:
                self._decode_step(data)
            else:
                try:
                    text = data.decode()
                except UnicodeDecodeError:
                    self._decode_step(data)
                else:
                    self._pieces.append(text)
                    self._last_delta = text
        else:
            self._control(token)
        return self

    def process_tokens(self, tokens: Iterable[int]) -> "StreamableParser":
        """Consume many tokens; the same as `process` on each, in one call.

        For speculative decoding and batched serving, which deliver several
        tokens per step.
        """
        tokens = _valid_tokens(tokens)
        if isinstance(tokens, _InvalidTokens):
            self.process_tokens(tokens.valid_prefix)
            raise tokens.error
        n = len(tokens)
        i = 0
        while i < n:
            state = self._state
            if state is CONTENT:
                j = _next_stop(tokens, i, n)
                if j > i:
                    self._tokens += tokens[i:j]
                    self._content_run(tokens, i, j)
                    i = j
                    continue
            elif state is HEADER:
                j = _header_run_end(tokens, i, n, self._strict)
                if j > i:
                    self._tokens += tokens[i:j]
                    self._header_tokens += tokens[i:j]
                    i = j
                    continue
            token = tokens[i]
            self._tokens.append(token)
            self._control(token)
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
        """Every transition except a content token in CONTENT."""
        state = self._state
        if state is EXPECT_START:
            if token != START:
                raise HarmonyError(f"Unexpected token {token} while expecting start token {START}")
            self._state = HEADER
            self._header_tokens = []
        elif state is HEADER:
            if token == MESSAGE:
                # As the reference: a header that fails to parse leaves EXPECT_START.
                self._state = EXPECT_START
                self._header = self._parse_header_tokens()
                self._next_role = None
                self._content_tokens = []
                self._pieces = []
                self._pending = b""
                self._last_delta = None
                self._state = CONTENT
            elif not self._strict and token in STOP_TOKENS:
                self._recover_headerless_message()
            else:
                self._header_tokens.append(token)
        else:  # CONTENT, and the token is a stop token
            self._finish_message()

    def _finish_message(self) -> None:
        role, name, recipient, channel, content_type = self._header
        text = "".join(self._pieces)
        if self._pending:
            text += self._pending.decode("utf-8", "replace")
        self._messages.append(_message(role, name, recipient, channel, content_type, text))
        self._state = EXPECT_START
        self._last_delta = None
        self._pieces = []
        self._pending = b""

    def _recover_headerless_message(self) -> None:
        # Non-strict: a stop token before <|message|>. When the parser was given
        # the role, the header's metadata is kept and the rest becomes content.
        role = self._next_role
        if role is not None and self._header_tokens:
            text = self._decode_utf8(self._header_tokens)
            header, rest = parse_header(text, role, parse_recipient_and_type=False)
            self._messages.append(_message(*header, rest or ""))
        self._state = EXPECT_START
        self._next_role = None

    def _parse_header_tokens(self) -> tuple:
        try:
            text = self._bytes_of(self._header_tokens).decode()
        except UnicodeDecodeError:
            raise HarmonyError("could not decode header") from None
        header, rest = parse_header(text, self._next_role, parse_recipient_and_type=True)
        if rest is not None:
            raise HarmonyError(
                f"unexpected tokens remaining in message header: Some({rust_debug_str(rest)})"
            )
        return header

    # -- content decoding -----------------------------------------------------------

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
        self._content_tokens += tokens[i:j]
        if j - i > 1:
            # All but the last token at once. That is the one-by-one result
            # whenever the bytes hold no invalid sequence: the valid prefix is
            # emitted and an incomplete character stays pending.
            buffer = self._pending + self._decode_run(tokens[i : j - 1])
            try:
                self._pieces.append(buffer.decode())
                self._pending = b""
            except UnicodeDecodeError as exc:
                if exc.reason != "unexpected end of data" or exc.end != len(buffer):
                    for token in tokens[i : j - 1]:
                        self._decode_step(self._bytes_of((token,)))
                else:
                    if exc.start:
                        self._pieces.append(buffer[: exc.start].decode())
                    self._pending = buffer[exc.start :]
        # The last token sets `last_content_delta`, as it would alone.
        self._decode_step(self._bytes_of((tokens[j - 1],)))

    def _bytes_of(self, tokens) -> bytes:
        blob, offsets = self._blob, self._offsets
        return b"".join([blob[offsets[t] : offsets[t + 1]] for t in tokens])

    def _decode_utf8(self, tokens: List[int]) -> str:
        from ._encoding import rust_utf8_error

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
        return pieces[0] if pieces else ""

    @property
    def current_role(self) -> Optional[Role]:
        if self._state is CONTENT:
            return self._header[0]
        return self._next_role

    @property
    def current_channel(self) -> Optional[str]:
        return self._header[3] if self._state is CONTENT else None

    @property
    def current_recipient(self) -> Optional[str]:
        return self._header[2] if self._state is CONTENT else None

    @property
    def current_content_type(self) -> Optional[str]:
        return self._header[4] if self._state is CONTENT else None

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
            return {"state": "Header", "header_tokens": list(self._header_tokens)}
        role, name, recipient, channel, content_type = self._header
        author: Dict[str, Any] = {"role": role.value}
        if name is not None:
            author["name"] = name
        return {
            "state": "Content",
            "header": {
                "author": author,
                "recipient": recipient,
                "channel": channel,
                "content_type": content_type,
            },
            "content_tokens": list(self._content_tokens),
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
    text = text.strip(_WHITESPACE)
    if CONSTRAIN_MARKER in text:
        text = text.replace(CONSTRAIN_MARKER, " " + CONSTRAIN_MARKER).strip(_WHITESPACE)
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
                raise HarmonyError(f"Unknown role: {first}")
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
        elif char.isprintable() or char == " ":
            out.append(char)
        else:
            out.append(f"\\u{{{ord(char):x}}}")
    out.append('"')
    return "".join(out)


_RUST_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"', "\0": "\\0"}


# -- helpers ------------------------------------------------------------------------


def _message(role, name, recipient, channel, content_type, text) -> Message:
    return Message(
        author=Author(role=role, name=name),
        content=[TextContent(text=text)],
        channel=channel,
        recipient=recipient,
        content_type=content_type,
    )


def _role_argument(role) -> Role:
    if isinstance(role, Role):
        return role
    found = _ROLES.get(role) if isinstance(role, str) else None
    if found is None:
        raise HarmonyValueError(f"unknown role: {role!r:.80}")
    return found


def _next_stop(tokens: List[int], i: int, n: int) -> int:
    """Index of the first stop token at or after i (n if none)."""
    # Three C-level scans beat a Python loop over the tokens.
    end = n
    for stop in STOP_TOKENS:
        try:
            end = tokens.index(stop, i, end)
        except ValueError:
            pass
    return end


def _header_run_end(tokens: List[int], i: int, n: int, strict: bool) -> int:
    """Index of the first token at or after i that ends a header run."""
    try:
        end = tokens.index(MESSAGE, i, n)
    except ValueError:
        end = n
    if not strict:
        end = _next_stop(tokens, i, end)
    return end


_INT_ONLY = {int}


class _InvalidTokens:
    __slots__ = ("valid_prefix", "error")

    def __init__(self, valid_prefix: list, error: HarmonyError) -> None:
        self.valid_prefix = valid_prefix
        self.error = error


def _valid_tokens(tokens) -> Any:
    """The tokens as a list of ints, or the valid prefix and the error for the first bad one."""
    if type(tokens) is not list:
        if isinstance(tokens, (str, bytes)):
            raise HarmonyValueError(f"expected a sequence of token ids, got {type(tokens).__name__}")
        try:
            tokens = list(tokens)
        except TypeError:
            raise HarmonyValueError(
                f"expected a sequence of token ids, got {type(tokens).__name__}"
            ) from None
    if not tokens:
        return tokens
    try:
        # C-speed checks: int types and range.
        if set(map(type, tokens)) == _INT_ONLY and min(tokens) >= 0 and max(tokens) <= LAST_TOKEN_ID:
            return tokens
    except TypeError:
        pass
    for index, token in enumerate(tokens):
        try:
            check_token(token)
        except HarmonyError as exc:
            return _InvalidTokens([t.__index__() for t in tokens[:index]], exc)
    return [t.__index__() for t in tokens]


def parse_tokens(encoding: HarmonyEncoding, tokens, role, strict) -> List[Message]:
    parser = StreamableParser(encoding, role, strict=strict)
    parser.process_tokens(tokens)
    parser.process_eos()
    return parser._messages
