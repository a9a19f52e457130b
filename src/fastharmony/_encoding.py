# `HarmonyEncoding`, the facade users hold, and `load_harmony_encoding`.
#
# It ties the tokenizer (_vocab), the renderer (_render) and the parser
# (_parser) together behind openai-harmony's method names and signatures.
# Arguments are checked here, at the boundary, so that the modules behind it
# can assume valid input on their hot paths: whatever goes wrong surfaces as a
# HarmonyError that names the problem.
#
# Rules of this file:
# - Every render path (render, render_conversation and its completion,
#   training and spans forms) goes through `_rendered`, into the one loop of
#   _render (or the render cache around it, when loaded with one).
# - An encoding is identified by (name, dialect, render cache size): loading
#   memoises it under that key, pickling sends only that key, and all share
#   one Tokenizer, so the vocabulary is loaded once per process.
# - The modules behind the facade are handed the tokenizer and dialect (the
#   parser's public StreamableParser reads them through `_vocab.tokenizer_of`):
#   none imports this module, so there is no import cycle.

from __future__ import annotations

import codecs
import operator
import os
import re
import sys
import threading
from functools import cached_property, partial
from typing import AbstractSet, Collection, List, Literal, Optional, Sequence, Tuple, Union

from ._errors import HarmonyError, HarmonyUnicodeDecodeError, HarmonyValueError, shown
from ._model import (
    Conversation,
    HarmonyEncodingName,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    role_argument,
)
from ._lax import strict_flag
from ._parser import parse_tokens
from ._render import (
    CONVERSATION_TOOLS_DEPTH,
    DIALECTS,
    MESSAGE_TOOLS_DEPTH,
    MessageSpan,
    Renderer,
    spans_of,
)
from ._render_cache import CacheInfo, RenderCache
from ._serde import LoneSurrogate, surrogate_joining, without_surrogates
from ._tokens import (
    ACTION_STOP_TOKENS,
    RETURN,
    START,
    STOP_TOKENS,
    int_text,
    invalid_token,
    rust_utf8_error,
    token_list,
)
from ._vocab import ENCODING_NAME, LAST_TOKEN_ID, N_ORDINARY_TOKENS, SPECIAL_TOKENS, Tokenizer

_SORTED_STOP_TOKENS = sorted(STOP_TOKENS)
_SORTED_ACTION_STOP_TOKENS = sorted(ACTION_STOP_TOKENS)
DEFAULT_DIALECT = "0.0.8"
DIALECT_VARIABLE = "FASTHARMONY_DIALECT"


