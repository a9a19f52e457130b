# Pictures of tokens: conversations, messages and token lists as HTML.
#
# Rules of this file:
# - The page is self-contained: one inline stylesheet, no script, no font or
#   image to fetch. It opens offline, in a notebook, or as a file from
#   `fastharmony show --html`.
# - Every token is one <span class="fh-tok"> carrying its id (data-id, shown
#   on hover by CSS, and title for the browser's own tooltip); special tokens
#   add fh-special, trained ones (loss mask set) fh-trained.
# - Every message is one <section class="fh-message"> whose header names its
#   role, channel, recipient and content type. What the tokens say is read
#   from the public API only: rendering with spans for a conversation, the
#   streaming parser for a bare token list.
# - Text goes through _escape, always: token text can be anything.
#
# Theory of operation: each view becomes a list of blocks (a message header
# and its token range, or a message rendering would drop), then one function
# writes blocks as HTML. The token list is cut into messages at `<|start|>`
# and after each stop token, so a list that is not a whole conversation (a
# completion, a training example) still shows.

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from ._encoding import load_harmony_encoding
from ._errors import HarmonyValueError
from ._model import Conversation, Message, RenderConversationConfig
from ._parser import StreamableParser
from ._tokens import START, STOP_TOKENS
from ._vocab import LAST_TOKEN_ID, N_ORDINARY_TOKENS

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _escape(text: str) -> str:
    """Text as HTML text or a quoted attribute value (html.escape, without
    importing the html package and its entity tables at every start)."""
    return text.translate(_ESCAPES)


class _Block:
    """One message: where its tokens lie, and what its header says."""

    __slots__ = ("start", "end", "fields", "role", "note", "dropped_tokens")

    def __init__(self, start: int, end: int, fields=None, role: str = "", note: str = "") -> None:
        self.start, self.end = start, end
        self.fields: List[tuple] = fields or []  # (label, value) for the header
        self.role = role
        self.note = note  # e.g. why rendering drops it
        self.dropped_tokens: Optional[List[int]] = None  # a dropped message's own rendering


class HtmlView:
    """An HTML picture of Harmony tokens, for notebooks and files.

    Make one with `html_view`. In Jupyter it displays itself
    (`_repr_html_`); `page()` is a whole self-contained HTML document and
    `save(path)` writes it.

    >>> from fastharmony import html_view
    >>> view = html_view([200006, 1428, 200008, 12194, 200007])
    >>> 'data-id="12194"' in view.page()
    True
    """

    def __init__(self, fragment: str, title: str) -> None:
        self.fragment = fragment
        self.title = title

    def _repr_html_(self) -> str:
        return self.fragment

    def page(self) -> str:
        """A whole HTML document: the view and its stylesheet, nothing to fetch."""
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_escape(self.title)}</title></head>\n<body>\n{self.fragment}\n</body></html>\n"
        )

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.page())

    def __repr__(self) -> str:
        return f"<HtmlView {self.title!r}>"


def html_view(
    item: Any,
    encoding: Any = None,
    *,
    config: Optional[RenderConversationConfig] = None,
    title: Optional[str] = None,
) -> HtmlView:
    """An HTML picture of a conversation, a message, a token list or a
    training example: one block per message, every token with its id.

    `item` is a `Conversation` (rendered with `config`; analysis messages
    that rendering drops are shown, marked), a `Message`, a sequence of token
    ids, or any object with `input_ids` and `loss_mask` (a training example:
    the tokens it trains on are highlighted). `encoding` defaults to
    `load_harmony_encoding("HarmonyGptOss")`.

    >>> from fastharmony import Conversation, Message, Role, html_view
    >>> convo = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
    >>> view = html_view(convo)
    >>> view.page().count('class="fh-message')
    1
    """
    if encoding is None:
        encoding = load_harmony_encoding("HarmonyGptOss")
    mask = None
    if isinstance(item, Conversation):
        tokens, blocks = _conversation_blocks(item, encoding, config)
        what = f"conversation of {len(item.messages)} messages"
    elif isinstance(item, Message):
        tokens = encoding.render(item)
        blocks = [_Block(0, len(tokens), *_message_header(item))]
        what = "message"
    elif hasattr(item, "input_ids") and hasattr(item, "loss_mask"):
        tokens, mask = list(item.input_ids), list(item.loss_mask)
        if len(mask) != len(tokens):
            raise HarmonyValueError(f"loss_mask has {len(mask)} entries for {len(tokens)} input_ids")
        blocks = _token_blocks(tokens, encoding)
        what = "training example"
    else:
        tokens = list(item)
        blocks = _token_blocks(tokens, encoding)
        what = "tokens"
    fragment = _fragment(tokens, blocks, encoding, mask, what)
    return HtmlView(fragment, title or f"fastharmony: {what}")


