# Commands for people: show (messages or tokens as a readable listing) and
# demo (a bundled example, rendered and parsed).

from __future__ import annotations

import textwrap
from typing import Iterable, List

import fastharmony
from fastharmony import Message, Role

from .. import _shapes as shapes
from .._inputs import conversation_from, decode_json, is_token_words, read_token_words, token_list
from .._io import BadInput
from .._options import COLOR, NON_STRICT, ROLE, arg, command
from .._view import message_lines, rendered, show_parsed, style_for, styled_tokens
from .._walk import encoding, starting_role, walk


@command(
    ROLE,
    NON_STRICT,
    COLOR,
    arg("--tokens", action="store_true", help="list each message's tokens, one a line: id and text"),
    arg("--html", metavar="FILE", help="also write the view as a self-contained HTML page (token ids on hover)"),
)
def show(args, io):
    """Show messages one after another: role, channel, recipient, content type,
    token count and end token, then the content; analysis messages that
    rendering would drop (auto-drop) are marked; a last line gives the totals.
    Input is a conversation ({"messages": [...]}), a list of messages (as
    parse writes them), one message, or token ids (read as `parse` reads
    them; a header left open at the end, as in a prompt, is shown as such).
    System and developer messages appear as the model reads them. With
    --tokens, each token is listed instead: its id and its text, coloured by
    message and by special/ordinary. Colour on a terminal; piped, plain.
    With --html FILE, the same view is also written to FILE as a web page
    that needs no network (see fastharmony.html_view).

      $ echo '[200006,1428,200008,12194,200007,200006,173781]' | fastharmony show
      #0  user  (5 tokens)  ends: <|end|>
        Hi
      #1 <|start|>assistant  (header of the next turn, awaiting completion)
      1 message, 7 tokens
      $ echo '{"role":"user","content":"Hi"}' | fastharmony show --tokens
      #0  user  (5 tokens)  ends: <|end|>
        200006  <|start|>
          1428  "user"
        200008  <|message|>
         12194  "Hi"
        200007  <|end|>
      1 message, 5 tokens
    """
    data = io.read("a conversation, messages or token ids as JSON")
    style = style_for(io, args.color)
    value = None if is_token_words(data) else decode_json(data)
    if value is None or (isinstance(value, list) and not (value and isinstance(value[0], dict))):
        tokens = read_token_words(data) if value is None else token_list(value, "tokens")
        enc = encoding()
        role = starting_role(tokens[0] if tokens else None, args.role)
        parsed, pending = walk(enc, tokens, role, not args.non_strict, keep_open_header=True)
        show_parsed(io, enc, style, parsed, pending, args.tokens)
        if args.html:
            _save_html(args.html, tokens, enc)
        return
    if args.role is not None or args.non_strict:
        raise BadInput("--role and --non-strict apply to token ids, not to messages")
    if isinstance(value, dict) and "messages" not in value and "role" in value:
        messages = [Message.from_dict(shapes.message(value))]
    else:
        messages = conversation_from(value).messages
    enc = encoding()
    show_parsed(io, enc, style, rendered(enc, messages), [], args.tokens)
    if args.html:
        _save_html(args.html, fastharmony.Conversation.from_messages(messages), enc)


def _save_html(path: str, item, enc) -> None:
    try:
        fastharmony.html_view(item, enc).save(path)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None


@command(
    COLOR,
    arg("--json", action="store_true", help="write the example conversation as JSON instead (render-convo reads it)"),
    reads_input=False,
)
def demo(args, io):
    """Render the bundled example conversation (system, developer with a
    function tool, user, assistant analysis, tool call, tool result) into a
    prompt, print its text and token ids, then parse a sample completion
    (analysis, then a tool call) back into messages. Needs no network.
    With --json, write the example conversation instead, to try other
    commands on: `fastharmony demo --json > convo.json`.
    """
    from .. import _demo

    if args.json:
        io.write_text(_demo.conversation().to_json() + "\n")
        return
    enc = encoding()
    style = style_for(io, args.color)
    conversation = _demo.conversation()
    prompt = enc.render_conversation_for_completion(conversation, Role.ASSISTANT)
    completion = enc.encode(_demo.COMPLETION, allowed_special="all")
    parsed = enc.parse_messages_from_completion_tokens(completion, Role.ASSISTANT)

    def section(number: int, title: str, lines: Iterable[str]) -> str:
        return "\n".join([style.heading(f"{number}. {title}"), *lines, ""])

    def ids(tokens: List[int]) -> List[str]:
        return textwrap.wrap(", ".join(map(str, tokens)), 96)

    sections = [
        style.heading(f"fastharmony {fastharmony.__version__} demo: the Harmony format of gpt-oss, offline") + "\n",
        section(
            1,
            "A conversation (fastharmony/cli/_demo.py)",
            (line for index, message in enumerate(conversation.messages)
             for line in message_lines(enc, style, index, message)),
        ),
        section(
            2,
            "The prompt: render_conversation_for_completion(conversation, Role.ASSISTANT)",
            [style.label("(a line break is added after each end token)"),
             styled_tokens(enc, prompt, style, line_breaks=True)],
        ),
        section(3, f"Its {len(prompt)} token ids", ids(prompt)),
        section(
            4,
            "A completion the model might write: analysis, then a tool call",
            [styled_tokens(enc, completion, style, line_breaks=True).rstrip("\n"), *ids(completion)],
        ),
        section(
            5,
            "Parsed back: parse_messages_from_completion_tokens(completion, Role.ASSISTANT)",
            (line for index, message in enumerate(parsed)
             for line in message_lines(enc, style, index, message)),
        ),
    ]
    io.write_text("\n".join(sections))