class HarmonyEncoding:
    """The Harmony encoding of gpt-oss: renders conversations to tokens and
    parses completion tokens back into messages.

    Get it with `load_harmony_encoding("HarmonyGptOss")`. One instance is safe to
    share between threads, and pickles by name and dialect (the vocabulary is
    loaded once per process, however many copies arrive).

    >>> enc = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
    >>> enc.render(Message.from_role_and_content(Role.USER, "Hi"))
    [200006, 1428, 200008, 12194, 200007]
    >>> import pickle
    >>> pickle.loads(pickle.dumps(enc)) is enc
    True
    """

    def __init__(
        self, name: str, tokenizer: Tokenizer, dialect: str = DEFAULT_DIALECT, render_cache: int = 0
    ) -> None:
        self._name = name
        self._dialect = dialect
        self._tokenizer = tokenizer
        self._cache = RenderCache(render_cache) if render_cache else None

    # The renderers encode text, so they are made by the first render: a process
    # that only parses never builds the BPE (see _vocab.Tokenizer).

    @cached_property
    def _renderer(self) -> Renderer:
        return Renderer(self._tokenizer, self._dialect)

    @cached_property
    def _joining_renderer(self) -> Renderer:
        # Used only after the fast renderer meets a str tiktoken cannot take.
        return Renderer(self._tokenizer, self._dialect, surrogate_joining(self._tokenizer.encode_ordinary))

    # What renders: the one loop, or the render cache around it (chosen once,
    # so that an encoding without a cache pays nothing for its existence).

    @cached_property
    def _render_into(self):
        if self._cache is None:
            return self._renderer.render_into
        return partial(self._cache.render_into, self._renderer)

    @cached_property
    def _joining_render_into(self):
        if self._cache is None:
            return self._joining_renderer.render_into
        return partial(self._cache.render_into, self._joining_renderer)

    @cached_property
    def _next_turn_headers(self) -> dict:
        # `<|start|>` and the role: what render_conversation_for_completion appends.
        return {role: [START, *self._renderer.role_tokens(role)] for role in Role}

    def __repr__(self) -> str:
        dialect = "" if self._dialect == DEFAULT_DIALECT else f", dialect {self._dialect}"
        return f"<HarmonyEncoding {self._name!r} ({ENCODING_NAME}{dialect})>"

    def __reduce__(self):
        # By name, dialect and cache size: unpickling loads (or finds) the
        # process's own copy.
        return (_unpickled_encoding, (self._name, self._dialect, self.render_cache_info().maxsize))

    def __copy__(self) -> "HarmonyEncoding":
        return self  # immutable: a copy could only be the same encoding

    def __deepcopy__(self, memo) -> "HarmonyEncoding":
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def dialect(self) -> str:
        """Which implementation's rendering this encoding reproduces: "0.0.8"
        (openai-harmony 0.0.8, the default) or "0.0.11" (oss-harmony 0.0.11).

        >>> load_harmony_encoding("HarmonyGptOss", dialect="0.0.11").dialect
        '0.0.11'
        """
        return self._dialect

    def render_cache_info(self) -> CacheInfo:
        """Hits, misses, maximum and current size of the render cache (all 0
        without one: see `load_harmony_encoding`'s `render_cache`).

        >>> cached = load_harmony_encoding("HarmonyGptOss", render_cache=64)
        >>> cached.clear_render_cache()   # (shared by all who load this size: start afresh)
        >>> hello = Message.from_role_and_content(Role.USER, "Hello")
        >>> cached.render(hello) == cached.render(hello) == enc.render(hello)
        True
        >>> cached.render_cache_info()
        CacheInfo(hits=1, misses=1, maxsize=64, currsize=1)
        >>> hello.content[0].text = "Hello!"     # a changed message is another message
        >>> cached.render(hello) == enc.render(hello)
        True
        >>> cached.render_cache_info()
        CacheInfo(hits=1, misses=2, maxsize=64, currsize=2)
        >>> cached.clear_render_cache()
        """
        if self._cache is None:
            return CacheInfo(0, 0, 0, 0)
        return self._cache.info()

    def clear_render_cache(self) -> None:
        """Forget every rendered message (and the counters) of the render cache."""
        if self._cache is not None:
            self._cache.clear()

    @property
    def tokenizer_name(self) -> str:
        return ENCODING_NAME

    @cached_property
    def special_tokens_set(self) -> set:
        return set(SPECIAL_TOKENS)

    # -- rendering --------------------------------------------------------------

    def render_conversation_for_completion(
        self,
        conversation: Conversation,
        next_turn_role: Role,
        config: Optional[RenderConversationConfig] = None,
    ) -> List[int]:
        """Render a conversation and the header of the next turn, ready for sampling."""
        role = role_argument(next_turn_role)
        out = self._render_conversation(conversation, config)
        out += self._next_turn_headers[role]
        return out

    def render_conversation(
        self, conversation: Conversation, config: Optional[RenderConversationConfig] = None
    ) -> List[int]:
        """Render a conversation without appending a new turn."""
        return self._render_conversation(conversation, config)

    def render_conversation_with_spans(
        self, conversation: Conversation, config: Optional[RenderConversationConfig] = None
    ) -> Tuple[List[int], List[MessageSpan]]:
        """`render_conversation`'s tokens, and where each message lies in them.

        The spans are one `MessageSpan` per message of `conversation.messages`,
        in order, dropped ones included (see `MessageSpan`).

        >>> convo = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
        >>> enc.render_conversation_with_spans(convo)
        ([200006, 1428, 200008, 12194, 200007], [MessageSpan(index=0, start=0, header_end=3, end=5, dropped=False)])
        """
        messages = _messages_of(conversation)
        auto_drop = True if config is None else _auto_drop_flag(config)
        out, marks = self._render_with_marks(messages, auto_drop)
        return out, spans_of(messages, auto_drop, 0, marks)

    def _render_with_marks(self, messages, auto_drop: bool) -> Tuple[List[int], List[int]]:
        """The tokens of a conversation and the render loop's marks (see
        `Renderer.render_into`): what `render_conversation_with_spans` builds
        its spans from, and what training reads directly, where a span
        object per message would cost a third of the loss mask's time."""
        marks: List[int] = []
        return self._rendered(messages, auto_drop, None, marks), marks

    def render_conversation_for_training(
        self, conversation: Conversation, config: Optional[RenderConversationConfig] = None
    ) -> List[int]:
        """Render a conversation for training: a final assistant answer ends in `<|return|>`."""
        messages = _messages_of(conversation)
        out = self._render_conversation(messages, config)
        if messages and out:
            last = messages[-1]
            if last.author.role == Role.ASSISTANT and last.channel == "final":
                out[-1] = RETURN
        return out

    def render(self, message: Message, render_options: Optional[RenderOptions] = None) -> List[int]:
        """Render a single message."""
        if not isinstance(message, Message):
            raise HarmonyValueError(f"render expects a Message, got {type(message).__name__}")
        has_function_tools = False
        if render_options is not None:
            has_function_tools = _render_options_flag(render_options)
        return self._rendered((message,), False, has_function_tools, None, MESSAGE_TOOLS_DEPTH)

    def _render_conversation(self, conversation, config) -> List[int]:
        # (The exact type first: the per-request path saves a call.)
        messages = conversation.messages if type(conversation) is Conversation else _messages_of(conversation)
        return self._rendered(messages, True if config is None else _auto_drop_flag(config))

    def _rendered(
        self, messages, auto_drop, has_function_tools=None, marks=None, tools_depth=CONVERSATION_TOOLS_DEPTH
    ) -> List[int]:
        """The tokens of `Renderer.render_into`, every failure a HarmonyError.

        Text with surrogate code points (which tiktoken refuses) is rendered
        again by the renderer whose encoder joins surrogate pairs.
        """
        out: List[int] = []
        try:
            try:
                self._render_into(messages, out, auto_drop, has_function_tools, tools_depth, marks)
            except UnicodeEncodeError:
                out = []
                if marks is not None:
                    marks.clear()
                self._joining_render_into(messages, out, auto_drop, has_function_tools, tools_depth, marks)
        except HarmonyError:
            raise
        except Exception as exc:
            _check_messages(messages)
            raise _harmony_error(exc) from None
        return out

    # -- parsing ----------------------------------------------------------------

    def parse_messages_from_completion_tokens(
        self, tokens: Sequence[int], role: Optional[Role] = None, *, strict: Optional[bool] = True
    ) -> List[Message]:
        """Parse completion tokens back into messages.

        With `role=None` the tokens must begin with `<|start|>`; with a role they
        begin inside that role's header (e.g. after a prompt rendered for completion).
        """
        return parse_tokens(self._tokenizer, self._dialect, tokens, role, strict_flag(strict))

    # -- tokens -----------------------------------------------------------------

    def encode(
        self,
        text: str,
        *,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = frozenset(),
        disallowed_special: Union[Literal["all"], Collection[str]] = "all",
    ) -> List[int]:
        """Encode text. Text spelling a special token raises, unless that token is
        allowed (it becomes the special token) or not disallowed (it stays text).

        >>> enc.encode("hello world")
        [24912, 2375]
        >>> enc.encode("<|start|>", allowed_special={"<|start|>"})
        [200006]
        >>> enc.encode("<|start|>", disallowed_special=())
        [27, 91, 5236, 91, 29]
        """
        if not isinstance(text, str):
            raise HarmonyValueError(f"encode expects str, got {type(text).__name__}")
        try:
            if allowed_special == "all":
                allowed_special = self.special_tokens_set
            # Every special token contains "<|", so text without it needs no search;
            # strings the caller disallows may be anything, and are always searched.
            may_match = True
            if disallowed_special == "all":
                disallowed_special = self.special_tokens_set - set(allowed_special)
                may_match = "<|" in text
            if disallowed_special and may_match:
                match = _special_token_regex(frozenset(disallowed_special)).search(text)
                if match:
                    _raise_disallowed_special_token(match.group())
            text = without_surrogates(text)
            encode_ordinary = self._tokenizer.encode_ordinary
            if not allowed_special:
                return encode_ordinary(text)
            allowed = frozenset(allowed_special)
            for token in allowed:
                if not isinstance(token, str):
                    raise TypeError(f"{type(token).__name__} {shown(token)} is not a str")
            # What tiktoken's encode does: text between the allowed special
            # tokens (strings that are none stay text) is ordinary text.
            if "<|" not in text:
                return encode_ordinary(text)
            tokens: List[int] = []
            start = 0
            for match in _SPECIAL_TOKEN_SHAPE.finditer(text):
                name = match.group()
                if name in allowed and name in SPECIAL_TOKENS:
                    tokens += encode_ordinary(text[start : match.start()])
                    tokens.append(SPECIAL_TOKENS[name])
                    start = match.end()
            tokens += encode_ordinary(text[start:])
            return tokens
        except TypeError as exc:  # the only arguments left unchecked
            raise HarmonyValueError(
                'allowed_special and disallowed_special must be "all" or collections of '
                f"special-token strings: {exc}"
            ) from None

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """The bytes of the tokens, special tokens spelled out."""
        tokens = token_list(tokens)
        try:
            return self._tokenizer.decode_bytes(tokens)
        except (KeyError, OverflowError, TypeError, ValueError):
            raise invalid_token(tokens) from None

    def decode_utf8(self, tokens: Sequence[int]) -> str:
        """Decode tokens to text; invalid UTF-8 raises HarmonyError (see `decode`)."""
        data = self.decode_bytes(tokens)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HarmonyError(f"Could not decode tokens: Invalid utf-8 sequence: {rust_utf8_error(exc)}") from None

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """Decode tokens to text, replacing invalid UTF-8 (lossy by default).

        `errors` is a codec error handler, as for `bytes.decode`; with
        "strict", bytes that are not UTF-8 raise UnicodeDecodeError, as the
        reference raises it (also a HarmonyError here).

        >>> enc.decode([24912, 2375])
        'hello world'
        >>> enc.decode([200006, 9552], errors="strict")
        Traceback (most recent call last):
        ...
        fastharmony._errors.HarmonyUnicodeDecodeError: 'utf-8' codec can't decode bytes in position 10-11: unexpected end of data
        """
        data = self.decode_bytes(tokens)
        if errors != "replace":
            _check_error_handler(errors)
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:  # errors="strict": as the reference, with its arguments
            raise HarmonyUnicodeDecodeError(*exc.args) from None
        except UnicodeError as exc:  # a handler that raises something else
            raise HarmonyValueError(f"Could not decode tokens: {exc}") from None

    def is_special_token(self, token: int) -> bool:
        """Whether the id is a special token (False for other ids up to 2**32 - 1)."""
        if type(token) is not int:
            try:
                token = operator.index(token)  # numpy integers, as the reference takes them
            except TypeError:
                raise HarmonyValueError(
                    f"token ids are integers, got {type(token).__name__} {shown(token, 40)}"
                ) from None
        if not 0 <= token <= _MAX_TOKEN_ID:
            # The reference takes a u32 and raises OverflowError outside it.
            raise HarmonyValueError(f"token ids are 32-bit unsigned integers, got {int_text(token)}")
        return N_ORDINARY_TOKENS <= token <= LAST_TOKEN_ID

    def stop_tokens(self) -> List[int]:
        """Tokens that end a message: `<|return|>`, `<|end|>`, `<|call|>`."""
        return list(_SORTED_STOP_TOKENS)

    def stop_tokens_for_assistant_actions(self) -> List[int]:
        """Tokens that end an assistant turn: `<|return|>`, `<|call|>`."""
        return list(_SORTED_ACTION_STOP_TOKENS)