def html_fragment(item: Any) -> str:
    """`html_view(item)` as an HTML fragment (what `_repr_html_` returns)."""
    return html_view(item).fragment


# -- blocks -----------------------------------------------------------------------------


def _message_header(message: Message) -> tuple:
    author = message.author
    role = getattr(author.role, "value", str(author.role))
    fields = [("role", role)]
    if author.name is not None:
        fields.append(("name", author.name))
    for label, value in (
        ("channel", message.channel),
        ("recipient", message.recipient),
        ("content type", message.content_type),
    ):
        if value is not None:
            fields.append((label, value))
    return fields, role


def _conversation_blocks(conversation: Conversation, encoding, config) -> tuple:
    tokens, spans = encoding.render_conversation_with_spans(conversation, config)
    blocks = []
    for span in spans:
        message = conversation.messages[span.index]
        fields, role = _message_header(message)
        block = _Block(span.start, span.end, fields, role)
        if span.dropped:
            block.note = "dropped: rendering leaves out analysis before a final answer"
            block.dropped_tokens = encoding.render(message)
        blocks.append(block)
    return tokens, blocks


def _token_blocks(tokens: Sequence[int], encoding) -> List[_Block]:
    """The tokens cut into messages: at each `<|start|>` and after each stop token."""
    blocks: List[_Block] = []
    start = None
    for index, token in enumerate(tokens):
        if token == START and start is not None:
            blocks.append(_parsed_block(tokens, start, index, encoding))
            start = None
        if start is None:
            start = index
        if token in STOP_TOKENS:
            blocks.append(_parsed_block(tokens, start, index + 1, encoding))
            start = None
    if start is not None:
        blocks.append(_parsed_block(tokens, start, len(tokens), encoding))
    return blocks


def _parsed_block(tokens, start: int, end: int, encoding) -> _Block:
    block = _Block(start, end)
    if tokens[start] != START:
        block.note = "outside a message: no <|start|> before these tokens"
        return block
    parser = StreamableParser(encoding, None)
    try:
        for token in tokens[start:end]:
            parser.process(token)
    except Exception as exc:  # a picture shows what it cannot read, and says why
        block.note = f"not a well-formed message: {exc}"
    if parser.messages:  # the stop token closed it
        block.fields, block.role = _message_header(parser.messages[-1])
    elif parser.current_role is not None:  # its header is read, its content goes on
        role = parser.current_role
        block.role = getattr(role, "value", str(role))
        block.fields = [("role", block.role)]
        for label, value in (
            ("channel", parser.current_channel),
            ("recipient", parser.current_recipient),
            ("content type", parser.current_content_type),
        ):
            if value is not None:
                block.fields.append((label, value))
    else:
        block.note = block.note or "header not finished"
        return block
    if tokens[end - 1] not in STOP_TOKENS and not block.note:
        block.note = "not finished: no stop token yet"
    return block


# -- HTML -------------------------------------------------------------------------------


def _token_span(token: int, data: bytes, trained: bool) -> str:
    special = N_ORDINARY_TOKENS <= token <= LAST_TOKEN_ID
    classes = "fh-tok fh-special" if special else "fh-tok"
    if trained:
        classes += " fh-trained"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # part of a character: its bytes
        text = " ".join(f"{byte:02x}" for byte in data)
        classes += " fh-bytes"
    shown = _escape(text).replace("\n", "\u21b5\n").replace("\t", "\u2192\t")
    tip = f"id {token}" + (" (trained)" if trained else "")
    return f'<span class="{classes}" data-id="{token}" title="{_escape(tip)}">{shown}</span>'


def _tokens_html(tokens, start: int, end: int, encoding, mask) -> str:
    return "".join(
        _token_span(tokens[i], encoding.decode_bytes([tokens[i]]), bool(mask and mask[i]))
        for i in range(start, end)
    )


