# `HarmonyEncoding`, the facade users hold, and `load_harmony_encoding`.
#
# It ties the tokenizer (_vocab), the renderer (_render) and the parser
# (_parser) together behind openai-harmony's method names and signatures.
# Arguments are checked here, at the boundary, so that the modules behind it
# can assume valid input on their hot paths: whatever goes wrong surfaces as a
# HarmonyError that names the problem.

from __future__ import annotations

import codecs
import operator
import re
import sys
import threading
from functools import cached_property
from typing import AbstractSet, Collection, List, Literal, Optional, Sequence, Union

from ._errors import HarmonyError, HarmonyValueError, shown
from ._model import (
    Conversation,
    HarmonyEncodingName,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    role_argument,
)
from ._parser import parse_tokens
from ._render import RETURN, Renderer
from ._tokens import int_text, invalid_token, rust_utf8_error, token_list
from ._vocab import ENCODING_NAME, LAST_TOKEN_ID, N_ORDINARY_TOKENS, SPECIAL_TOKENS, Tokenizer

_STOP_TOKENS = sorted(SPECIAL_TOKENS[t] for t in ("<|return|>", "<|call|>", "<|end|>"))
_ACTION_STOP_TOKENS = sorted(SPECIAL_TOKENS[t] for t in ("<|return|>", "<|call|>"))


class HarmonyEncoding:
    """The Harmony encoding of gpt-oss: renders conversations to tokens and
    parses completion tokens back into messages.

    Get it with `load_harmony_encoding("HarmonyGptOss")`. One instance is safe to
    share between threads.

    >>> enc = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
    >>> enc.render(Message.from_role_and_content(Role.USER, "Hi"))
    [200006, 1428, 200008, 12194, 200007]
    """

    def __init__(self, name: str, tokenizer: Tokenizer) -> None:
        self._name = name
        self._tokenizer = tokenizer
        self._renderer = Renderer(tokenizer)
        # Used only after the fast renderer meets a str tiktoken cannot take.
        self._joining_renderer = Renderer(tokenizer, _surrogate_joining(tokenizer.encode_ordinary))
        # `<|start|>` and the role: what render_conversation_for_completion appends.
        self._next_turn_headers = {role: [_START, *self._renderer.role_tokens(role)] for role in Role}

    def __repr__(self) -> str:
        return f"<HarmonyEncoding {self._name!r} ({ENCODING_NAME})>"

    @property
    def name(self) -> str:
        return self._name

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
        return self._rendered(Renderer.render_message_into, message, has_function_tools)

    def _render_conversation(self, conversation, config) -> List[int]:
        # (The exact type first: the per-request path saves a call.)
        messages = conversation.messages if type(conversation) is Conversation else _messages_of(conversation)
        auto_drop = True if config is None else _auto_drop_flag(config)
        return self._rendered(Renderer.render_conversation_into, messages, auto_drop)

    def _rendered(self, render_into, item, flag) -> List[int]:
        """`render_into(renderer, item, out, flag)`'s tokens, every failure a HarmonyError.

        Text with surrogate code points (which tiktoken refuses) is rendered
        again by the renderer whose encoder joins surrogate pairs.
        """
        out: List[int] = []
        try:
            try:
                render_into(self._renderer, item, out, flag)
            except UnicodeEncodeError:
                out = []
                render_into(self._joining_renderer, item, out, flag)
        except HarmonyError:
            raise
        except Exception as exc:
            if not isinstance(item, Message):  # a conversation's messages
                _check_messages(item)
            raise _harmony_error(exc) from None
        return out

    # -- parsing ----------------------------------------------------------------

    def parse_messages_from_completion_tokens(
        self, tokens: Sequence[int], role: Optional[Role] = None, *, strict: bool = True
    ) -> List[Message]:
        """Parse completion tokens back into messages.

        With `role=None` the tokens must begin with `<|start|>`; with a role they
        begin inside that role's header (e.g. after a prompt rendered for completion).
        """
        return parse_tokens(self, tokens, role, strict)

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
            text = _without_surrogates(text)
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

        >>> enc.decode([24912, 2375])
        'hello world'
        """
        data = self.decode_bytes(tokens)
        if errors != "replace":
            _check_error_handler(errors)
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeError as exc:  # errors="strict" (the reference raises UnicodeDecodeError)
            raise HarmonyValueError(
                f"Could not decode tokens: Invalid utf-8 sequence: {rust_utf8_error(exc)}"
                if isinstance(exc, UnicodeDecodeError)
                else f"Could not decode tokens: {exc}"
            ) from None

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
        return list(_STOP_TOKENS)

    def stop_tokens_for_assistant_actions(self) -> List[int]:
        """Tokens that end an assistant turn: `<|return|>`, `<|call|>`."""
        return list(_ACTION_STOP_TOKENS)


_START = SPECIAL_TOKENS["<|start|>"]
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
    if isinstance(exc, UnicodeEncodeError):
        return HarmonyValueError(
            "text is not valid Unicode (it contains a lone surrogate "
            f"{exc.object[exc.start:exc.end]!r}); encode it before rendering"
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


def _surrogate_joining(encode):
    """`encode`, for text holding surrogate code points: a pair (two code
    points, as `surrogatepass` decoding leaves them) is joined into the
    character it encodes, as the reference's JSON layer joins it; a lone
    surrogate is refused."""

    def encode_joining(text: str) -> List[int]:
        try:
            return encode(text)
        except UnicodeEncodeError:
            try:
                joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError as exc:
                lone = text.encode("utf-16-le", "surrogatepass")[exc.start : exc.end].decode(
                    "utf-16-le", "surrogatepass"
                )
                raise HarmonyValueError(
                    f"text is not valid Unicode (it contains a lone surrogate {lone!r}); "
                    "encode it before rendering"
                ) from None
            return encode(joined)

    return encode_joining


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


def _without_surrogates(text: str) -> str:
    # As the reference does in `encode`: lone surrogates become U+FFFD.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


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

_loaded: dict = {}
_load_lock = threading.Lock()


def load_harmony_encoding(name: Union[str, HarmonyEncodingName]) -> HarmonyEncoding:
    """Load an encoding by name (`"HarmonyGptOss"`), once per process.

    The vocabulary is the bundled copy, or `o200k_base.tiktoken` in the folder
    named by `TIKTOKEN_ENCODINGS_BASE`; nothing is downloaded.
    """
    try:
        key = str(name)  # as the reference does with a name that is not a str
    except Exception:  # a foreign __str__, or an int of more than 4300 digits
        raise HarmonyValueError(f"Invalid HarmonyEncodingName: {shown(name)}") from None
    encoding = _loaded.get(key)
    if encoding is not None:
        return encoding
    if key != HarmonyEncodingName.HARMONY_GPT_OSS.value:
        raise HarmonyValueError(f"Invalid HarmonyEncodingName: {key[:200]}")
    with _load_lock:
        encoding = _loaded.get(key)
        if encoding is None:
            encoding = _loaded[key] = HarmonyEncoding(key, Tokenizer())
    return encoding