_MAX_TOKEN_ID = 2**32 - 1


# -- argument checks --------------------------------------------------------------


def _messages_of(conversation) -> List[Message]:
    # The items are checked only if rendering fails (see `HarmonyEncoding._rendered`):
    # the common case pays nothing for it.
    if isinstance(conversation, Conversation):
        return conversation.messages
    if isinstance(conversation, (list, tuple)):
        return conversation
    raise HarmonyValueError(
        f"expected a Conversation or a list of Messages, got {type(conversation).__name__}"
    )


def _check_messages(messages) -> None:
    for index, message in enumerate(messages):
        if not isinstance(message, Message):
            raise HarmonyValueError(
                f"messages[{index}]: expected a Message, got {type(message).__name__}"
            )


def _auto_drop_flag(config) -> bool:
    flag = getattr(config, "auto_drop_analysis", None)
    if not isinstance(flag, bool):
        raise HarmonyValueError(
            f"config must be a RenderConversationConfig, got {type(config).__name__}"
        )
    return flag


def _render_options_flag(options) -> bool:
    flag = getattr(options, "conversation_has_function_tools", None)
    if not isinstance(flag, bool):
        raise HarmonyValueError(
            f"render_options must be a RenderOptions, got {type(options).__name__}"
        )
    return flag