def _fragment(tokens: List[int], blocks: List[_Block], encoding, mask, what: str) -> str:
    trained = sum(map(bool, mask)) if mask else 0
    dropped = sum(block.dropped_tokens is not None for block in blocks)
    summary = f"{len(tokens):,} tokens, {len(blocks) - dropped} messages"
    if dropped:
        summary += f" ({dropped} more dropped by rendering)"
    if mask is not None:
        summary += f", {trained:,} trained"
    parts = [_STYLE, f'<div class="fh-view" data-what="{_escape(what)}">']
    parts.append(f'<div class="fh-summary">{_escape(summary)}{_LEGEND}</div>')
    covered = 0
    for block in blocks:
        if block.start > covered:  # cannot happen for our renders; shown, not hidden
            parts.append(_block_html(_Block(covered, block.start, note="between messages"), tokens, encoding, mask))
        parts.append(_block_html(block, tokens, encoding, mask))
        covered = max(covered, block.end)
    if covered < len(tokens):
        parts.append(_block_html(_Block(covered, len(tokens), note="after the last message"), tokens, encoding, mask))
    parts.append("</div>")
    return "\n".join(parts)


def _block_html(block: _Block, tokens, encoding, mask) -> str:
    classes = "fh-message"
    if block.dropped_tokens is not None:
        classes += " fh-dropped"
    head = "".join(
        f'<span class="fh-field fh-{label.replace(" ", "-")}"><b>{_escape(label)}</b> '
        f"{_escape(str(value))}</span>"
        for label, value in block.fields
    )
    if block.note:
        head += f'<span class="fh-note">{_escape(block.note)}</span>'
    if block.dropped_tokens is not None:
        count = len(block.dropped_tokens)
        body = _tokens_html(block.dropped_tokens, 0, count, encoding, None)
    else:
        count = block.end - block.start
        body = _tokens_html(tokens, block.start, block.end, encoding, mask)
    head += f'<span class="fh-count">{count} tokens</span>'
    return (
        f'<section class="{classes}" data-role="{_escape(block.role)}">'
        f'<header class="fh-header">{head}</header>'
        f'<div class="fh-tokens">{body}</div></section>'
    )


_LEGEND = (
    '<span class="fh-legend"><span class="fh-tok fh-special">special</span> '
    '<span class="fh-tok">ordinary</span> <span class="fh-tok fh-trained">trained</span> '
    "hover a token for its id</span>"
)

_STYLE = """<style>
.fh-view { font: 14px/1.5 system-ui, sans-serif; color: #1f2328; max-width: 70em; }
.fh-summary { margin: 0 0 .6em; color: #57606a; display: flex; gap: 1.5em; flex-wrap: wrap; }
.fh-legend { font-size: 12px; }
.fh-message { border: 1px solid #d0d7de; border-left: 6px solid var(--fh-role, #8c959f);
  border-radius: 6px; margin: .5em 0; background: #fff; }
.fh-message[data-role="system"] { --fh-role: #6e7781; }
.fh-message[data-role="developer"] { --fh-role: #8250df; }
.fh-message[data-role="user"] { --fh-role: #0969da; }
.fh-message[data-role="assistant"] { --fh-role: #1a7f37; }
.fh-message[data-role="tool"] { --fh-role: #bc4c00; }
.fh-header { display: flex; gap: 1em; flex-wrap: wrap; padding: .3em .6em;
  background: #f6f8fa; border-bottom: 1px solid #d0d7de; font-size: 13px; }
.fh-field b { color: #57606a; font-weight: 600; }
.fh-role { color: var(--fh-role); }
.fh-count { margin-left: auto; color: #57606a; }
.fh-note { color: #9a6700; font-style: italic; }
.fh-dropped { opacity: .6; border-style: dashed; }
.fh-dropped .fh-tokens { text-decoration: line-through; text-decoration-color: #cf222e88; }
.fh-tokens { padding: .5em .6em; font: 13px/1.9 ui-monospace, SFMono-Regular, Menlo, monospace;
  white-space: pre-wrap; word-break: break-word; }
.fh-tok { position: relative; padding: 1px 0; border-radius: 3px; background: #ddf4ff; }
.fh-tok:nth-child(even) { background: #fff8c5; }
.fh-tok.fh-special { background: #424a53; color: #fff; padding: 1px 3px; font-weight: 600; }
.fh-tok.fh-bytes { color: #6e7781; font-style: italic; }
.fh-tok.fh-trained { box-shadow: inset 0 -3px 0 #1a7f37; background: #dafbe1; }
.fh-tok.fh-special.fh-trained { background: #116329; }
.fh-tok:hover { outline: 2px solid #0969da; z-index: 2; }
.fh-tok:hover::after { content: "id " attr(data-id); position: absolute; left: 0; top: -1.9em;
  white-space: nowrap; background: #24292f; color: #fff; font: 12px/1.4 ui-monospace, monospace;
  padding: 1px 5px; border-radius: 4px; pointer-events: none; z-index: 3; }
</style>"""