def _harmony_error(exc: Exception) -> Exception:
    """What a bad value assigned after construction makes Python raise deep
    in rendering, as a HarmonyError (other exceptions as they are)."""
    if isinstance(exc, (UnicodeEncodeError, LoneSurrogate)):
        lone = exc.surrogate if isinstance(exc, LoneSurrogate) else exc.object[exc.start : exc.end]
        return HarmonyValueError(
            f"text is not valid Unicode (it contains a lone surrogate {lone!r}); encode it before rendering"
        )
    if isinstance(exc, (TypeError, AttributeError, ValueError)):
        return HarmonyValueError(f"invalid message: {exc}")
    if isinstance(exc, RecursionError):
        # Schemas deeper than serde_json's 127 levels are refused before
        # this; shallower ones need ~200 frames, which a caller deep in
        # its own recursion may not have left.
        return HarmonyValueError(
            "tool parameters nest too deep to render from this deep in the Python stack "
            f"(sys.getrecursionlimit() is {sys.getrecursionlimit()})"
        )
    return exc


def _check_error_handler(errors) -> None:
    if not isinstance(errors, str):
        raise HarmonyValueError(
            f"errors must name a codec error handler ('replace', 'strict', 'ignore', ...), "
            f"got {type(errors).__name__}"
        )
    try:
        codecs.lookup_error(errors)
    except (LookupError, ValueError):  # ValueError: a name with a NUL in it
        raise HarmonyValueError(f"unknown error handler name {shown(errors)}") from None


_special_regex_cache: dict = {}


# Every special token has this shape, and none holds a "<" past its first
# character: so the leftmost allowed special token in a text is the first
# match of this pattern that is allowed, without the pattern listing them all.
_SPECIAL_TOKEN_SHAPE = re.compile(r"<\|[a-z0-9_]+\|>")


def _special_token_regex(tokens: frozenset):
    regex = _special_regex_cache.get(tokens)
    if regex is None:
        regex = re.compile("|".join(re.escape(token) for token in sorted(tokens, key=len, reverse=True)))
        if len(_special_regex_cache) > 16:
            _special_regex_cache.clear()
        _special_regex_cache[tokens] = regex
    return regex


def _raise_disallowed_special_token(token: str) -> None:
    raise HarmonyError(
        "Encountered text corresponding to disallowed special token "
        f"{token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{'{token}', ...}}`.\n"
        "If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{'{token}'}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )


# -- loading ------------------------------------------------------------------------

# One encoding per (name, dialect), all sharing one Tokenizer: the vocabulary
# is loaded once per process, also when pickled encodings arrive.
_loaded: dict = {}
_load_lock = threading.Lock()


def load_harmony_encoding(
    name: Union[str, HarmonyEncodingName], *, dialect: Optional[str] = None, render_cache: int = 0
) -> HarmonyEncoding:
    """Load an encoding by name (`"HarmonyGptOss"`), once per process, dialect
    and cache size.

    `dialect` chooses whose rendering to reproduce byte for byte: "0.0.8"
    (openai-harmony 0.0.8, the default) or "0.0.11" (the fork oss-harmony
    0.0.11, which vLLM >= 0.31 uses). None reads the environment variable
    FASTHARMONY_DIALECT, for programs that cannot be changed (unset: "0.0.8").

    `render_cache=N` (N > 0) makes the encoding remember the tokens of up to N
    rendered messages (least recently used out), keyed by their value: a
    server that re-renders the whole conversation at every turn then renders
    only the new messages. The tokens are always those an encoding without a
    cache renders; a changed message is a new message. The cache is shared by
    everyone who loads the same name, dialect and size (thread-safe); see
    `HarmonyEncoding.render_cache_info`.

    The vocabulary is the bundled copy, or `o200k_base.tiktoken` in the folder
    named by `TIKTOKEN_ENCODINGS_BASE`; nothing is downloaded.

    >>> load_harmony_encoding("HarmonyGptOss") is load_harmony_encoding("HarmonyGptOss", dialect="0.0.8")
    True
    >>> load_harmony_encoding("HarmonyGptOss", dialect="0.0.9")
    Traceback (most recent call last):
    ...
    fastharmony._errors.HarmonyValueError: unknown dialect '0.0.9': the dialects are "0.0.8" (openai-harmony 0.0.8, the default) and "0.0.11" (oss-harmony 0.0.11)
    """
    try:
        key = str(name)  # as the reference does with a name that is not a str
    except Exception:  # a foreign __str__, or an int of more than 4300 digits
        raise HarmonyValueError(f"Invalid HarmonyEncodingName: {shown(name)}") from None
    dialect = _dialect_argument(dialect)
    if type(render_cache) is not int or render_cache:
        render_cache = _render_cache_argument(render_cache)
    loaded_key = (key, dialect) if not render_cache else (key, dialect, render_cache)
    encoding = _loaded.get(loaded_key)
    if encoding is not None:
        return encoding
    if key != HarmonyEncodingName.HARMONY_GPT_OSS.value:
        raise HarmonyValueError(f"Invalid HarmonyEncodingName: {key[:200]}")
    with _load_lock:
        encoding = _loaded.get(loaded_key)
        if encoding is None:
            tokenizer = next(
                (loaded._tokenizer for other, loaded in _loaded.items() if other[0] == key), None
            ) or Tokenizer()
            encoding = _loaded[loaded_key] = HarmonyEncoding(key, tokenizer, dialect, render_cache)
    return encoding


def _render_cache_argument(size) -> int:
    if type(size) is bool or not isinstance(size, int) or size < 0:
        raise HarmonyValueError(
            f"render_cache must be a number of messages (an int >= 0; 0: no cache), got {shown(size)}"
        )
    return int(size)


_DIALECT_CHOICES = (
    '"0.0.8" (openai-harmony 0.0.8, the default) and "0.0.11" (oss-harmony 0.0.11)'
)


def _dialect_argument(dialect) -> str:
    if dialect is None:
        dialect = os.environ.get(DIALECT_VARIABLE) or DEFAULT_DIALECT
        if dialect not in DIALECTS:
            raise HarmonyValueError(
                f"the environment variable {DIALECT_VARIABLE} is {shown(dialect)}: "
                f"the dialects are {_DIALECT_CHOICES}"
            )
        return dialect
    if type(dialect) is not str and not isinstance(dialect, str):
        raise HarmonyValueError(
            f"dialect must be a str, got {type(dialect).__name__}: the dialects are {_DIALECT_CHOICES}"
        )
    if dialect not in DIALECTS:
        raise HarmonyValueError(f"unknown dialect {shown(dialect)}: the dialects are {_DIALECT_CHOICES}")
    return str(dialect)


def _unpickled_encoding(name: str, dialect: str, render_cache: int = 0) -> HarmonyEncoding:
    return load_harmony_encoding(name, dialect=dialect, render_cache=render_cache)
